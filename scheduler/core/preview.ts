/**
 * Preview of a schedule's next runs, for the job form and the job page.
 *
 * - ISO8601: the runs the scheduler would make if each launched at its due instant. A start
 *   already past is one catch-up run (flag `overdue`, `at` = its due instant), as Chronos runs
 *   exactly one run after downtime; the following runs come after now. The repetition count is
 *   respected (R3 gives at most 3, R0 none). A zero period (`P`) gives a single run: the scheduler
 *   identifies a run by (job, due instant), so repeats at the same instant are one run.
 * - Cron: the next occurrences strictly after now.
 * - Flags: `dst-gap` when the intended wall time does not exist in the zone (the run was moved
 *   forward: luxon's +gap for ISO, croner's "first valid time" for cron); `dst-repeat` when the
 *   wall time of the run occurs twice in the zone (the fall-back hour).
 *
 * Pure: `now` is a parameter.
 */
import { err, ok, type Instant, type Result } from './types';
import { wallFieldsOf, type ParseOptions, type Schedule, type ScheduleError } from './iso8601';
import { advanceAfter, decrementRecurrences, skipForward } from './schedule';
import { compileCron, cronNextAfter, isShiftedByGap } from './cron';
import { parseScheduleSpec } from './spec';
import { formatInZone, formatUtc, resolveWall, wallOf } from './zones';

/** `paused`: the instant falls inside the job's pause and will not run (core/pause.ts markPaused). */
export type PreviewFlag = 'dst-gap' | 'dst-repeat' | 'overdue' | 'paused';

export interface PreviewRun {
  /** Due instant (ms). */
  at: Instant;
  /** `2026-03-08T07:30:00.000Z` */
  isoUtc: string;
  /** ISO in the job's zone: `2026-03-08T03:30:00.000-04:00` (`Z` for a zero offset). */
  local: string;
  flags: PreviewFlag[];
}

/** Most runs a preview returns. */
export const MAX_PREVIEW = 1000;

const run = (at: Instant, zone: string, flags: PreviewFlag[]): PreviewRun => ({
  at,
  isoUtc: formatUtc(at),
  local: formatInZone(at, zone),
  flags,
});

function isoFlags(s: Schedule): PreviewFlag[] {
  const r = resolveWall(wallFieldsOf(s), s.zone);
  return r.kind === 'gap' ? ['dst-gap'] : r.kind === 'repeat' ? ['dst-repeat'] : [];
}

function isoRuns(first: Schedule, now: Instant, n: number): PreviewRun[] {
  const runs: PreviewRun[] = [];
  let s = first;
  if (s.recurrences === 0 || n === 0) return runs;
  if (s.start < now) {
    runs.push(run(s.start, s.zone, [...isoFlags(s), 'overdue']));
    const after = skipForward(s, now);
    if (after.start <= s.start) return runs; // zero period: no later run
    s = after;
  }
  while (runs.length < n && s.recurrences !== 0) {
    runs.push(run(s.start, s.zone, isoFlags(s)));
    const next = advanceAfter(s, s.start);
    if (next.start <= s.start) break;
    s = { ...next, recurrences: decrementRecurrences(s.recurrences) };
  }
  return runs;
}

function cronRuns(expr: string, zone: string, first: Instant | null, n: number): PreviewRun[] {
  const runs: PreviewRun[] = [];
  const cron = compileCron(expr, zone);
  if (!cron.ok) return runs;
  const spec = { expr, zone, next: first };
  let at = first;
  while (at !== null && runs.length < n) {
    const flags: PreviewFlag[] = [];
    if (isShiftedByGap(spec, at)) flags.push('dst-gap');
    if (resolveWall(wallOf(at, zone), zone).kind === 'repeat') flags.push('dst-repeat');
    runs.push(run(at, zone, flags));
    at = cronNextAfter(cron.value, at);
  }
  return runs;
}

/**
 * The next `n` runs of a schedule string (ISO8601 or cron) in a zone, as of `now`.
 * Errors are the parse reasons (`ScheduleError`), or INVALID n.
 */
export function nextRuns(
  schedule: string,
  zone: string,
  now: Instant,
  n: number,
  options: ParseOptions = {},
): Result<PreviewRun[], ScheduleError> {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) {
    return err({
      code: 'INVALID_ARGUMENT',
      message: `Cannot preview ${n} runs: ask for 0 to ${MAX_PREVIEW}`,
    });
  }
  const spec = parseScheduleSpec(schedule, zone, now, options);
  if (!spec.ok) return spec;
  if (spec.value.kind === 'iso') return ok(isoRuns(spec.value.schedule, now, n));
  const c = spec.value.cron;
  return ok(cronRuns(c.expr, c.zone, c.next, n));
}
