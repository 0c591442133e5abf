/**
 * The Chronos ISO8601 schedule grammar: `R[n]/<start>/<period>` (shared/reference/chronos.md §3).
 *
 * Parsing rules, as Chronos 3 applies them:
 *   - the whole string must match `(R[0-9]*)/(.*)/(P.*)`;
 *   - `R` is infinite (-1), `Rn` is n runs left;
 *   - an empty start is now − 1 s (due at once);
 *   - the start is an ISO date-time as Joda's `DateTime.parse` reads it: a date alone
 *     (`2008-03-01`, also ordinal `2008-061` and week `2008-W09-6`), a date and time with or
 *     without an offset, or a time alone (`T05:50Z`, taken as 1970-01-01);
 *   - no offset means the JVM zone, which for Sisyphus is UTC;
 *   - the period is Joda's ISO standard period `PnYnMnWnDTnHnMnS` (fraction on seconds only);
 *     `P` alone is a zero period; `P10M` is months, `PT10M` minutes;
 *   - with a `scheduleTimeZone`, the start keeps its wall-clock fields and takes the named zone
 *     (Joda's withZoneRetainFields); any offset in the string is dropped.
 *
 * Errors are reasons (`ScheduleError`), never null. An unparseable string gives exactly Chronos's
 * message `Cannot parse schedule 'X' (wtf bro)`, with a `detail` saying what was wrong.
 *
 * Pure: `now` is a parameter.
 */
import { DateTime } from 'luxon';
import { err, ok, type Instant, type Result } from './types';
import {
  UTC_ZONE,
  daysInMonth,
  fixedZone,
  fixedOffsetMinutes,
  formatFields,
  formatInZone,
  formatOffset,
  offsetAt,
  resolveWall,
  resolveZone,
  sameFields,
  validateZone,
  wallOf,
  type LocalFields,
} from './zones';

/** Closed set of schedule error codes. */
export type ScheduleErrorCode = 'UNPARSEABLE' | 'BEFORE_1970' | 'OUT_OF_RANGE' | 'UNKNOWN_ZONE' | 'INVALID_CRON' | 'INVALID_ARGUMENT';

export interface ScheduleError {
  code: ScheduleErrorCode;
  /** The message for the API body, e.g. `Cannot parse schedule 'FOO' (wtf bro)`. */
  message: string;
  /** What exactly was wrong, for logs and the UI; absent when the message says it all. */
  detail?: string;
}

/** A luxon-compatible duration object (`Duration.fromObject(period)` works). */
export interface Period {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
}

export interface Schedule {
  /** Runs left; -1 is infinite (`R`). 0 never runs. */
  recurrences: number;
  /** The due instant of the next run. */
  start: Instant;
  /** IANA id or fixed offset (`UTC`, `UTC+06:00`), as luxon understands. */
  zone: string;
  period: Period;
  /** The period text as written (printed back verbatim). */
  periodIso: string;
  /**
   * The wall-clock time (`yyyy-MM-ddTHH:mm:ss.SSS`, in `zone`) the start was meant to have. It
   * differs from the start's own wall clock only when that time fell in a DST gap (02:30 on a
   * spring-forward day, run at 03:30): calendar periods then keep counting from 02:30. Absent
   * means "the start's wall clock".
   */
  wall?: string;
}

export interface ParseOptions {
  /**
   * Loading a stored (legacy) job: an unknown zone becomes GMT as Java does, and a start before
   * 1970 is allowed. Default false: both are errors (the API's rules on create and update).
   */
  legacy?: boolean;
}

const EXPRESSION = /^(R[0-9]*)\/(.*)\/(P.*)$/s;

/** True for `R[n]//<period>`: the start is left empty, so it means "now" whenever it is read. */
export function hasEmptyStart(expr: string): boolean {
  const parts = splitSchedule(expr);
  return parts.ok && parts.value.start === '';
}

/** 1970-01-01T00:00:01Z: Chronos rejects a start before it on create. */
export const EARLIEST_START: Instant = 1000;

/**
 * 9999-12-31T23:59:59.999Z: the latest instant Sisyphus schedules. Later ones have no ISO 8601
 * form of four-digit years (luxon writes `+010000-…`, which no parser reads back), and periods that
 * reach far past it overflow the date arithmetic.
 */
