import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCron } from './cron';
import { hasEmptyStart, splitSchedule } from './iso8601';
import { cronNextRun, nextRunOf } from './next-run';
import { nextRuns } from './preview';
import { grammarOf } from './spec';

/** Named instants. */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const START_2030 = Date.parse('2030-01-01T00:00:00.000Z');
/** 02:30 New York on 2026-03-08 does not exist (clocks jump 02:00 → 03:00): the run is at 03:30 EDT. */
const NY_GAP_RUN = Date.parse('2026-03-08T07:30:00.000Z');
/** 01:30 New York on 2026-11-01 happens twice: the first (EDT) is the run. */
const NY_REPEAT_FIRST = Date.parse('2026-11-01T05:30:00.000Z');
const NEXT_0300_UTC = Date.parse('2026-03-02T03:00:00.000Z');
const NEXT_0300_NY = Date.parse('2026-03-02T08:00:00.000Z');
const INF = Number.POSITIVE_INFINITY;
const NY = 'America/New_York';

describe('nextRunOf', () => {
  const cases: { name: string; schedule: string; zone: string; at: number | null; validUntil: number }[] = [
    { name: 'ISO start in UTC: the start, kept until the schedule changes', schedule: 'R/2030-01-01T00:00:00Z/PT1H', zone: '', at: START_2030, validUntil: INF },
    { name: 'ISO start with a written offset', schedule: 'R/2030-01-01T01:00:00+01:00/P1D', zone: '', at: START_2030, validUntil: INF },
    { name: 'ISO start in a zone: its wall time there', schedule: 'R/2029-12-31T19:00:00/P1D', zone: NY, at: START_2030, validUntil: INF },
    { name: 'a zone replaces the written offset (Joda withZoneRetainFields)', schedule: 'R/2029-12-31T19:00:00Z/P1D', zone: NY, at: START_2030, validUntil: INF },
    { name: 'ISO start in a DST gap: moved forward by the gap', schedule: 'R/2026-03-08T02:30:00/P1D', zone: NY, at: NY_GAP_RUN, validUntil: INF },
    { name: 'ISO start in a repeated hour: the first one', schedule: 'R/2026-11-01T01:30:00/P1D', zone: NY, at: NY_REPEAT_FIRST, validUntil: INF },
    { name: 'ISO start already past: that start (the overdue run)', schedule: 'R5/2026-01-01T00:00:00Z/P1D', zone: '', at: Date.parse('2026-01-01T00:00:00Z'), validUntil: INF },
    { name: 'a stored start before 1970 loads (legacy)', schedule: 'R/1969-12-31T00:00:00Z/P1D', zone: '', at: Date.parse('1969-12-31T00:00:00Z'), validUntil: INF },
    { name: 'an unknown stored zone is UTC (legacy)', schedule: 'R/2030-01-01T00:00:00/P1D', zone: 'Mars/Olympus', at: START_2030, validUntil: INF },
    { name: 'empty start: now − 1 s, valid only now', schedule: 'R//PT1H', zone: '', at: NOW - 1000, validUntil: NOW },
    { name: 'empty start in a zone: the same instant', schedule: 'R3//P1D', zone: NY, at: NOW - 1000, validUntil: NOW },
    { name: 'R0: none', schedule: 'R0/2030-01-01T00:00:00Z/P1D', zone: '', at: null, validUntil: INF },
    { name: 'R0 with an empty start: none', schedule: 'R0//P1D', zone: '', at: null, validUntil: NOW },
    { name: 'cron in UTC: next occurrence, valid until it comes', schedule: '0 3 * * *', zone: '', at: NEXT_0300_UTC, validUntil: NEXT_0300_UTC },
    { name: 'cron in a zone', schedule: '0 3 * * *', zone: NY, at: NEXT_0300_NY, validUntil: NEXT_0300_NY },
    { name: 'cron that never fires (Feb 30): none', schedule: '0 0 30 2 *', zone: '', at: null, validUntil: INF },
    { name: 'unparseable: none', schedule: 'every day', zone: '', at: null, validUntil: INF },
    { name: 'bad ISO period: none', schedule: 'R/2030-01-01T00:00:00Z/P1X', zone: '', at: null, validUntil: INF },
    { name: 'bad ISO start: none', schedule: 'R/2030-13-01T00:00:00Z/P1D', zone: '', at: null, validUntil: INF },
  ];
  it.each(cases)('$name', ({ schedule, zone, at, validUntil }) => {
    expect(nextRunOf(schedule, zone, NOW)).toEqual({ at, validUntil });
  });

  it('a compiled cron gives the same answer (cronNextRun)', () => {
    const c = compileCron('0 3 * * *', NY);
    if (!c.ok) throw new Error(c.error);
    expect(cronNextRun(c.value, NOW)).toEqual(nextRunOf('0 3 * * *', NY, NOW));
  });
});

