import { describe, expect, it } from 'vitest';
import { Duration } from 'luxon';
import { formatSchedule, joinSchedule, parsePeriod, parseSchedule, splitSchedule, type Period, type ScheduleError } from './iso8601';
import { formatInZone } from './zones';

/** Named instants. */
const NOW = Date.parse('2026-05-14T10:23:45.678Z');
const MARCH_1_2008_1300Z = Date.parse('2008-03-01T13:00:00Z');

const P = (p: Partial<Period>): Period => ({
  years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0, milliseconds: 0, ...p,
});
const P1D = P({ days: 1 });
const ZERO = P({});

describe('parseSchedule: Chronos vectors (chronos.md §3, 1-9)', () => {
  const cases: {
    name: string;
    expr: string;
    zone?: string;
    recurrences: number;
    start: string; // the start as Chronos rewrites it
    period: Period;
  }[] = [
    { name: '2: R5 with UTC start', expr: 'R5/2008-03-01T13:00:00Z/P1D', recurrences: 5, start: '2008-03-01T13:00:00.000Z', period: P1D },
    { name: '3: R is infinite', expr: 'R/2008-03-01T13:00:00Z/P1D', recurrences: -1, start: '2008-03-01T13:00:00.000Z', period: P1D },
    { name: '4: empty start is now - 1 s', expr: 'R1//P1D', recurrences: 1, start: '2026-05-14T10:23:44.678Z', period: P1D },
    { name: '5: P alone is a zero period', expr: 'R1//P', recurrences: 1, start: '2026-05-14T10:23:44.678Z', period: ZERO },
    { name: '6a: BST is Bangladesh, wall time kept', expr: 'R/2008-03-01T13:00:00Z/P1D', zone: 'BST', recurrences: -1, start: '2008-03-01T13:00:00.000+06:00', period: P1D },
    { name: '6b: PST', expr: 'R/2008-03-01T13:00:00Z/P1D', zone: 'PST', recurrences: -1, start: '2008-03-01T13:00:00.000-08:00', period: P1D },
    { name: '6c: Europe/Paris', expr: 'R/2008-03-01T13:00:00Z/P1D', zone: 'Europe/Paris', recurrences: -1, start: '2008-03-01T13:00:00.000+01:00', period: P1D },
    { name: '7: the zone wins over a written offset', expr: 'R/2008-03-01T13:00:00-04:00/P1D', zone: 'PST', recurrences: -1, start: '2008-03-01T13:00:00.000-08:00', period: P1D },
    { name: '9: date-only start in PST', expr: 'R/2008-03-01/P1D', zone: 'PST', recurrences: -1, start: '2008-03-01T00:00:00.000-08:00', period: P1D },
  ];
  it.each(cases)('$name: $expr', ({ expr, zone, recurrences, start, period }) => {
    const r = parseSchedule(expr, zone, NOW);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.recurrences).toBe(recurrences);
    expect(formatInZone(r.value.start, r.value.zone)).toBe(start);
    expect(r.value.period).toEqual(period);
  });

  const unparseable = [
    { name: '1: FOO', expr: 'FOO', zone: '' },
    { name: '8: no period', expr: 'R/2008-03-01T13:00:00Z', zone: 'PST' },
  ];
  it.each(unparseable)('$name gives Chronos\'s reason', ({ expr, zone }) => {
    const r = parseSchedule(expr, zone, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('UNPARSEABLE');
      expect(r.error.message).toBe(`Cannot parse schedule '${expr}' (wtf bro)`);
    }
  });
});

