/**
 * The "still running" event: a run still running beyond its job's limit, the earlier of
 *   - its `maxCompletionTime` when set, plus a minute: Mesos ends a run there (the run fails, and
 *     that is the news); one still running a minute later was not stopped;
 *   - NOTIFY_LONG_RUN_FACTOR × the p95 duration of the job's past successful runs, once it has at
 *     least NOTIFY_LONG_RUN_MIN_RUNS of them, and never under NOTIFY_LONG_RUN_MIN_SECONDS (a 50 ms
 *     job taking 200 ms is not news). Pure: durations and `now` are passed in; the leader's
 * watch (scheduler/runtime/long-run-watch.ts) asks at most once per run.
 */
import { ownersOf, type EventRun, type NotifyEvent } from './notify-events';
import { duration } from './notify-message';
import { quantile } from './quantile';
import type { Instant, Job } from './types';

export interface LongRunSettings {
  /** The multiple of the p95 duration past which a run is "still running" (0: only maxCompletionTime). */
  factor: number;
  /** Successful runs needed before the p95 counts. */
  minRuns: number;
  /** The p95-based limit is at least this. */
  minMs: number;
}

/** How long a run of a job may run before it is "still running", and why (for the message). */
export interface LongRunLimit {
  ms: number;
  why: string;
}

/** How long past its maxCompletionTime a run must still be running: Mesos should have ended it. */
export const MAX_COMPLETION_GRACE_MS = 60_000;

/**
 * The limit of a job's runs, or null when it has none (no maxCompletionTime, and the factor is 0 or
 * the job has fewer than `minRuns` successful runs). `durations`: ms of its past successful runs.
 */
export function longRunLimit(job: Pick<Job, 'maxCompletionTime'>, durations: readonly number[], s: LongRunSettings): LongRunLimit | null {
  const limits: LongRunLimit[] = [];
  if (job.maxCompletionTime > 0) {
    limits.push({ ms: job.maxCompletionTime * 1000 + MAX_COMPLETION_GRACE_MS, why: `its maxCompletionTime of ${duration(job.maxCompletionTime * 1000)} (Mesos did not stop it)` });
  }
  if (s.factor > 0 && durations.length > 0 && durations.length >= s.minRuns) {
    const p95 = quantile([...durations].sort((a, b) => a - b), 0.95);
    const n = durations.length;
    limits.push({ ms: Math.max(s.minMs, s.factor * p95), why: `${s.factor} × its p95 duration of ${duration(p95)} over ${n} successful run${n === 1 ? '' : 's'} (NOTIFY_LONG_RUN_FACTOR)` });
  }
  return limits.reduce<LongRunLimit | null>((a, b) => (a === null || b.ms < a.ms ? b : a), null);
}

/**
 * The shortest limit any job can have under these settings: a run that has run no longer than this
 * is not "still running" whatever its job's history or maxCompletionTime (a whole number of
 * seconds, so its limit is over a minute), so its job's durations need not be read. During a burst
 * of short runs that read was one query per job every round.
 */
export function longRunFloorMs(s: LongRunSettings): number {
  return Math.min(s.factor > 0 ? s.minMs : Infinity, MAX_COMPLETION_GRACE_MS);
}

/** The "still running" event of a run at `now`, or null when it is not running or within its limit. */
export function stillRunningEvent(job: Pick<Job, 'name' | 'owner'>, run: EventRun, limit: LongRunLimit | null, now: Instant): NotifyEvent | null {
  if (limit === null || run.state !== 'RUNNING' || run.startedAt === null) return null;
  const elapsed = now - run.startedAt;
  if (elapsed <= limit.ms) return null;
  return { kind: 'still-running', job: job.name, at: now, owners: ownersOf(job), run, detail: `still running after ${duration(elapsed)}, beyond ${limit.why}` };
}
