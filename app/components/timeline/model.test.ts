import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { RunRow } from '@/scheduler/api/ui-types';
import { encodeTimeline } from '@/scheduler/api/ui-service';
import { buildRows, decodeTimeline, fitView, overlaps, presetWindow, ticks, zoomView } from './model';

const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
const iso = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");

describe('presetWindow: tonight 18:00–08:00 in the chosen zone', () => {
  const cases = [
    { name: 'afternoon: the coming night', now: '2026-03-10T14:00', zone: 'Europe/Berlin', from: '2026-03-10T18:00', to: '2026-03-11T08:00' },
    { name: 'late evening: this night', now: '2026-03-10T23:30', zone: 'Europe/Berlin', from: '2026-03-10T18:00', to: '2026-03-11T08:00' },
    { name: 'early morning: the night still going', now: '2026-03-11T03:00', zone: 'Europe/Berlin', from: '2026-03-10T18:00', to: '2026-03-11T08:00' },
    { name: 'spring-forward night is 13 h', now: '2026-03-07T20:00', zone: 'America/New_York', from: '2026-03-07T18:00', to: '2026-03-08T08:00', hours: 13 },
  ];
  it.each(cases)('$name', ({ now, zone, from, to, hours }) => {
    const w = presetWindow('tonight', at(now, zone), zone);
    expect(iso(w.from, zone)).toBe(from);
    expect(iso(w.to, zone)).toBe(to);
    if (hours) expect((w.to - w.from) / 3_600_000).toBe(hours);
  });
  it('last night is the one before', () => {
    const w = presetWindow('lastnight', at('2026-03-10T14:00', 'UTC'), 'UTC');
    expect(iso(w.from, 'UTC')).toBe('2026-03-09T18:00');
    expect(iso(w.to, 'UTC')).toBe('2026-03-10T08:00');
  });
});

const run = (id: string, job: string, queuedAt: number, startedAt: number | null, finishedAt: number | null): RunRow => ({
  id, taskId: `t-${id}`, jobName: job, due: queuedAt, attempt: 0, trigger: 'schedule', state: finishedAt ? 'FINISHED' : startedAt ? 'RUNNING' : 'QUEUED',
  queuedAt, launchedAt: startedAt, startedAt, finishedAt, durationMs: startedAt && finishedAt ? finishedAt - startedAt : null,
  agentId: null, host: null, message: null, reason: null, arguments: '',
});

describe('rows and spans', () => {
  const runs = [run('1', 'b', 100, 110, 200), run('2', 'a', 150, 160, null), run('3', 'b', 300, 310, 400)];
  it('one row per job, ordered by first start', () => {
    const rows = buildRows(runs, 'job', 1000);
    expect(rows.map((r) => [r.key, r.runs.length])).toEqual([['b', 2], ['a', 1]]);
  });
  it('one row per run, ordered by start', () => {
    expect(buildRows(runs, 'run', 1000).map((r) => r.key)).toEqual(['t-1', 't-2', 't-3']);
  });
  it('a running run reaches now; overlap is checked against the window', () => {
    expect(overlaps(runs[1], { from: 900, to: 1100 }, 1000)).toBe(true);
    expect(overlaps(runs[0], { from: 900, to: 1100 }, 1000)).toBe(false);
  });
  it('zoom stays inside the window; ticks are round wall-clock times', () => {
    const v = zoomView({ from: 0, to: 3_600_000 }, 0, 0.5, { from: 0, to: 3_600_000 });
    expect(v).toEqual({ from: 0, to: 1_800_000 });
    const t = ticks({ from: at('2026-03-10T18:00', 'UTC'), to: at('2026-03-11T08:00', 'UTC') }, 'UTC', 8);
    expect(t.map((x) => x.label).slice(0, 3)).toEqual(['18:00', '20:00', '22:00']);
    expect(t.find((x) => x.major)?.label).toBe('Wed 11 Mar');
  });
});

