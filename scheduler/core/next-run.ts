/**
 * The next run of a stored schedule as lists show it, and until when that answer holds, so a
 * caller can keep it instead of parsing the schedule again for every row it draws:
 *   - ISO8601 with a start: the start (the worker advances it after each launch), fixed until the
 *     schedule changes;
 *   - ISO8601 with an empty start (`R//P1D`): now − 1 s, which moves with now (never kept);
 *   - `R0/…`: none;
 *   - cron: the first occurrence strictly after now, true until that instant passes;
 *   - a schedule that does not parse: none.
 * Stored schedules are read as the worker loads them (legacy rules: an unknown zone is UTC, a start
 * before 1970 is allowed).
 *
 * Pure: `now` is a parameter.
 */
import type { Cron } from 'croner';
import { cronNextAfter } from './cron';
import { hasEmptyStart } from './iso8601';
import { parseScheduleSpec } from './spec';
import type { Instant } from './types';

export interface NextRun {
  /** The next due instant; null when the schedule will not run again. */
  at: Instant | null;
  /** The answer holds while now < validUntil (Infinity: until the schedule changes). */
  validUntil: Instant;
}

/** The next run of `expr` in the job's zone (`zoneId`, "" for none) as of `now`. */
export function nextRunOf(expr: string, zoneId: string | null | undefined, now: Instant): NextRun {
  const spec = parseScheduleSpec(expr, zoneId ?? '', now, { legacy: true });
  if (!spec.ok) return { at: null, validUntil: Number.POSITIVE_INFINITY };
  if (spec.value.kind === 'iso') {
    const s = spec.value.schedule;
    return { at: s.recurrences === 0 ? null : s.start, validUntil: hasEmptyStart(expr) ? now : Number.POSITIVE_INFINITY };
  }
  return cronRun(spec.value.cron.next);
}

/**
 * The next run of an already compiled cron expression (`compileCron`), the same answer as
 * `nextRunOf` for it: a caller with many jobs on one expression compiles it once.
 */
export function cronNextRun(cron: Cron, now: Instant): NextRun {
  return cronRun(cronNextAfter(cron, now));
}

const cronRun = (next: Instant | null): NextRun => ({ at: next, validUntil: next ?? Number.POSITIVE_INFINITY });