export const LATEST_INSTANT: Instant = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A schedule as an error message quotes it: at most 200 characters (a 300 KB one is not echoed back). */
export const quoted = (expr: string): string => (expr.length > 200 ? `${expr.slice(0, 200)}…` : expr);

export const unparseable = (expr: string, detail?: string): ScheduleError => ({
  code: 'UNPARSEABLE',
  message: `Cannot parse schedule '${quoted(expr)}' (wtf bro)`,
  ...(detail === undefined ? {} : { detail }),
});

/** The three parts of `R[n]/<start>/<period>` as written: `repeat` is the digits after `R` ('' forever). */
export interface ScheduleParts {
  repeat: string;
  start: string;
  period: string;
}

/** What an ISO 8601 schedule looks like, for error messages. */
export const SHAPE_HINT = 'a schedule must look like R/2026-01-31T02:00:00Z/P1D (R[repetitions]/start/period)';

/** The parts of a schedule string, read by the grammar's outer shape only (the parts are not checked). */
export function splitSchedule(expr: string): Result<ScheduleParts, ScheduleError> {
  const m = EXPRESSION.exec(expr);
  if (!m) return err(unparseable(expr, SHAPE_HINT));
  return ok({ repeat: m[1].slice(1), start: m[2], period: m[3] });
}

/** The schedule string of its parts (the inverse of `splitSchedule`). */
export const joinSchedule = (p: ScheduleParts): string => `R${p.repeat}/${p.start}/${p.period}`;

export const ZERO_PERIOD: Period = Object.freeze({
  years: 0,
  months: 0,
  weeks: 0,
  days: 0,
  hours: 0,
  minutes: 0,
  seconds: 0,
  milliseconds: 0,
});

export const isZeroPeriod = (p: Period): boolean =>
  p.years === 0 &&
  p.months === 0 &&
  p.weeks === 0 &&
  p.days === 0 &&
  p.hours === 0 &&
  p.minutes === 0 &&
  p.seconds === 0 &&
  p.milliseconds === 0;

/* ---------------- period ---------------- */

const INT_MAX = 2_147_483_647;
const PERIOD =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i;

/** Joda's ISO standard period. Designators are case-insensitive (as Joda). */
export function parsePeriod(text: string): Result<Period> {
  if (/^P.*-/i.test(text)) return err(`period '${text}' is negative: a period must look like PT1H or P1D`);
  const m = PERIOD.exec(text);
  if (!m) return err(`period '${text}' is not a duration: a period must look like PT1H or P1D (PnYnMnWnDTnHnMnS)`);
  const hasTime = /T/i.test(text);
  if (hasTime && m[5] === undefined && m[6] === undefined && m[7] === undefined) {
    return err(`period '${text}' has a 'T' but no hours, minutes or seconds: a period must look like PT1H or P1D`);
  }
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  const values = [m[1], m[2], m[3], m[4], m[5], m[6], m[7]].map(n);
  if (values.some((v) => v > INT_MAX)) return err(`period '${text}' has a value that is too large`);
  const [years, months, weeks, days, hours, minutes, seconds] = values;
  const milliseconds = m[8] === undefined ? 0 : Math.floor(Number(`0.${m[8]}`) * 1000 + 1e-9);
  return ok({ years, months, weeks, days, hours, minutes, seconds, milliseconds });
}

/**
 * Parsed periods by text, shared by every schedule with the same period (100,000 jobs with
 * `P1D` held 100,000 equal period objects and texts, ~10 MiB). The objects are frozen; at most
 * SHARED_PERIODS texts are kept (the first ones seen; later ones are parsed each time).
 */
const SHARED_PERIODS = 4096;
const periods = new Map<string, { text: string; period: Result<Period> }>();

function sharedPeriod(text: string): { text: string; period: Result<Period> } {
  const had = periods.get(text);
  if (had) return had;
  const parsed = parsePeriod(text);
  const made = { text, period: parsed.ok ? ok(Object.freeze(parsed.value)) : parsed };
  if (periods.size < SHARED_PERIODS) periods.set(text, made);
  return made;
}

/* ---------------- start ---------------- */

interface ParsedStart {
  fields: LocalFields;
  /** Offset written in the string, minutes; null when none. */
  offset: number | null;
}

