import { describe, expect, it } from 'vitest';
import { formatSchedule, parseSchedule, type Schedule } from './iso8601';
import { addPeriods, advanceAfter, isDue, nextDue, rangeProblem, skipForward } from './schedule';
import { parseScheduleSpec } from './spec';
import { formatInZone } from './zones';

/** Named instants. */
const NOW = Date.parse('2026-05-14T10:23:45.678Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString();
const NOW_ISO = iso(NOW); // 2026-05-14T10:23:45.678Z

function parse(expr: string, zone = '', now = NOW): Schedule {
  const r = parseSchedule(expr, zone, now);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('skipForward: Chronos vector 10 (now = 2026-05-14T10:23:45.678Z)', () => {
  const cases: { name: string; expr: string; recurrences: number; start: string }[] = [
    { name: 'PT1M from 2012: a start later today', expr: 'R/2012-01-01T00:00:01Z/PT1M', recurrences: -1, start: '2026-05-14T10:24:01.000Z' },
    { name: 'start in the future: unchanged', expr: `R/${iso(NOW + DAY)}/PT1M`, recurrences: -1, start: iso(NOW + DAY) },
    { name: 'R0, zero period: repeat -1 (quirk), start unchanged', expr: `R0/${iso(NOW - DAY)}/PT0S`, recurrences: -1, start: iso(NOW - DAY) },
    { name: 'R1, zero period: R0, start unchanged', expr: `R1/${iso(NOW - DAY)}/PT0S`, recurrences: 0, start: iso(NOW - DAY) },
    { name: 'R1 at now, P1D: R0, start unchanged', expr: `R1/${NOW_ISO}/P1D`, recurrences: 0, start: NOW_ISO },
    { name: 'R3 at now, P1D: R2, start unchanged', expr: `R3/${NOW_ISO}/P1D`, recurrences: 2, start: NOW_ISO },
    { name: 'R1 at now, PT1S: R0, today (unchanged)', expr: `R1/${NOW_ISO}/PT1S`, recurrences: 0, start: NOW_ISO },
    { name: 'R1 a day ago, PT1S: R0, now + 1 s', expr: `R1/${iso(NOW - DAY)}/PT1S`, recurrences: 0, start: iso(NOW + 1000) },
    { name: 'R a day ago, P1D: R, now + 1 d', expr: `R/${iso(NOW - DAY)}/P1D`, recurrences: -1, start: iso(NOW + DAY) },
    { name: 'R a day ago, P1Y: R, now - 1 d + 1 y', expr: `R/${iso(NOW - DAY)}/P1Y`, recurrences: -1, start: '2027-05-13T10:23:45.678Z' },
  ];
  it.each(cases)('$name', ({ expr, recurrences, start }) => {
    const next = skipForward(parse(expr), NOW);
    expect(next.recurrences).toBe(recurrences);
    expect(iso(next.start)).toBe(start);
  });

  it('P1M from 2012-01-01: after now, on day-of-month 1', () => {
    const next = skipForward(parse('R/2012-01-01T00:00:01Z/P1M'), NOW);
    expect(next.start).toBeGreaterThan(NOW);
    expect(new Date(next.start).getUTCDate()).toBe(1);
    expect(iso(next.start)).toBe('2026-06-01T00:00:01.000Z');
  });

  it('R0 prints as R after a launch (quirk)', () => {
    expect(formatSchedule(skipForward(parse(`R0/${iso(NOW - DAY)}/PT0S`), NOW))).toBe(`R/${iso(NOW - DAY)}/PT0S`);
  });

  it('missed runs are never replayed: one launch after downtime lands after now', () => {
    const s = parse('R5/2026-05-01T00:00:00Z/PT1H');
    const next = skipForward(s, NOW);
    expect(next.recurrences).toBe(4);
    expect(iso(next.start)).toBe('2026-05-14T11:00:00.000Z');
  });
});

/** A job as the main loop sees it. */
interface TestJob {
  name: string;
  disabled: boolean;
  schedule: Schedule;
}
const job = (name: string, expr: string, disabled = false): TestJob => ({ name, disabled, schedule: parse(expr) });

/** The loop's due selection: enabled, due, ordered by start. */
const dueJobs = (jobs: TestJob[], now: number): TestJob[] =>
  jobs.filter((j) => !j.disabled && isDue(j.schedule, now)).sort((a, b) => a.schedule.start - b.schedule.start);

/** The loop's sleep: until the earliest start among enabled jobs with runs left (0 if past), else 60 s. */
function sleepMs(jobs: TestJob[], now: number): number {
  const starts = jobs
    .filter((j) => !j.disabled)
    .map((j) => nextDue(j.schedule))
    .filter((t): t is number => t !== null);
  if (starts.length === 0) return 60_000;
  return Math.max(0, Math.min(...starts) - now);
}

describe('due selection: Chronos vectors 11-12', () => {
  it('11: job1 due; job2 disabled and job3 in a year are not; task id ends :job1:', () => {
    const jobs = [
      job('job1', 'R5/2012-01-01T00:00:00Z/P1D'),
      job('job2', 'R5/2012-01-01T00:00:00Z/P1D', true),
      job('job3', `R5/${iso(NOW + 365 * DAY)}/P1D`),
    ];
    const due = dueJobs(jobs, NOW);
    expect(due.map((j) => j.name)).toEqual(['job1']);
    expect(jobs.filter((j) => !due.includes(j)).map((j) => j.name)).toEqual(['job2', 'job3']);
    const taskId = `ct:${due[0].schedule.start}:0:${due[0].name}:`;
    expect(taskId.endsWith(':job1:')).toBe(true);
  });

  it('12: three past starts are due, in order of start', () => {
    const jobs = [
      job('job3', 'R5/2012-03-01T00:00:00Z/P1D'),
      job('job1', 'R5/2012-01-01T00:00:00Z/P1D'),
      job('job4', `R5/${iso(NOW + 365 * DAY)}/P1D`),
      job('job2', 'R5/2012-02-01T00:00:00Z/P1D'),
    ];
    expect(dueJobs(jobs, NOW).map((j) => j.name)).toEqual(['job1', 'job2', 'job3']);
  });
});

describe('sleep time: Chronos vector 13', () => {
  const past = `R/${iso(NOW - DAY)}/P1D`;
  const in1h = `R/${iso(NOW + HOUR)}/P1D`;
  const in2h = `R/${iso(NOW + 2 * HOUR)}/P1D`;
  const cases = [
    { name: '[past, past, disabled, +1h, +2h] -> 0', jobs: [job('a', past), job('b', past), job('c', past, true), job('d', in1h), job('e', in2h)], ms: 0 },
    { name: '[disabled, +1h, +2h] -> 1 h', jobs: [job('c', past, true), job('d', in1h), job('e', in2h)], ms: HOUR },
    { name: '[+2h] -> 2 h', jobs: [job('e', in2h)], ms: 2 * HOUR },
    { name: '[R0 at now, +2h] -> 2 h', jobs: [job('z', `R0/${NOW_ISO}/P1D`), job('e', in2h)], ms: 2 * HOUR },
    { name: '[] -> 60 s', jobs: [], ms: 60_000 },
  ];
  it.each(cases)('$name', ({ jobs, ms }) => expect(sleepMs(jobs, NOW)).toBe(ms));
});

describe('isDue / nextDue', () => {
  const s = parse('R2/2026-05-14T10:00:00Z/PT1H');
  const cases = [
    { name: 'before the start', now: Date.parse('2026-05-14T09:59:59.999Z'), due: false },
    { name: 'exactly at the start (Chronos: start must be before now)', now: Date.parse('2026-05-14T10:00:00.000Z'), due: false },
    { name: '1 ms after the start', now: Date.parse('2026-05-14T10:00:00.001Z'), due: true },
  ];
  it.each(cases)('$name', ({ now, due }) => expect(isDue(s, now)).toBe(due));

  it('R0 is never due and has no next due', () => {
    const r0 = parse('R0/2012-01-01T00:00:00Z/P1D');
    expect(isDue(r0, NOW)).toBe(false);
    expect(nextDue(r0)).toBeNull();
  });

  it('runs R2 to the end: two launches, then not due', () => {
    let t = s;
    const launches: string[] = [];
    for (let now = Date.parse('2026-05-14T09:00:00Z'); now < Date.parse('2026-05-15T00:00:00Z'); now += 60_000) {
      if (isDue(t, now)) {
        launches.push(iso(t.start));
        t = skipForward(t, now);
      }
    }
    expect(launches).toEqual(['2026-05-14T10:00:00.000Z', '2026-05-14T11:00:00.000Z']);
    expect(t.recurrences).toBe(0);
    expect(nextDue(t)).toBeNull();
  });
});

describe('arithmetic in the zone (DST)', () => {
  /** Simulate launches 1 ms after each due instant; collect the due instants in local time. */
  function launches(expr: string, zone: string, count: number): string[] {
    let s = parse(expr, zone, Date.parse('2000-01-01T00:00:00Z'));
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      out.push(formatInZone(s.start, s.zone));
      s = skipForward(s, s.start + 1);
    }
    return out;
  }

  const cases = [
    {
      name: 'P1D 02:30 New York across spring forward: 03:30 EDT on the day, 02:30 the next',
      expr: 'R/2026-03-07T02:30:00/P1D', zone: 'America/New_York',
      runs: ['2026-03-07T02:30:00.000-05:00', '2026-03-08T03:30:00.000-04:00', '2026-03-09T02:30:00.000-04:00', '2026-03-10T02:30:00.000-04:00'],
    },
    {
      name: 'P1D 01:30 New York across fall back: once on 2026-11-01 (first occurrence)',
      expr: 'R/2026-10-31T01:30:00/P1D', zone: 'America/New_York',
      runs: ['2026-10-31T01:30:00.000-04:00', '2026-11-01T01:30:00.000-04:00', '2026-11-02T01:30:00.000-05:00'],
    },
    {
      name: 'P1D 12:00 New York keeps the wall time',
      expr: 'R/2026-03-07T12:00:00/P1D', zone: 'America/New_York',
      runs: ['2026-03-07T12:00:00.000-05:00', '2026-03-08T12:00:00.000-04:00', '2026-03-09T12:00:00.000-04:00'],
    },
    {
      name: 'PT24H New York adds exact hours: the wall time moves by an hour',
      expr: 'R/2026-03-07T12:00:00/PT24H', zone: 'America/New_York',
      runs: ['2026-03-07T12:00:00.000-05:00', '2026-03-08T13:00:00.000-04:00', '2026-03-09T13:00:00.000-04:00'],
    },
    {
      name: 'P1W New York keeps the wall time',
      expr: 'R/2026-03-01T09:00:00/P1W', zone: 'America/New_York',
      runs: ['2026-03-01T09:00:00.000-05:00', '2026-03-08T09:00:00.000-04:00', '2026-03-15T09:00:00.000-04:00'],
    },
    {
      name: 'Asia/Shanghai (no DST) stays at 02:30 with P1D',
      expr: 'R/2026-03-07T02:30:00/P1D', zone: 'Asia/Shanghai',
      runs: ['2026-03-07T02:30:00.000+08:00', '2026-03-08T02:30:00.000+08:00', '2026-03-09T02:30:00.000+08:00'],
    },
    {
      name: 'Asia/Shanghai (no DST) stays at 02:30 with PT24H',
      expr: 'R/2026-03-07T02:30:00/PT24H', zone: 'Asia/Shanghai',
      runs: ['2026-03-07T02:30:00.000+08:00', '2026-03-08T02:30:00.000+08:00', '2026-03-09T02:30:00.000+08:00'],
    },
    {
      name: 'a written offset without scheduleTimeZone stays fixed (no DST)',
      expr: 'R/2026-03-07T12:00:00-05:00/P1D', zone: '',
      runs: ['2026-03-07T12:00:00.000-05:00', '2026-03-08T12:00:00.000-05:00', '2026-03-09T12:00:00.000-05:00'],
    },
    {
      name: 'P1M from Jan 31 counts from the previous start (Joda plus): Feb 28, Mar 28',
      expr: 'R/2026-01-31T00:00:00Z/P1M', zone: '',
      runs: ['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-28T00:00:00.000Z'],
    },
    {
      name: 'P1Y from Feb 29 lands on Feb 28',
      expr: 'R/2024-02-29T06:00:00Z/P1Y', zone: '',
      runs: ['2024-02-29T06:00:00.000Z', '2025-02-28T06:00:00.000Z', '2026-02-28T06:00:00.000Z'],
    },
  ];
  it.each(cases)('$name', ({ expr, zone, runs }) => expect(launches(expr, zone, runs.length)).toEqual(runs));

  it('the rewritten string keeps the intended 02:30 through a store/reload', () => {
    const s = parse('R/2026-03-07T02:30:00/P1D', 'America/New_York');
    const after = skipForward(s, s.start + 1);
    const stored = formatSchedule(after);
    expect(stored).toBe('R/2026-03-08T02:30:00.000-04:00/P1D');
    const reloaded = parse(stored, 'America/New_York');
    expect(reloaded.start).toBe(after.start);
    expect(formatInZone(skipForward(reloaded, reloaded.start + 1).start, 'America/New_York')).toBe('2026-03-09T02:30:00.000-04:00');
  });

  it('guard: Chronos\'s formula would land before now across DST; the start is strictly after now', () => {
    const s = parse('R/2026-03-07T12:00:00/P1D', 'America/New_York');
    const now = Date.parse('2026-03-08T16:30:00Z'); // 12:30 EDT, 23.5 h after the start
    const next = skipForward(s, now);
    expect(next.start).toBeGreaterThan(now);
    expect(formatInZone(next.start, next.zone)).toBe('2026-03-09T12:00:00.000-04:00');
  });

  it('period × k is added in one step: Jan 31 + P1M × 2 = Mar 31', () => {
    const s = parse('R/2026-01-31T00:00:00Z/P1M');
    expect(iso(addPeriods(s, 2).start)).toBe('2026-03-31T00:00:00.000Z');
  });
});

describe('advanceAfter (preview): strictly after now, count unchanged', () => {
  const cases = [
    { name: 'start in the future is kept', expr: 'R3/2026-05-15T00:00:00Z/P1D', now: NOW, start: '2026-05-15T00:00:00.000Z' },
    { name: 'start equal to now moves on', expr: `R3/${NOW_ISO}/P1D`, now: NOW, start: iso(NOW + DAY) },
    { name: 'start in the past moves after now', expr: 'R3/2026-05-01T00:00:00Z/P1D', now: NOW, start: '2026-05-15T00:00:00.000Z' },
    { name: 'zero period cannot move', expr: 'R3/2026-05-01T00:00:00Z/P', now: NOW, start: '2026-05-01T00:00:00.000Z' },
  ];
  it.each(cases)('$name', ({ expr, now, start }) => {
    const s = advanceAfter(parse(expr), now);
    expect(iso(s.start)).toBe(start);
    expect(s.recurrences).toBe(3);
  });
});

describe('rangeProblem and parseScheduleSpec: instants past the year 9999 are refused at the door (issue 12)', () => {
  const refused: { name: string; expr: string; zone?: string; reason: RegExp }[] = [
    { name: 'a period of a million years', expr: 'R/2026-01-01T00:00:00Z/P1000000Y', reason: /the run after 2026-01-01T00:00:00.000Z would be after 9999-12-31T23:59:59.999Z \(the period P1000000Y is too long\)/ },
    { name: 'one day past the last day', expr: 'R/9999-12-31T00:00:00Z/P1D', reason: /would be after 9999-12-31T23:59:59.999Z/ },
    { name: 'hours past the year 9999', expr: 'R/2026-01-01T00:00:00Z/PT2147483647H', reason: /the period PT2147483647H is too long/ },
    { name: 'a run-once schedule whose advance overflows', expr: 'R1/2026-01-01T00:00:00Z/P999999999Y', reason: /is too long/ },
    { name: 'R0 (Chronos runs it again as R)', expr: 'R0/2026-01-01T00:00:00Z/P100000Y', reason: /is too long/ },
    { name: 'a start pushed past 9999 by its offset', expr: 'R/9999-12-31T23:00:00-05:00/PT0S', reason: /its start is after 9999-12-31T23:59:59.999Z/ },
  ];
  it.each(refused)('refuses $name', ({ expr, zone, reason }) => {
    const r = parseScheduleSpec(expr, zone ?? '', NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('OUT_OF_RANGE');
      expect(r.error.message).toMatch(new RegExp(`^Schedule '${expr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' cannot be scheduled: `));
      expect(r.error.message).toMatch(reason);
    }
  });

  const accepted: { name: string; expr: string; zone?: string }[] = [
    { name: 'a zero period at the last day (PT0S never moves)', expr: 'R/9999-12-31T00:00:00Z/PT0S' },
    { name: 'the last day reached exactly', expr: 'R/9999-12-30T00:00:00Z/P1D' },
    { name: 'R0', expr: 'R0/2026-01-01T00:00:00Z/PT1H' },
    { name: 'a past start', expr: 'R/1999-01-01T00:00:00Z/P1D' },
    { name: 'an empty start', expr: 'R//PT1H' },
    { name: 'a long but possible period', expr: 'R/2026-01-01T00:00:00Z/P7000Y' },
    { name: 'a named zone', expr: 'R/2026-03-08T02:30:00/P1D', zone: 'America/New_York' },
    { name: 'a cron expression', expr: '30 2 * * 1-5', zone: 'Asia/Shanghai' },
  ];
  it.each(accepted)('accepts $name', ({ expr, zone }) => {
    const r = parseScheduleSpec(expr, zone ?? '', NOW);
    expect(r.ok ? 'ok' : r.error.message).toBe('ok');
  });

  it('a stored (legacy) schedule still loads: the worker sets such a job aside with the reason instead', () => {
    expect(parseScheduleSpec('R/2026-01-01T00:00:00Z/P1000000Y', '', NOW, { legacy: true }).ok).toBe(true);
    expect(rangeProblem(parse('R/2026-01-01T00:00:00Z/P1000000Y'))).toMatch(/is too long/);
  });
});
