import { describe, expect, it } from 'vitest';
import { nextRuns, type PreviewRun } from './preview';

/** Named instants. */
const NOW = Date.parse('2026-05-14T10:23:45.678Z');
const BEFORE_SPRING_FORWARD = Date.parse('2026-03-06T12:00:00Z');
const BEFORE_FALL_BACK = Date.parse('2026-10-30T12:00:00Z');

const NY = 'America/New_York';
const brief = (runs: PreviewRun[]) => runs.map((r) => [r.local, ...r.flags].join(' '));

function preview(schedule: string, zone: string, now: number, n: number): PreviewRun[] {
  const r = nextRuns(schedule, zone, now, n);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('nextRuns', () => {
  const cases: { name: string; schedule: string; zone: string; now: number; n: number; runs: string[] }[] = [
    {
      name: 'R3 gives at most 3',
      schedule: 'R3/2026-05-15T00:00:00Z/P1D', zone: '', now: NOW, n: 10,
      runs: ['2026-05-15T00:00:00.000Z', '2026-05-16T00:00:00.000Z', '2026-05-17T00:00:00.000Z'],
    },
    { name: 'R0 gives none', schedule: 'R0/2026-05-15T00:00:00Z/P1D', zone: '', now: NOW, n: 10, runs: [] },
    { name: 'n = 0 gives none', schedule: 'R/2026-05-15T00:00:00Z/P1D', zone: '', now: NOW, n: 0, runs: [] },
    {
      name: 'a past start is one overdue run, then runs after now',
      schedule: 'R/2026-01-01T00:00:00Z/P1D', zone: '', now: NOW, n: 3,
      runs: ['2026-01-01T00:00:00.000Z overdue', '2026-05-15T00:00:00.000Z', '2026-05-16T00:00:00.000Z'],
    },
    {
      name: 'an overdue run uses up one count',
      schedule: 'R2/2026-01-01T00:00:00Z/P1D', zone: '', now: NOW, n: 10,
      runs: ['2026-01-01T00:00:00.000Z overdue', '2026-05-15T00:00:00.000Z'],
    },
    {
      name: 'empty start with a zero period runs once, now',
      schedule: 'R//P', zone: '', now: NOW, n: 5,
      runs: ['2026-05-14T10:23:44.678Z overdue'],
    },
    {
      name: 'daily 02:30 New York: the spring-forward run is flagged dst-gap (03:30 EDT)',
      schedule: 'R/2026-03-07T02:30:00/P1D', zone: NY, now: BEFORE_SPRING_FORWARD, n: 3,
      runs: ['2026-03-07T02:30:00.000-05:00', '2026-03-08T03:30:00.000-04:00 dst-gap', '2026-03-09T02:30:00.000-04:00'],
    },
    {
      name: 'daily 01:30 New York: the fall-back run is once, flagged dst-repeat',
      schedule: 'R/2026-10-31T01:30:00/P1D', zone: NY, now: BEFORE_FALL_BACK, n: 3,
      runs: ['2026-10-31T01:30:00.000-04:00', '2026-11-01T01:30:00.000-04:00 dst-repeat', '2026-11-02T01:30:00.000-05:00'],
    },
    {
      name: 'hourly across fall back: both 01:00s run, both flagged',
      schedule: 'R/2026-11-01T00:00:00/PT1H', zone: NY, now: BEFORE_FALL_BACK, n: 4,
      runs: [
        '2026-11-01T00:00:00.000-04:00',
        '2026-11-01T01:00:00.000-04:00 dst-repeat',
        '2026-11-01T01:00:00.000-05:00 dst-repeat',
        '2026-11-01T02:00:00.000-05:00',
      ],
    },
    {
      name: 'PT24H across spring forward moves the wall time, no flag',
      schedule: 'R/2026-03-07T12:00:00/PT24H', zone: NY, now: BEFORE_SPRING_FORWARD, n: 2,
      runs: ['2026-03-07T12:00:00.000-05:00', '2026-03-08T13:00:00.000-04:00'],
    },
    {
      name: 'Asia/Shanghai: same wall time, no flags',
      schedule: 'R/2026-03-07T02:30:00/P1D', zone: 'Asia/Shanghai', now: BEFORE_SPRING_FORWARD, n: 3,
      runs: ['2026-03-07T02:30:00.000+08:00', '2026-03-08T02:30:00.000+08:00', '2026-03-09T02:30:00.000+08:00'],
    },
    {
      name: 'cron daily 02:30 New York: the gap run is flagged (croner: 03:00)',
      schedule: '30 2 * * *', zone: NY, now: BEFORE_SPRING_FORWARD, n: 3,
      runs: ['2026-03-07T02:30:00.000-05:00', '2026-03-08T03:00:00.000-04:00 dst-gap', '2026-03-09T02:30:00.000-04:00'],
    },
    {
      name: 'cron daily 01:30 New York on fall back: once, flagged',
      schedule: '30 1 * * *', zone: NY, now: BEFORE_FALL_BACK, n: 3,
      runs: ['2026-10-31T01:30:00.000-04:00', '2026-11-01T01:30:00.000-04:00 dst-repeat', '2026-11-02T01:30:00.000-05:00'],
    },
    {
      name: 'cron every 15 minutes',
      schedule: '*/15 * * * *', zone: '', now: NOW, n: 2,
      runs: ['2026-05-14T10:30:00.000Z', '2026-05-14T10:45:00.000Z'],
    },
  ];
  it.each(cases)('$name', ({ schedule, zone, now, n, runs }) => {
    expect(brief(preview(schedule, zone, now, n))).toEqual(runs);
  });

  it('each run has its instant, ISO UTC and local ISO', () => {
    const [run] = preview('R/2026-03-08T02:30:00/P1D', NY, BEFORE_SPRING_FORWARD, 1);
    expect(run).toEqual({
      at: Date.parse('2026-03-08T07:30:00Z'),
      isoUtc: '2026-03-08T07:30:00.000Z',
      local: '2026-03-08T03:30:00.000-04:00',
      flags: ['dst-gap'],
    });
  });

  const errors = [
    { name: 'unparseable', schedule: 'FOO', zone: '', n: 3, code: 'UNPARSEABLE', message: "Cannot parse schedule 'FOO' (wtf bro)" },
    { name: 'unknown zone', schedule: 'R/2026-05-15T00:00:00Z/P1D', zone: 'Nowhere/Land', n: 3, code: 'UNKNOWN_ZONE', message: "Unknown scheduleTimeZone 'Nowhere/Land'" },
    { name: 'bad cron', schedule: '0 25 * * *', zone: '', n: 3, code: 'INVALID_CRON' },
    { name: 'negative n', schedule: 'R/2026-05-15T00:00:00Z/P1D', zone: '', n: -1, code: 'INVALID_ARGUMENT' },
    { name: 'too many', schedule: 'R/2026-05-15T00:00:00Z/P1D', zone: '', n: 100_000, code: 'INVALID_ARGUMENT' },
  ];
  it.each(errors)('error: $name', ({ schedule, zone, n, code, message }) => {
    const r = nextRuns(schedule, zone, NOW, n);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      if (message) expect(r.error.message).toBe(message);
    }
  });
});