const TIME =
  /^(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?|[.,](\d{1,9}))?|[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const STD_DATE = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/;
const ORD_DATE = /^(\d{4})-(\d{1,3})$/;
const WEEK_DATE = /^(\d{4})-W(\d{1,2})(?:-(\d))?$/;

function parseDate(s: string): Result<{ year: number; month: number; day: number }> {
  let d: DateTime | null = null;
  let m: RegExpExecArray | null;
  if ((m = STD_DATE.exec(s))) {
    const date = { year: Number(m[1]), month: m[2] === undefined ? 1 : Number(m[2]), day: m[3] === undefined ? 1 : Number(m[3]) };
    // A date that exists is itself (luxon would give back the same fields): no DateTime needed.
    if (date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= daysInMonth(date.year, date.month)) return ok(date);
    d = DateTime.fromObject(
      { year: Number(m[1]), month: m[2] === undefined ? 1 : Number(m[2]), day: m[3] === undefined ? 1 : Number(m[3]) },
      { zone: 'utc' },
    );
  } else if ((m = ORD_DATE.exec(s))) {
    d = DateTime.fromObject({ year: Number(m[1]), ordinal: Number(m[2]) }, { zone: 'utc' });
  } else if ((m = WEEK_DATE.exec(s))) {
    d = DateTime.fromObject(
      { weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday: (m[3] === undefined ? 1 : Number(m[3])) as 1 | 2 | 3 | 4 | 5 | 6 | 7 },
      { zone: 'utc' },
    );
  } else {
    return err(`start date '${s}' is not a date: the start must look like 2026-01-31T02:00:00Z`);
  }
  if (!d.isValid) return err(`start date '${s}' does not exist`);
  return ok({ year: d.year, month: d.month, day: d.day });
}

function parseOffset(s: string | undefined): number | null {
  if (s === undefined) return null;
  if (s === 'Z') return 0;
  const sign = s[0] === '-' ? -1 : 1;
  const digits = s.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return NaN;
  return sign * (hours * 60 + minutes);
}

/** A start as Joda's ISO `dateTimeParser` reads it (`date-opt-time | time`). */
export function parseStart(s: string): Result<ParsedStart> {
  const t = s.indexOf('T');
  const dateText = t < 0 ? s : s.slice(0, t);
  const timeText = t < 0 ? null : s.slice(t + 1);
  let date = { year: 1970, month: 1, day: 1 };
  if (dateText !== '') {
    const d = parseDate(dateText);
    if (!d.ok) return d;
    date = d.value;
  } else if (timeText === null || timeText === '') {
    return err(`start '${s}' has neither a date nor a time`);
  }
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let offset: number | null = null;
  if (timeText !== null && timeText !== '') {
    // `2008-03-01TZ` is valid for Joda (no time element, an offset).
    const m = dateText !== '' && /^(Z|[+-]\d{2}(?::?\d{2})?)$/.test(timeText) ? null : TIME.exec(timeText);
    if (m) {
      hour = Number(m[1]);
      minute = m[2] === undefined ? 0 : Number(m[2]);
      second = m[3] === undefined ? 0 : Number(m[3]);
      if (hour > 23 || minute > 59 || second > 59) return err(`start time '${timeText}' is out of range`);
      const frac = (digits: string, unitMs: number): number => Math.floor(Number(`0.${digits}`) * unitMs + 1e-6);
      let extra = 0;
      if (m[4] !== undefined) extra = frac(m[4], 1000);
      else if (m[5] !== undefined) extra = frac(m[5], 60_000);
      else if (m[6] !== undefined) extra = frac(m[6], 3_600_000);
      millisecond = extra % 1000;
      second += Math.floor(extra / 1000) % 60;
      minute += Math.floor(extra / 60_000) % 60;
      offset = parseOffset(m[7]);
    } else if (dateText !== '' && /^(Z|[+-]\d{2}(?::?\d{2})?)$/.test(timeText)) {
      offset = parseOffset(timeText);
    } else {
      return err(`start time '${timeText}' is not a time: the start must look like 2026-01-31T02:00:00Z`);
    }
    if (offset !== null && Number.isNaN(offset)) return err(`start offset in '${s}' is out of range`);
  }
  // Written out: a spread followed by more keys takes a slow path in V8 (about 10 µs a call on
  // Node 20, which made every schedule parse several times slower).
  return ok({ fields: { year: date.year, month: date.month, day: date.day, hour, minute, second, millisecond }, offset });
}

/* ---------------- schedule ---------------- */

/** Parse a `wall` string (`yyyy-MM-ddTHH:mm:ss.SSS`) back into fields. */
export function parseWall(wall: string): LocalFields | null {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(wall);
  if (!m) return null;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    millisecond: Number(m[7]),
  };
}

