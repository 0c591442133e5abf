/**
 * Generated schedules and zones (shared/reference/chronos.md §3): what Chronos accepts and
 * Sisyphus must keep accepting, what must be refused, and hostile strings.
 *
 * Accepted (`validSchedule`): `R[n]/<start>/<period>` with `R`, `R0`, `Rn` (also with leading
 * zeros), an empty start (`R//PT1H`), past and future starts from 1970-01-03 to 2200 written as
 * full ISO instants (with or without milliseconds, `Z`, an offset or none), a date alone, a time
 * alone (1970-01-01); periods from `P` and `PT0S` up to a century, fractional seconds, weeks;
 * 5-field cron expressions; each with no zone or a zone from `VALID_ZONES`.
 *
 * Refused (`refusedSchedule`, a 400 naming `schedule` or `scheduleTimeZone`): unknown zones,
 * starts before 1970 or past year 9999, periods whose next instant cannot be represented
 * (`P1000000Y`), repeat counts beyond 2^53, and strings that are not schedules at all.
 */
import fc from 'fast-check';

/** Zone ids a valid job may carry: IANA ids, Java's three-letter ids, fixed offsets. */
export const VALID_ZONES = [
  'UTC',
  'GMT',
  'Etc/UTC',
  'Europe/Paris',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'America/Argentina/Buenos_Aires',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Lord_Howe',
  'Australia/Sydney',
  'Pacific/Kiritimati',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'PST',
  'BST',
  'IST',
  'EST',
  'GMT+05:30',
  'UTC-03:00',
] as const;

/** Zone ids nobody knows: a typo of a real one, invented ones, malformed offsets, paths. */
export const BAD_ZONES = [
  'Asia/Shangai',
  'Europe/Pariss',
  'Mars/Olympus_Mons',
  'America/New York',
  'UTC+25',
  'GMT+99:99',
  'Europe/',
  '../../etc/passwd',
  'Etc/GMT+15',
  '+05:30x',
  'Z/Z',
] as const;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Starts 1970-01-03 .. 2200: far enough from 1970 that no zone moves them before it. */
const MIN_START = Date.UTC(1970, 0, 3);
const MAX_START = Date.UTC(2200, 0, 1);

const instant = fc.integer({ min: MIN_START, max: MAX_START });

const offset = fc.oneof(
  fc.constant('Z'),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 30, 45)).map(([s, h, m]) => `${s}${pad(h)}:${pad(m)}`),
);

/** The wall fields of an instant (UTC) as `yyyy-MM-ddTHH:mm:ss`. */
const wall = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/** A start Chronos parses: an ISO date-time in one of its spellings, a date, or a time alone. */
export const validStart: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: instant.map((ms) => new Date(ms).toISOString()) },
  { weight: 3, arbitrary: fc.tuple(instant, offset).map(([ms, o]) => `${wall(ms)}${o}`) },
  { weight: 1, arbitrary: instant.map((ms) => wall(ms)) },
  { weight: 1, arbitrary: instant.map((ms) => new Date(ms).toISOString().slice(0, 10)) },
  { weight: 1, arbitrary: fc.tuple(instant, fc.integer({ min: 0, max: 999 })).map(([ms, f]) => `${wall(ms)}.${pad(f, 3)}Z`) },
);

/** A start of 1970-01-01 (a time alone): valid only without a zone (a zone may move it before 1970). */
const timeOnlyStart = fc
  .tuple(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `T${pad(h)}:${pad(m)}Z`);

/** `P`, `PT0S` and every designator, each at most a century in total. */
export const validPeriod: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('P', 'PT0S', 'PT1S', 'PT1M', 'PT1H', 'P1D', 'P1W', 'P1M', 'P1Y', 'PT24H', 'P1Y2M3DT4H5M6S', 'PT0.5S', 'PT1.250S', 'P0D'),
  fc
    .record(
      {
        y: fc.integer({ min: 0, max: 100 }),
        mo: fc.integer({ min: 0, max: 24 }),
        w: fc.integer({ min: 0, max: 52 }),
        d: fc.integer({ min: 0, max: 400 }),
        h: fc.integer({ min: 0, max: 1000 }),
        mi: fc.integer({ min: 0, max: 100_000 }),
        s: fc.integer({ min: 0, max: 1_000_000 }),
      },
      { requiredKeys: [] },
    )
    .map((p) => {
      const date = `${p.y !== undefined ? `${p.y}Y` : ''}${p.mo !== undefined ? `${p.mo}M` : ''}${p.w !== undefined ? `${p.w}W` : ''}${p.d !== undefined ? `${p.d}D` : ''}`;
      const time = `${p.h !== undefined ? `${p.h}H` : ''}${p.mi !== undefined ? `${p.mi}M` : ''}${p.s !== undefined ? `${p.s}S` : ''}`;
      return `P${date}${time ? `T${time}` : ''}`;
    }),
);

export const validRepeat: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('R', 'R0', 'R1', 'R2', 'R007'),
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => `R${n}`),
);

