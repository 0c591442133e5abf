/**
 * One interface over the two schedule grammars, so callers need not care which a job uses:
 *   - a string starting with `R` is a Chronos ISO8601 schedule (`R5/2008-03-01T13:00:00Z/P1D`);
 *   - a string of 5 whitespace-separated fields is a cron expression (`30 2 * * 1-5`);
 *   - anything else is Chronos's parse error, `Cannot parse schedule 'X' (wtf bro)`.
 *
 * Pure: `now` is a parameter.
 */
import { err, ok, type Instant, type Result } from './types';
import { SHAPE_HINT, formatSchedule, parseSchedule, quoted, unparseable, type ParseOptions, type Schedule, type ScheduleError } from './iso8601';
import { advanceAfter, isDue, nextDue, rangeProblem, skipForward } from './schedule';
import { advanceCron, looksLikeCron, parseCron, type CronSchedule } from './cron';

export type ScheduleSpec = { kind: 'iso'; schedule: Schedule } | { kind: 'cron'; cron: CronSchedule };

/** Which grammar a schedule string is written in (by its shape alone), or null for neither. */
export function grammarOf(expr: string): ScheduleSpec['kind'] | null {
  return expr.startsWith('R') ? 'iso' : looksLikeCron(expr) ? 'cron' : null;
}

export function parseScheduleSpec(
  expr: string,
  zoneId: string | null | undefined,
  now: Instant,
  options: ParseOptions = {},
): Result<ScheduleSpec, ScheduleError> {
  const grammar = grammarOf(expr);
  if (grammar === 'iso') {
    const s = parseSchedule(expr, zoneId, now, options);
    if (!s.ok) return s;
    // A new or changed job must be able to run all its instants; a stored one loads as it is (the
    // worker sets aside a job whose schedule cannot advance, with the reason).
    const range = options.legacy ? null : rangeProblem(s.value);
    if (range !== null) return err({ code: 'OUT_OF_RANGE', message: `Schedule '${quoted(expr)}' cannot be scheduled: ${range}` });
    return ok({ kind: 'iso', schedule: s.value });
  }
  if (grammar === 'cron') {
    const c = parseCron(expr, zoneId, now, options);
    return c.ok ? ok({ kind: 'cron', cron: c.value }) : c;
  }
  return err(unparseable(expr, `${SHAPE_HINT}, or be a 5-field cron line such as 0 2 * * *`));
}

/** The next due instant, or null when the job will not run again (R0, or a cron that never fires). */
export function nextDueOf(spec: ScheduleSpec): Instant | null {
  return spec.kind === 'iso' ? nextDue(spec.schedule) : spec.cron.next;
}

/** Due: a next due instant exists and is strictly before now. */
export function isDueSpec(spec: ScheduleSpec, now: Instant): boolean {
  if (spec.kind === 'iso') return isDue(spec.schedule, now);
  return spec.cron.next !== null && spec.cron.next < now;
}

/**
 * The spec after a launch at `now` (scheduled, manual or dependency-triggered).
 * ISO: Chronos's skipForward (count decremented). Cron: the next occurrence strictly after now.
 */
export function advance(spec: ScheduleSpec, now: Instant): ScheduleSpec {
  if (spec.kind === 'iso') return { kind: 'iso', schedule: skipForward(spec.schedule, now) };
  return { kind: 'cron', cron: advanceCron(spec.cron, now) };
}

/** The next start strictly after now without using up a run (for preview and display). */
export function advanceAfterSpec(spec: ScheduleSpec, now: Instant): ScheduleSpec {
  if (spec.kind === 'iso') return { kind: 'iso', schedule: advanceAfter(spec.schedule, now) };
  return { kind: 'cron', cron: advanceCron(spec.cron, now) };
}

/** The schedule string to store and show: Chronos's rewritten ISO string, or the cron expression verbatim. */
export function formatSpec(spec: ScheduleSpec): string {
  return spec.kind === 'iso' ? formatSchedule(spec.schedule) : spec.cron.expr;
}

/** The spec's zone (IANA id or fixed offset). */
export function zoneOf(spec: ScheduleSpec): string {
  return spec.kind === 'iso' ? spec.schedule.zone : spec.cron.zone;
}