describe('timeline answers (GET /api/runs/timeline): compact rows decode to the same RunRows', () => {
  const due = Date.UTC(2026, 2, 10, 22, 0);
  const base = run('7', 'nightly-etl', due, null, null);
  const cases: Array<{ name: string; row: RunRow }> = [
    { name: 'finished, Chronos task id', row: { ...base, taskId: `ct:${due}:0:nightly-etl:`, queuedAt: due + 5, launchedAt: due + 900, startedAt: due + 1500, finishedAt: due + 61_500, durationMs: 60_000, state: 'FINISHED', host: 'agent-1', agentId: 'a-1' } },
    { name: 'retry with arguments and a message', row: { ...base, id: '8', attempt: 2, trigger: 'retry', arguments: '--date 2026-03-10', taskId: `ct:${due}:2:nightly-etl:--date 2026-03-10`, launchedAt: due + 10, startedAt: due + 20, finishedAt: due + 30, durationMs: 10, state: 'FAILED', message: 'Command exited with status 1', reason: 'REASON_COMMAND_EXECUTOR_FAILED' } },
    { name: 'queued, never launched', row: { ...base, id: '9', taskId: `ct:${due}:0:nightly-etl:`, state: 'QUEUED' } },
    { name: 'running, launched but not started', row: { ...base, id: '10', taskId: `ct:${due}:0:nightly-etl:`, launchedAt: due + 100, state: 'STAGING' } },
    { name: 'a task id of another form is sent as it is', row: { ...base, id: '11', taskId: 'custom-task-id', finishedAt: due + 5, state: 'KILLED' } },
  ];
  it.each(cases)('$name', ({ row }) => {
    const page = JSON.parse(JSON.stringify(encodeTimeline([row], 'c1')));
    expect(page.nextCursor).toBe('c1');
    expect(decodeTimeline(page)).toEqual([row]);
  });
  it('each string is sent once', () => {
    const rows = cases.map((c) => c.row);
    const page = encodeTimeline(rows, null);
    expect(page.strings.filter((x) => x === 'nightly-etl')).toHaveLength(1);
    expect(page.runs[0][15]).toBe(0);
    expect(decodeTimeline(page)).toEqual(rows);
  });
});

describe('fitView: the chart fits the runs shown', () => {
  const day = { from: Date.UTC(2026, 11, 6, 0), to: Date.UTC(2026, 11, 7, 0) };
  const t = (h: number, m = 0, s = 0) => Date.UTC(2026, 11, 6, h, m, s);
  it.each([
    { name: 'no runs: the whole window', runs: [], want: day },
    // two seconds-long runs 10 min apart: 10 min plus 5 % each side, not 24 h
    { name: 'short runs', runs: [run('a', 'j', t(3), t(3, 0, 1), t(3, 0, 4)), run('b', 'j', t(3, 10), t(3, 10, 1), t(3, 10, 3))], want: { from: t(3) - 30_150, to: t(3, 10, 3) + 30_150 } },
    // one run of 3 s: at least two minutes, centred on it
    { name: 'one short run', runs: [run('a', 'j', t(5), t(5), t(5, 0, 3))], want: { from: t(5) + 1_500 - 60_000, to: t(5) + 1_500 + 60_000 } },
    // a run still going ends now (2 h in); the part before the window is cut off (2 h + 5 % margins)
    { name: 'clamped to the window', runs: [run('a', 'j', day.from - 3_600_000, day.from - 3_600_000, null)], want: { from: day.from, to: day.from + 7_920_000 } },
  ])('$name', ({ runs, want }) => {
    const now = runs.length && runs[0].finishedAt === null ? day.from + 2 * 3_600_000 : day.to;
    const got = fitView(runs, day, now);
    expect(got.from).toBeCloseTo(Math.max(day.from, want.from), -2);
    expect(got.to).toBeCloseTo(want.to, -2);
  });
});
