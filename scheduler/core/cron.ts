/**
 * A 5-field cron `schedule` (minute hour day-of-month month day-of-week), read in the job's
 * scheduleTimeZone (Sisyphus extension, Chronos #194). Parsing and "next occurrence" are croner's.
 *
 * Semantics:
 * - Day-of-month and day-of-week combine with OR when both are restricted (Vixie cron).
 * - A cron schedule has no repetition count: it runs forever.
 * - `next` is the first occurrence strictly after the instant it was computed from.
 * - DST (croner's rules): a fixed-time job (`30 2 * * *`) whose time falls in a gap runs at the first
 *   valid time after the gap (03:00 EDT on 2026-03-08, not 03:30 as an ISO P1D schedule does);
 *   a time that occurs twice runs once, at its first occurrence. Interval jobs (`*\/15 * * * *`)
 *   skip the times in a gap and run on both occurrences of a repeated time.
 * - `?` is refused: croner replaces it with the current time, which would make parsing impure.
 *
 * Pure: the reference instant is always passed to croner.
 */
import { Cron } from 'croner';
import { err, ok, type Instant, type Result } from './types';
import { UTC_ZONE, fixedOffsetMinutes, resolveZone, validateZone } from './zones';
import { quoted, type ParseOptions, type ScheduleError } from './iso8601';

export interface CronSchedule {
  /** The expression as written (printed back verbatim). */
  expr: string;
  /** IANA id or fixed offset (`UTC`, `UTC-05:00`). */
  zone: string;
  /** The next due instant; null when the expression never fires again. */
  next: Instant | null;
}

/** Five whitespace-separated fields. */
export function looksLikeCron(expr: string): boolean {
  return expr.trim().split(/\s+/).length === 5;
}

const invalidCron = (expr: string, detail: string): ScheduleError => ({
  code: 'INVALID_CRON',
  message: `Cannot parse schedule '${quoted(expr)}' as cron: ${detail}`,
  detail,
});

/** A croner instance for an expression and a zone (no callback: it never starts a timer). */
export function compileCron(expr: string, zone: string): Result<Cron> {
  const text = expr.trim();
  if (!looksLikeCron(text)) return err('expected 5 fields: minute hour day-of-month month day-of-week');
  if (text.includes('?')) return err("'?' is not supported");
  const fixed = fixedOffsetMinutes(zone);
  try {
    const cron = new Cron(text, {
      mode: '5-part',
      ...(fixed === null ? { timezone: zone } : { utcOffset: fixed }),
    });
    return ok(cron);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return err(message.replace(/^CronPattern: /, ''));
  }
}

/** The first occurrence strictly after `after`, or null. */
export function cronNextAfter(cron: Cron, after: Instant): Instant | null {
  const next = cron.nextRun(new Date(after));
  return next === null ? null : next.getTime();
}

/**
 * Parse a cron schedule and compute its first occurrence strictly after `now`.
 * @param zoneId the job's scheduleTimeZone; "" / null / undefined means UTC
 */
export function parseCron(
  expr: string,
  zoneId: string | null | undefined,
  now: Instant,
  options: ParseOptions = {},
): Result<CronSchedule, ScheduleError> {
  let zone = UTC_ZONE;
  if (zoneId !== null && zoneId !== undefined && zoneId !== '') {
    if (options.legacy) zone = resolveZone(zoneId);
    else {
      const z = validateZone(zoneId);
      if (!z.ok) return err({ code: 'UNKNOWN_ZONE', message: z.error });
      zone = z.value;
    }
  }
  const cron = compileCron(expr, zone);
  if (!cron.ok) return err(invalidCron(expr, cron.error));
  const next = cronNextAfter(cron.value, now);
  if (next === null && !options.legacy) return err(invalidCron(expr, 'it never fires'));
  return ok({ expr, zone, next });
}

/** The schedule after a launch at `now`: the next occurrence strictly after now (or the current one if later). */
export function advanceCron(c: CronSchedule, now: Instant): CronSchedule {
  if (c.next !== null && c.next > now) return c;
  const cron = compileCron(c.expr, c.zone);
  if (!cron.ok) return { ...c, next: null };
  return { ...c, next: cronNextAfter(cron.value, now) };
}

/** True when croner moved this run off the pattern (its wall time fell in a DST gap). */
export function isShiftedByGap(c: CronSchedule, at: Instant): boolean {
  const cron = compileCron(c.expr, c.zone);
  return cron.ok && !cron.value.match(new Date(at));
}