describe('the ISO schedule parts', () => {
  const cases: { name: string; expr: string; parts: { repeat: string; start: string; period: string } | null; empty: boolean }[] = [
    { name: 'count, start, period', expr: 'R5/2030-01-01T00:00:00Z/P1D', parts: { repeat: '5', start: '2030-01-01T00:00:00Z', period: 'P1D' }, empty: false },
    { name: 'infinite, empty start', expr: 'R//PT1H', parts: { repeat: '', start: '', period: 'PT1H' }, empty: true },
    { name: 'R0 with an empty start', expr: 'R0//P', parts: { repeat: '0', start: '', period: 'P' }, empty: true },
    { name: 'no period', expr: 'R/2030-01-01T00:00:00Z', parts: null, empty: false },
    { name: 'cron', expr: '0 3 * * *', parts: null, empty: false },
    { name: 'a count that is not a number', expr: 'Rx//P1D', parts: null, empty: false },
  ];
  it.each(cases)('$name', ({ expr, parts, empty }) => {
    const r = splitSchedule(expr);
    expect(r.ok ? r.value : null).toEqual(parts);
    expect(hasEmptyStart(expr)).toBe(empty);
  });

  it.each([
    { expr: 'R/2030-01-01T00:00:00Z/P1D', kind: 'iso' },
    { expr: 'R//P1D', kind: 'iso' },
    { expr: '*/5 * * * *', kind: 'cron' },
    { expr: 'whenever', kind: null },
  ] as const)('grammarOf($expr) is $kind', ({ expr, kind }) => {
    expect(grammarOf(expr)).toBe(kind);
  });
});

/* ------------------------------------------------------------------ generated schedules */

const ZONES = ['', 'UTC', NY, 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC+05:30'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isoSchedule = fc
  .record({
    count: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 20 }).map(String)),
    empty: fc.boolean(),
    // 1971 … 2100, any minute; day 1–28 exists in every month
    y: fc.integer({ min: 1971, max: 2100 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    offset: fc.constantFrom('', 'Z', '+02:00', '-05:00'),
    period: fc.constantFrom('P1D', 'PT1H', 'PT15M', 'P1M', 'P1W', 'P'),
  })
  .map((r) => `R${r.count}/${r.empty ? '' : `${r.y}-${pad(r.mo)}-${pad(r.d)}T${pad(r.h)}:${pad(r.mi)}:00${r.offset}`}/${r.period}`);
const cronSchedule = fc
  .tuple(fc.integer({ min: 0, max: 59 }), fc.constantFrom('*', '3', '*/6', '1-5'), fc.constantFrom('*', '1', '15'), fc.constantFrom('*', '2', '6'))
  .map(([m, h, dom, mon]) => `${m} ${h} ${dom} ${mon} *`);
const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') });

describe('nextRunOf, for any schedule', () => {
  it('is the first run the preview shows', () => {
    fc.assert(
      fc.property(fc.oneof(isoSchedule, cronSchedule), fc.constantFrom(...ZONES), instant, (expr, zone, now) => {
        const preview = nextRuns(expr, zone, now, 1, { legacy: true });
        if (!preview.ok) throw new Error(preview.error.message);
        expect(nextRunOf(expr, zone, now).at).toBe(preview.value[0]?.at ?? null);
      }),
      { numRuns: 300 },
    );
  });

  it('still holds at any later instant before validUntil', () => {
    fc.assert(
      fc.property(fc.oneof(isoSchedule, cronSchedule), fc.constantFrom(...ZONES), instant, fc.double({ min: 0, max: 1, noNaN: true }), (expr, zone, now, f) => {
        const first = nextRunOf(expr, zone, now);
        const span = Number.isFinite(first.validUntil) ? first.validUntil - now : 400 * 86_400_000;
        const later = now + Math.floor(f * Math.max(0, span - 1));
        if (later >= first.validUntil) return;
        expect(nextRunOf(expr, zone, later).at).toBe(first.at);
      }),
      { numRuns: 300 },
    );
  });
});
