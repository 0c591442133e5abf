/**
 * The overlap policy of a job (issue 17, point 1): what happens when one of its scheduled instants
 * comes while an earlier run of the job is still in flight. Like Kubernetes' CronJob
 * `concurrencyPolicy` and Temporal's overlap policies:
 *
 *   Allow    start another run beside the running one (Chronos `concurrent: true`);
 *   Forbid   do not start: the instant is recorded as a SKIPPED run with the reason;
 *   Replace  kill the running run(s), then start (the new run launches once they have ended);
 *   Queue    start right after the running one ends; at most one run waits, a further instant is
 *            skipped with the reason. This is what Chronos does for `concurrent: false` (its
 *            offer loop drops the task while the job runs and the schedule, advanced only at
 *            launch, brings it back), and what Sisyphus did before the field existed.
 *
 * The field `concurrencyPolicy` is optional: without it the policy comes from `concurrent`
 * (true → Allow, false → Queue), so Chronos clients see no change. A job stores (and the Chronos
 * JSON shows) the field only when it says something `concurrent` cannot: Forbid or Replace.
 * Pure: the caller passes the job's in-flight runs and waiting count; no clock is read.
 */
import type { Instant, Job } from './types';

export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace', 'Queue'] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

/** The policy a job runs under: its own field, else what `concurrent` means. */
export function effectivePolicy(job: Pick<Job, 'concurrent' | 'concurrencyPolicy'>): ConcurrencyPolicy {
  return job.concurrencyPolicy ?? (job.concurrent ? 'Allow' : 'Queue');
}

/**
 * A policy as a job keeps it: `concurrent` carries Allow (true) and Queue (false), so only Forbid
 * and Replace are kept as a field (the Chronos JSON stays byte-identical otherwise).
 */
export function normalizePolicy(policy: ConcurrencyPolicy): { concurrent: boolean; concurrencyPolicy?: ConcurrencyPolicy } {
  if (policy === 'Allow') return { concurrent: true };
  if (policy === 'Queue') return { concurrent: false };
  return { concurrent: false, concurrencyPolicy: policy };
}

/** A run of the job that is in flight (launched, not ended). */
export interface InflightRun {
  taskId: string;
  due: Instant;
  /** True when a kill was already sent (state KILLING). */
  killing: boolean;
}

export interface OverlapInput {
  policy: ConcurrencyPolicy;
  /** The instant that has come. */
  due: Instant;
  /** The job's runs in flight. */
  inflight: readonly InflightRun[];
  /** How many runs of the job are queued and not launched yet (only Queue looks at it). */
  waiting: number;
}

export type OverlapDecision =
  /** Create the run; it launches as soon as an offer fits (Queue: once the running one ended). */
  | { action: 'start' }
  /** Record the instant as a SKIPPED run with this message; the schedule moves on. */
  | { action: 'skip'; message: string }
  /** Kill these tasks, then create the run (it launches once they have ended). */
  | { action: 'replace'; kill: string[] };

const iso = (t: Instant) => new Date(t).toISOString();

/** What to do with the instant `due` of a job under its policy. */
export function decideOverlap(input: OverlapInput): OverlapDecision {
  const { policy, inflight, waiting } = input;
  if (inflight.length === 0 || policy === 'Allow') return { action: 'start' };
  const oldest = [...inflight].sort((a, b) => a.due - b.due)[0];
  if (policy === 'Forbid') return { action: 'skip', message: `skipped: the run due at ${iso(oldest.due)} is still running (concurrencyPolicy Forbid)` };
  if (policy === 'Replace') return { action: 'replace', kill: inflight.filter((r) => !r.killing).map((r) => r.taskId) };
  // Queue: one run may wait behind the running one
  if (waiting >= 1) return { action: 'skip', message: `skipped: a run is already waiting for the running one to end (concurrencyPolicy Queue)` };
  return { action: 'start' };
}

/** A run of the job queued and not launched yet, as supersededRuns looks at it. */
export interface WaitingRun {
  due: Instant;
  queuedAt: Instant;
  /** Only runs of the schedule replace (a manual or backfill run does not). */
  trigger: string;
}

/** An in-flight run with what supersededRuns needs to know of its launch. */
export interface LaunchedRun extends InflightRun {
  launchedAt: Instant | null;
}

/**
 * Replace as a rule on stored state, so that it survives a leader change between storing the
 * replacing run and sending the kill: under Replace, a run in flight is killed when a run of the
 * job's schedule due later was queued after it launched (the replacement a tick made while it ran).
 * Runs queued before it launched (catch-up `all`: every missed instant queued at once, launched one
 * at a time) do not replace it. Returns the runs to kill, each with the due instant of the newest
 * replacement. Runs already being killed are left out.
 */
export function supersededRuns(
  policy: ConcurrencyPolicy,
  inflight: readonly LaunchedRun[],
  waiting: readonly WaitingRun[],
): { taskId: string; by: Instant }[] {
  if (policy !== 'Replace') return [];
  const out: { taskId: string; by: Instant }[] = [];
  for (const r of inflight) {
    if (r.killing || r.launchedAt === null) continue;
    let by: Instant | null = null;
    for (const w of waiting) {
      if ((w.trigger !== 'schedule' && w.trigger !== 'immediate') || w.due <= r.due || w.queuedAt <= r.launchedAt) continue;
      if (by === null || w.due > by) by = w.due;
    }
    if (by !== null) out.push({ taskId: r.taskId, by });
  }
  return out;
}