/** The wall-clock fields the schedule counts calendar periods from. */
export function wallFieldsOf(s: Schedule): LocalFields {
  return (s.wall !== undefined ? parseWall(s.wall) : null) ?? wallOf(s.start, s.zone);
}

/**
 * Parse a Chronos ISO8601 schedule.
 * @param expr      `R[n]/<start>/<period>`
 * @param zoneId    the job's `scheduleTimeZone`; "" / null / undefined means none
 * @param now       the current instant (an empty start is now − 1 s)
 */
export function parseSchedule(
  expr: string,
  zoneId: string | null | undefined,
  now: Instant,
  options: ParseOptions = {},
): Result<Schedule, ScheduleError> {
  const parts = splitSchedule(expr);
  if (!parts.ok) return parts;
  const { repeat, start: startText, period: periodText } = parts.value;

  let recurrences = -1;
  if (repeat !== '') {
    recurrences = Number(repeat);
    if (!Number.isSafeInteger(recurrences)) return err(unparseable(expr, 'repetition count is too large'));
  }

  const shared = sharedPeriod(periodText);
  const period = shared.period;
  if (!period.ok) return err(unparseable(expr, period.error));

  let namedZone: string | null = null;
  if (zoneId !== null && zoneId !== undefined && zoneId !== '') {
    if (options.legacy) namedZone = resolveZone(zoneId);
    else {
      const z = validateZone(zoneId);
      if (!z.ok) return err({ code: 'UNKNOWN_ZONE', message: z.error });
      namedZone = z.value;
    }
  }

  let schedule: Schedule;
  if (startText === '') {
    // now − 1 s, an instant: due at once. Chronos keeps this start in UTC; with a named zone we
    // keep the same instant and count calendar periods in that zone.
    const start = now - 1000;
    schedule = { recurrences, start, zone: namedZone ?? UTC_ZONE, period: period.value, periodIso: shared.text };
  } else {
    const parsed = parseStart(startText);
    if (!parsed.ok) return err(unparseable(expr, parsed.error));
    const { fields, offset } = parsed.value;
    // withZoneRetainFields: the wall clock is kept; the named zone replaces the written offset
    // (which only breaks a tie when the wall time occurs twice).
    const zone = namedZone ?? (offset === null ? UTC_ZONE : fixedZone(offset));
    const resolved = resolveWall(fields, zone, offset);
    const gap = !sameFields(wallOf(resolved.instant, zone), fields);
    schedule = {
      recurrences,
      start: resolved.instant,
      zone,
      period: period.value,
      periodIso: shared.text,
      ...(gap ? { wall: formatFields(fields) } : {}),
    };
  }

  if (!options.legacy && schedule.start < EARLIEST_START) {
    const at = formatInZone(schedule.start, schedule.zone);
    return err({
      code: 'BEFORE_1970',
      message: `Schedule '${quoted(expr)}' starts at ${at}, which is before 1970!`,
      detail: 'the start must be at or after 1970-01-01T00:00:01Z',
    });
  }
  return ok(schedule);
}

/**
 * The start as Chronos rewrites it: `yyyy-MM-dd'T'HH:mm:ss.SSSZZ` in the schedule's zone, a zero
 * offset printed `Z`. For a start that fell in a DST gap, the intended wall time is printed with
 * the offset in force (`2026-03-08T02:30:00.000-04:00`): re-parsed with the job's
 * scheduleTimeZone (which drops the offset) it gives the same start and keeps the wall time.
 */
export function formatStart(s: Schedule): string {
  const offset = offsetAt(s.start, s.zone);
  if (s.wall !== undefined && fixedOffsetMinutes(s.zone) === null) {
    const wall = parseWall(s.wall);
    if (wall !== null && !sameFields(wall, wallOf(s.start, s.zone))) return formatFields(wall) + formatOffset(offset);
  }
  return formatInZone(s.start, s.zone);
}

/** Chronos's rewritten schedule string: `R[n]/<start>/<period>`; -1 prints `R`. The period text is kept. */
export function formatSchedule(s: Schedule): string {
  const r = s.recurrences < 0 ? 'R' : `R${s.recurrences}`;
  return `${r}/${formatStart(s)}/${s.periodIso}`;
}
