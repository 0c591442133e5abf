import { describe, expect, it } from 'vitest';
import { backfillItems, backfillJobs, instantsIn } from './backfill-plan';
import { DependencyGraph } from './dag';
import { parseScheduleSpec } from './spec';
import type { Instant } from './types';

const t = (s: string): Instant => Date.parse(s);
const iso = (ms: Instant) => new Date(ms).toISOString();
const NOW = t('2026-12-07T12:00:00Z');
const spec = (expr: string, zone = 'UTC') => {
  const s = parseScheduleSpec(expr, zone, NOW, { legacy: true });
  if (!s.ok) throw new Error(s.error.message);
  return s.value;
};

describe('instantsIn: the instants of a schedule in a past range, both ends included', () => {
  const cases: Array<{ name: string; schedule: string; zone?: string; from: string; to: string; max?: number; want: string[] | { field: string } }> = [
    {
      name: 'a nightly ISO job whose start Chronos moved past the range: instants before the start',
      schedule: 'R/2026-12-08T02:00:00Z/P1D',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-04T02:00:00Z',
      want: ['2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z', '2026-12-03T02:00:00.000Z', '2026-12-04T02:00:00.000Z'],
    },
    {
      name: 'the repetition count does not limit past instants (R0 job)',
      schedule: 'R0/2026-12-08T02:00:00Z/P1D',
      from: '2026-12-06T00:00:00Z',
      to: '2026-12-07T00:00:00Z',
      want: ['2026-12-06T02:00:00.000Z'],
    },
    {
      name: 'a range with no instant is empty',
      schedule: 'R/2026-12-08T02:00:00Z/P1D',
      from: '2026-12-06T03:00:00Z',
      to: '2026-12-07T01:00:00Z',
      want: [],
    },
    {
      name: 'wall time kept across DST in the job zone (P1D at 02:30 New York)',
      schedule: 'R/2026-11-10T02:30:00-05:00/P1D',
      zone: 'America/New_York',
      from: '2026-10-31T00:00:00Z',
      to: '2026-11-02T12:00:00Z',
      want: ['2026-10-31T06:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z'],
    },
    {
      name: 'monthly periods counted from the start (Jan 31 + P1M)',
      schedule: 'R/2027-01-31T00:00:00Z/P1M',
      from: '2026-08-01T00:00:00Z',
      to: '2026-11-30T00:00:00Z',
      want: ['2026-08-31T00:00:00.000Z', '2026-09-30T00:00:00.000Z', '2026-10-31T00:00:00.000Z', '2026-11-30T00:00:00.000Z'],
    },
    {
      name: 'cron: weekdays at 02:00',
      schedule: '0 2 * * 1-5',
      from: '2026-12-04T00:00:00Z',
      to: '2026-12-07T02:00:00Z',
      want: ['2026-12-04T02:00:00.000Z', '2026-12-07T02:00:00.000Z'],
    },
    {
      name: 'more instants than the maximum: a problem naming to',
      schedule: 'R/2026-12-08T00:00:00Z/PT1H',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-02T00:00:00Z',
      max: 24,
      want: { field: 'to' },
    },
    {
      name: 'exactly the maximum is fine',
      schedule: 'R/2026-12-08T00:00:00Z/PT12H',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-02T00:00:00Z',
      max: 3,
      want: ['2026-12-01T00:00:00.000Z', '2026-12-01T12:00:00.000Z', '2026-12-02T00:00:00.000Z'],
    },
    {
      name: 'cron over the maximum',
      schedule: '*/5 * * * *',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-01T01:00:00Z',
      max: 12,
      want: { field: 'to' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = instantsIn(spec(c.schedule, c.zone), t(c.from), t(c.to), c.max ?? 1000);
      if (Array.isArray(c.want)) {
        expect(r.ok ? r.value.map(iso) : r.error).toEqual(c.want);
      } else {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.field).toBe(c.want.field);
          expect(r.error.message).toContain('BACKFILL_MAX_INSTANTS');
        }
      }
    });
  }
});

describe('backfillJobs: the job and what runs downstream, parents first', () => {
  // a → b → c, a → d (disabled) → e, x alone
  const { graph } = DependencyGraph.fromJobs([
    { name: 'a' },
    { name: 'b', parents: ['a'] },
    { name: 'c', parents: ['b'] },
    { name: 'd', parents: ['a'] },
    { name: 'e', parents: ['d', 'b'] },
    { name: 'x' },
  ]);
  const disabled = (n: string) => n === 'd';
  it('without downstream: the job alone', () => {
    expect(backfillJobs(graph, 'a', false, disabled)).toEqual({ jobs: [{ name: 'a', parents: [] }], disabled: [] });
  });
  it('with downstream: every enabled job below, each with its parents among them; disabled ones apart', () => {
    expect(backfillJobs(graph, 'a', true, disabled)).toEqual({
      jobs: [
        { name: 'a', parents: [] },
        { name: 'b', parents: ['a'] },
        { name: 'c', parents: ['b'] },
        { name: 'e', parents: ['b'] },
      ],
      disabled: ['d'],
    });
  });
  it('a job in the middle: its own parents are not waited for', () => {
    expect(backfillJobs(graph, 'b', true, disabled).jobs).toEqual([
      { name: 'b', parents: [] },
      { name: 'c', parents: ['b'] },
      { name: 'e', parents: ['b'] },
    ]);
  });
});

describe('backfillItems: instants × jobs, already run skipped unless forced', () => {
  const jobs = [
    { name: 'a', parents: [] },
    { name: 'b', parents: ['a'] },
  ];
  const d1 = t('2026-12-01T02:00:00Z');
  const d2 = t('2026-12-02T02:00:00Z');
  const ran = (job: string, due: Instant) => (job === 'a' && due === d1 ? 2 : null);
  it('skips what ran', () => {
    expect(backfillItems(jobs, [d1, d2], false, ran).map((i) => [i.seq, i.job, iso(i.due), i.attempt, i.state, i.note])).toEqual([
      [0, 'a', '2026-12-01T02:00:00.000Z', 3, 'skipped', 'already run'],
      [1, 'b', '2026-12-01T02:00:00.000Z', 0, 'pending', null],
      [2, 'a', '2026-12-02T02:00:00.000Z', 0, 'pending', null],
      [3, 'b', '2026-12-02T02:00:00.000Z', 0, 'pending', null],
    ]);
  });
  it('forced: what ran runs again as the next attempt', () => {
    const [first] = backfillItems(jobs, [d1], true, ran);
    expect([first.state, first.attempt]).toEqual(['pending', 3]);
  });
});