/** A cron field from a few realistic spellings. */
const cronField = (xs: readonly string[]) => fc.constantFrom(...xs);
export const validCron: fc.Arbitrary<string> = fc
  .tuple(
    cronField(['*', '0', '15', '*/5', '0,30', '10-20', '59']),
    cronField(['*', '0', '2', '*/6', '9-17', '23']),
    cronField(['*', '1', '15', '1-7', '28', '*/2']),
    cronField(['*', '1', '*/3', '6', '1-6', '12']),
    cronField(['*', '1-5', '0', '6', 'MON-FRI', '1,3,5']),
  )
  .map((f) => f.join(' '));

export interface GeneratedSchedule {
  schedule: string;
  /** "" for none. */
  scheduleTimeZone: string;
}

/** A schedule and zone Chronos accepts (cron: Sisyphus's extension, accepted with any valid zone). */
export const validSchedule: fc.Arbitrary<GeneratedSchedule> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ schedule: fc.tuple(validRepeat, validStart, validPeriod).map((p) => p.join('/')), scheduleTimeZone: fc.oneof(fc.constant(''), fc.constantFrom(...VALID_ZONES)) }) },
  { weight: 2, arbitrary: fc.record({ schedule: fc.tuple(validRepeat, validPeriod).map(([r, p]) => `${r}//${p}`), scheduleTimeZone: fc.oneof(fc.constant(''), fc.constantFrom(...VALID_ZONES)) }) },
  { weight: 1, arbitrary: fc.record({ schedule: fc.tuple(validRepeat, timeOnlyStart, validPeriod).map((p) => p.join('/')), scheduleTimeZone: fc.constant('') }) },
  { weight: 2, arbitrary: fc.record({ schedule: validCron, scheduleTimeZone: fc.oneof(fc.constant(''), fc.constantFrom(...VALID_ZONES)) }) },
);

/**
 * A schedule that must be a 400 naming `field`: the reason is for the report.
 */
export interface RefusedSchedule extends GeneratedSchedule {
  field: 'schedule' | 'scheduleTimeZone';
  why: string;
}

const validIso = fc.tuple(validRepeat, validStart, validPeriod).map((p) => p.join('/'));

export const refusedSchedule: fc.Arbitrary<RefusedSchedule> = fc.oneof(
  // a zone nobody knows (Chronos silently used GMT; Sisyphus refuses it)
  fc.record({ schedule: fc.oneof(validIso, validCron), scheduleTimeZone: fc.constantFrom(...BAD_ZONES), field: fc.constant('scheduleTimeZone' as const), why: fc.constant('unknown zone') }),
  // periods whose next instant is past year 9999 (or beyond any date type)
  fc.record({
    schedule: fc
      .tuple(fc.constantFrom('R', 'R5'), fc.constantFrom('2026-01-01T00:00:00Z', '', '2000-06-15T12:00:00+02:00'), fc.constantFrom('P1000000Y', 'P8000Y', 'P99999Y', 'P2147483647Y', 'P2147483647M', 'P2147483647D', 'P2147483647W', 'PT2147483647H', 'P500000Y1M'))
      .map((p) => p.join('/')),
    scheduleTimeZone: fc.constant(''),
    field: fc.constant('schedule' as const),
    why: fc.constant('period overflow'),
  }),
  // starts past year 9999 or before 1970, a repeat count beyond 2^53
  fc.record({
    schedule: fc.constantFrom(
      'R/10000-01-01T00:00:00Z/P1D',
      'R/+10000-01-01T00:00:00Z/P1D',
      'R/99999-12-31T23:59:59Z/PT1H',
      'R/1969-12-31T23:59:59Z/P1D',
      'R/0001-01-01T00:00:00Z/P1D',
      'R1/1970-01-01T00:00:00Z/PT1S',
      'R99999999999999999999/2026-01-01T00:00:00Z/P1D',
      'R9007199254740993/2026-01-01T00:00:00Z/PT1H',
      `R${'9'.repeat(400)}//PT1M`,
      'R/9999-12-31T23:59:59Z/P2000Y',
    ),
    scheduleTimeZone: fc.constant(''),
    field: fc.constant('schedule' as const),
    why: fc.constant('unrepresentable instant or count'),
  }),
  // not a schedule
  fc.record({
    schedule: fc.oneof(
      fc.constantFrom(
        '',
        'FOO',
        'R/2026-01-01T00:00:00Z',
        'R/2026-13-01T00:00:00Z/P1D',
        'R/2026-02-30T00:00:00Z/P1D',
        'R/2026-01-01T25:00:00Z/P1D',
        'R-1/2026-01-01T00:00:00Z/P1D',
        'R/2026-01-01T00:00:00Z/P-1D',
        'R/2026-01-01T00:00:00Z/PT',
        'R/2026-01-01T00:00:00Z/P1.5D',
        'X/2026-01-01T00:00:00Z/P1D',
        '60 * * * *',
        '* * * * * * *',
        '*/0 * * * *',
        '? * * * *',
        '0 0 31 2 * extra',
        'R//',
        '//',
        'R/\u0000/PT1H',
        'R/2026-01-01T00:00:00Z/PT1H\u0000',
        'R/2026-01-01T00:00:00Z/PT1H\ud800',
        '\ud800',
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !/^R[0-9]*\/.*\/P/.test(s) && s.trim().split(/\s+/).length !== 5),
    ),
    scheduleTimeZone: fc.constant(''),
    field: fc.constant('schedule' as const),
    why: fc.constant('not a schedule'),
  }),
);