describe('parseSchedule: start forms', () => {
  const cases = [
    { name: 'no offset means UTC (the JVM zone)', expr: 'R/2008-03-01T13:00:00/P1D', zone: '', at: '2008-03-01T13:00:00.000Z', printed: '2008-03-01T13:00:00.000Z' },
    { name: 'written offset is kept as a fixed zone', expr: 'R/2008-03-01T13:00:00+06:00/P1D', zone: '', at: '2008-03-01T07:00:00.000Z', printed: '2008-03-01T13:00:00.000+06:00' },
    { name: 'offset without colon', expr: 'R/2008-03-01T13:00:00-0330/P1D', zone: '', at: '2008-03-01T16:30:00.000Z', printed: '2008-03-01T13:00:00.000-03:30' },
    { name: 'time alone is 1970-01-01 (#807)', expr: 'R/T05:50Z/P1D', zone: '', at: '1970-01-01T05:50:00.000Z', printed: '1970-01-01T05:50:00.000Z' },
    { name: 'date alone, no zone', expr: 'R/2008-03-01/P1D', zone: '', at: '2008-03-01T00:00:00.000Z', printed: '2008-03-01T00:00:00.000Z' },
    { name: 'year-month only', expr: 'R/2008-03/P1D', zone: '', at: '2008-03-01T00:00:00.000Z', printed: '2008-03-01T00:00:00.000Z' },
    { name: 'ordinal date', expr: 'R/2008-061T13:00Z/P1D', zone: '', at: '2008-03-01T13:00:00.000Z', printed: '2008-03-01T13:00:00.000Z' },
    { name: 'week date', expr: 'R/2008-W09-6T13Z/P1D', zone: '', at: '2008-03-01T13:00:00.000Z', printed: '2008-03-01T13:00:00.000Z' },
    { name: 'milliseconds', expr: 'R/2014-03-08T16:57:17.507Z/PT1H', zone: '', at: '2014-03-08T16:57:17.507Z', printed: '2014-03-08T16:57:17.507Z' },
    { name: 'fraction of an hour', expr: 'R/2008-03-01T13.5Z/P1D', zone: '', at: '2008-03-01T13:30:00.000Z', printed: '2008-03-01T13:30:00.000Z' },
    { name: 'date, T and offset only', expr: 'R/2008-03-01TZ/P1D', zone: '', at: '2008-03-01T00:00:00.000Z', printed: '2008-03-01T00:00:00.000Z' },
    { name: 'EST is a fixed -05:00 even in summer', expr: 'R/2008-07-01T13:00:00Z/P1D', zone: 'EST', at: '2008-07-01T18:00:00.000Z', printed: '2008-07-01T13:00:00.000-05:00' },
    { name: 'PST in summer is -07:00', expr: 'R/2008-07-01T13:00:00Z/P1D', zone: 'PST', at: '2008-07-01T20:00:00.000Z', printed: '2008-07-01T13:00:00.000-07:00' },
    { name: 'DST gap: 02:30 runs at 03:30 EDT, printed with its wall time', expr: 'R/2026-03-08T02:30:00/P1D', zone: 'America/New_York', at: '2026-03-08T07:30:00.000Z', printed: '2026-03-08T02:30:00.000-04:00' },
    { name: 'DST repeat: 01:30 is the first occurrence', expr: 'R/2026-11-01T01:30:00/P1D', zone: 'America/New_York', at: '2026-11-01T05:30:00.000Z', printed: '2026-11-01T01:30:00.000-04:00' },
    { name: 'DST repeat: a written -05:00 picks the second', expr: 'R/2026-11-01T01:30:00-05:00/PT1H', zone: 'America/New_York', at: '2026-11-01T06:30:00.000Z', printed: '2026-11-01T01:30:00.000-05:00' },
  ];
  it.each(cases)('$name: $expr', ({ expr, zone, at, printed }) => {
    const r = parseSchedule(expr, zone, NOW);
    if (!r.ok) throw new Error(r.error.message);
    expect(new Date(r.value.start).toISOString()).toBe(at);
    expect(formatSchedule(r.value).split('/')[1]).toBe(printed);
  });

  it('empty start with a zone is still due at once (now - 1 s)', () => {
    const r = parseSchedule('R1//PT24H', 'PST', NOW);
    expect(r.ok && r.value.start).toBe(NOW - 1000);
    expect(r.ok && r.value.zone).toBe('America/Los_Angeles');
  });
});

describe('parseSchedule: periods', () => {
  const cases: { name: string; period: string; value: Period; ms?: number }[] = [
    { name: 'P alone is zero', period: 'P', value: ZERO, ms: 0 },
    { name: 'PT0S is zero', period: 'PT0S', value: ZERO, ms: 0 },
    { name: 'P1W', period: 'P1W', value: P({ weeks: 1 }), ms: 7 * 86_400_000 },
    { name: 'full form', period: 'P1Y2M3DT4H5M6S', value: P({ years: 1, months: 2, days: 3, hours: 4, minutes: 5, seconds: 6 }) },
    { name: 'P10M is months', period: 'P10M', value: P({ months: 10 }) },
    { name: 'PT10M is minutes', period: 'PT10M', value: P({ minutes: 10 }), ms: 600_000 },
    { name: 'PT24H', period: 'PT24H', value: P({ hours: 24 }), ms: 86_400_000 },
    { name: 'fractional seconds', period: 'PT1.5S', value: P({ seconds: 1, milliseconds: 500 }), ms: 1500 },
    { name: 'lower-case designators (Joda is case-insensitive)', period: 'P1d', value: P1D },
  ];
  it.each(cases)('$name: $period', ({ period, value, ms }) => {
    const r = parsePeriod(period);
    expect(r).toEqual({ ok: true, value });
    if (ms !== undefined && r.ok) expect(Duration.fromObject(r.value).as('milliseconds')).toBe(ms);
  });

  const bad = ['P1X', 'PT', 'P1DT', 'P-1D', 'P1.5D', 'PT1.5H', 'P1D1Y', 'P 1D'];
  it.each(bad)('%s is not a period', (period) => {
    const r = parseSchedule(`R/2008-03-01T13:00:00Z/${period}`, '', NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('UNPARSEABLE');
      expect(r.error.detail).toMatch(/period/);
    }
  });
});

