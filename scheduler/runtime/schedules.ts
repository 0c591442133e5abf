/**
 * A job's schedule as the worker uses it: the parsed ISO8601 or cron expression, its next due
 * instant, and what a launch does to it. The grammars themselves live in scheduler/core.
 */
import { Duration } from 'luxon';
import type { Instant, Job, Result } from '../core/types';
import { err, ok } from '../core/types';
import { advance, formatSpec, nextDueOf, parseScheduleSpec, type ScheduleSpec } from '../core/spec';
import { parsePeriod } from '../core/iso8601';

export interface JobSchedule {
  spec: ScheduleSpec;
  /** Runs left (-1 infinite; cron is always -1). */
  recurrences: number;
  /** The job's epsilon in ms (Chronos 2.x), or null when none. */
  epsilonMs: number | null;
  /** Chronos's run-once-now job (`R1//…`, what a job without schedule or parents becomes). */
  immediate: boolean;
}

/**
 * Parsed schedules that do not depend on the time they are read (an ISO 8601 schedule with its
 * start written: not `R1//PT1H`, not cron), shared by every job with the same schedule, zone and
 * epsilon: at 100,000 jobs a heap snapshot held 16 MiB of parsed schedules, mostly equal. Values
 * are never changed (a launch makes a new one: launchAdvance). Emptied when full.
 */
const sharedSchedules = new Map<string, JobSchedule>();
const SHARED_SCHEDULES_MAX = 10_000;

/** Parses a stored job's schedule leniently (unknown zone → GMT, as Chronos loads it). */
export function parseJobSchedule(job: Job, now: Instant): Result<JobSchedule> {
  if (!job.schedule) return err('the job has no schedule');
  // the last shared one again (a load reads many jobs of the same schedule in a row, their texts
  // one string: core/shared-job-values.ts): no pattern test, key or lookup
  const last = lastShared;
  if (last && job.schedule === last.schedule && job.scheduleTimeZone === last.zone && job.epsilon === last.epsilon) return last.parsed;
  // `R…/start/period`, the start written (the first / not followed by another)
  const timeless = /^R\d*\/[^/]/.test(job.schedule);
  const key = timeless ? `${job.schedule}\u0000${job.scheduleTimeZone ?? ''}\u0000${job.epsilon ?? ''}` : '';
  const known = timeless ? sharedSchedules.get(key) : undefined;
  if (known) return remember(job, ok(known));
  const parsed = parseOnce(job, now);
  if (timeless && parsed.ok) {
    if (sharedSchedules.size >= SHARED_SCHEDULES_MAX) sharedSchedules.clear();
    sharedSchedules.set(key, parsed.value);
    return remember(job, parsed);
  }
  return parsed;
}

/** The last shared schedule parseJobSchedule answered, with the fields it was read from. */
let lastShared: { schedule: string; zone: string | undefined; epsilon: string | undefined; parsed: Result<JobSchedule> } | null = null;

function remember(job: Job, parsed: Result<JobSchedule>): Result<JobSchedule> {
  lastShared = { schedule: job.schedule!, zone: job.scheduleTimeZone, epsilon: job.epsilon, parsed };
  return parsed;
}

function parseOnce(job: Job, now: Instant): Result<JobSchedule> {
  if (!job.schedule) return err('the job has no schedule');
  const parsed = parseScheduleSpec(job.schedule, job.scheduleTimeZone ?? '', now, { legacy: true });
  if (!parsed.ok) return err(parsed.error.message);
  let epsilonMs: number | null = null;
  if (job.epsilon) {
    const p = parsePeriod(job.epsilon);
    if (p.ok) epsilonMs = Duration.fromObject(p.value).as('milliseconds');
  }
  const spec = parsed.value;
  const recurrences = spec.kind === 'iso' ? spec.schedule.recurrences : -1;
  return ok({ spec, recurrences, epsilonMs, immediate: /^R1\/\//.test(job.schedule) });
}

/** The due instant of the next run, or null when none is left. */
export function nextDueAt(s: JobSchedule): Instant | null {
  return nextDueOf(s.spec);
}

/** The schedule after a launch at `now` (Chronos skipForward; cron: next occurrence) and its stored text. */
export function launchAdvance(s: JobSchedule, now: Instant): { expression: string; next: JobSchedule } {
  const spec = advance(s.spec, now);
  const recurrences = spec.kind === 'iso' ? spec.schedule.recurrences : -1;
  return { expression: formatSpec(spec), next: { ...s, spec, recurrences, immediate: false } };
}