describe('parseSchedule: errors are reasons', () => {
  const cases: { name: string; expr: string; zone?: string; error: Partial<ScheduleError> }[] = [
    { name: 'empty string', expr: '', error: { code: 'UNPARSEABLE', message: "Cannot parse schedule '' (wtf bro)" } },
    { name: 'lower-case r', expr: 'r/2008-03-01T13:00:00Z/P1D', error: { code: 'UNPARSEABLE' } },
    { name: 'bad start', expr: 'R/yesterday/P1D', error: { code: 'UNPARSEABLE', detail: "start date 'yesterday' is not a date: the start must look like 2026-01-31T02:00:00Z" } },
    { name: 'no such day', expr: 'R/2008-02-30T00:00:00Z/P1D', error: { code: 'UNPARSEABLE', detail: "start date '2008-02-30' does not exist" } },
    { name: 'hour 24', expr: 'R/2008-03-01T24:00:00Z/P1D', error: { code: 'UNPARSEABLE' } },
    { name: 'bad repeat', expr: 'Rx/2008-03-01T13:00:00Z/P1D', error: { code: 'UNPARSEABLE' } },
    { name: 'unknown zone', expr: 'R/2008-03-01T13:00:00Z/P1D', zone: 'Mars/Olympus', error: { code: 'UNKNOWN_ZONE', message: "Unknown scheduleTimeZone 'Mars/Olympus'" } },
    { name: 'start before 1970', expr: 'R/1969-12-31T00:00:00Z/P1D', error: { code: 'BEFORE_1970', message: "Schedule 'R/1969-12-31T00:00:00Z/P1D' starts at 1969-12-31T00:00:00.000Z, which is before 1970!" } },
    { name: 'start at the epoch is before 00:00:01', expr: 'R/T00:00:00Z/P1D', error: { code: 'BEFORE_1970' } },
  ];
  it.each(cases)('$name', ({ expr, zone, error }) => {
    const r = parseSchedule(expr, zone, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject(error);
  });

  it('1970-01-01T00:00:01Z itself is allowed', () => {
    expect(parseSchedule('R/1970-01-01T00:00:01Z/P1D', '', NOW).ok).toBe(true);
  });

  it('legacy mode: unknown zone becomes GMT, pre-1970 start allowed', () => {
    const r = parseSchedule('R/1969-12-31T13:00:00Z/P1D', 'Mars/Olympus', NOW, { legacy: true });
    expect(r.ok && r.value.zone).toBe('UTC');
    expect(r.ok && formatSchedule(r.value)).toBe('R/1969-12-31T13:00:00.000Z/P1D');
  });
});

describe('formatSchedule', () => {
  const cases = [
    { name: 'R5 UTC', expr: 'R5/2008-03-01T13:00:00Z/P1D', zone: '', out: 'R5/2008-03-01T13:00:00.000Z/P1D' },
    { name: 'R prints R', expr: 'R/2008-03-01T13:00:00Z/PT10M', zone: '', out: 'R/2008-03-01T13:00:00.000Z/PT10M' },
    { name: 'R0 prints R0', expr: 'R0/2008-03-01T13:00:00Z/P1D', zone: '', out: 'R0/2008-03-01T13:00:00.000Z/P1D' },
    { name: 'BST prints +06:00', expr: 'R/2008-03-01T13:00:00Z/P1D', zone: 'BST', out: 'R/2008-03-01T13:00:00.000+06:00/P1D' },
    { name: 'period text kept', expr: 'R/2008-03-01T13:00:00Z/P', zone: '', out: 'R/2008-03-01T13:00:00.000Z/P' },
    { name: 'full period kept', expr: 'R3/2008-03-01T13:00:00Z/P1Y2M3DT4H5M6S', zone: '', out: 'R3/2008-03-01T13:00:00.000Z/P1Y2M3DT4H5M6S' },
  ];
  it.each(cases)('$name', ({ expr, zone, out }) => {
    const r = parseSchedule(expr, zone, NOW);
    expect(r.ok && formatSchedule(r.value)).toBe(out);
  });

  it('round-trips: parse(format(s)) with the same zone gives the same start', () => {
    for (const [expr, zone] of [
      ['R/2008-03-01T13:00:00Z/P1D', 'BST'],
      ['R/2026-03-08T02:30:00/P1D', 'America/New_York'],
      ['R/2026-11-01T01:30:00-05:00/PT1H', 'America/New_York'],
      ['R/2008-03-01T13:00:00-04:00/P1D', ''],
    ]) {
      const a = parseSchedule(expr, zone, NOW);
      if (!a.ok) throw new Error(a.error.message);
      const b = parseSchedule(formatSchedule(a.value), zone, NOW);
      if (!b.ok) throw new Error(b.error.message);
      expect(b.value.start).toBe(a.value.start);
      expect(formatSchedule(b.value)).toBe(formatSchedule(a.value));
    }
  });

  it('start is an Instant in ms', () => {
    const r = parseSchedule('R/2008-03-01T13:00:00Z/P1D', '', NOW);
    expect(r.ok && r.value.start).toBe(MARCH_1_2008_1300Z);
  });
});

describe('splitSchedule: the parts of R[n]/<start>/<period> as written (the editor edits them apart)', () => {
  const cases: { name: string; expr: string; repeat: string; start: string; period: string }[] = [
    { name: 'forever, UTC start, days', expr: 'R/2008-03-01T13:00:00Z/P1D', repeat: '', start: '2008-03-01T13:00:00Z', period: 'P1D' },
    { name: 'five runs', expr: 'R5/2008-03-01T13:00:00Z/P1D', repeat: '5', start: '2008-03-01T13:00:00Z', period: 'P1D' },
    { name: 'empty start (now)', expr: 'R1//PT15M', repeat: '1', start: '', period: 'PT15M' },
    { name: 'local start for a zone', expr: 'R/2026-03-08T02:30:00/P1D', repeat: '', start: '2026-03-08T02:30:00', period: 'P1D' },
    { name: 'an offset in the start', expr: 'R0/2008-03-01T13:00:00.000-04:00/PT1H', repeat: '0', start: '2008-03-01T13:00:00.000-04:00', period: 'PT1H' },
    { name: 'P alone', expr: 'R//P', repeat: '', start: '', period: 'P' },
    { name: 'a period being typed (parts are not checked)', expr: 'R/2026-01-01T00:00:00Z/PT9', repeat: '', start: '2026-01-01T00:00:00Z', period: 'PT9' },
  ];
  it.each(cases)('$name: $expr', ({ expr, repeat, start, period }) => {
    const r = splitSchedule(expr);
    expect(r).toEqual({ ok: true, value: { repeat, start, period } });
    if (r.ok) expect(joinSchedule(r.value)).toBe(expr);
  });

  const notIso = [
    ['a cron line', '0 2 * * *'],
    ['no repetition', '/2008-03-01T13:00:00Z/P1D'],
    ['a negative repetition', 'R-1/2008-03-01T13:00:00Z/P1D'],
    ['no period', 'R/2008-03-01T13:00:00Z'],
    ['a period without P', 'R/2008-03-01T13:00:00Z/1D'],
    ['empty', ''],
  ];
  it.each(notIso)("%s is not one, with parseSchedule's reason", (_, expr) => {
    const r = splitSchedule(expr);
    expect(r).toEqual({ ok: false, error: { code: 'UNPARSEABLE', message: `Cannot parse schedule '${expr}' (wtf bro)`, detail: 'a schedule must look like R/2026-01-31T02:00:00Z/P1D (R[repetitions]/start/period)' } });
    const parsed = parseSchedule(expr, '', NOW);
    expect(parsed.ok ? null : parsed.error).toEqual(r.ok ? 'split' : r.error);
  });
});

describe('shared periods', () => {
  it('schedules with the same period text share one frozen period (memory at 100,000 jobs), and still advance alike', () => {
    const a = parseSchedule('R/2030-01-01T00:00:00Z/P1D', '', NOW);
    const b = parseSchedule('R5/2031-06-01T12:00:00Z/P1D', 'Europe/Paris', NOW);
    if (!a.ok || !b.ok) throw new Error('unparsed');
    expect(a.value.period).toBe(b.value.period);
    expect(Object.isFrozen(a.value.period)).toBe(true);
    const p1d = parsePeriod('P1D');
    expect(p1d.ok && a.value.period).toEqual(p1d.ok && p1d.value);
    expect(formatSchedule(b.value)).toBe('R5/2031-06-01T12:00:00.000+02:00/P1D');
    const c = parseSchedule('R/2030-01-01T00:00:00Z/PT1H', '', NOW);
    expect(c.ok && c.value.period.hours).toBe(1);
  });
});
