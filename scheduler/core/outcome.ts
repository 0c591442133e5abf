/**
 * What a run that ended does to its job (shared/reference/chronos.md §5, "Task status updates" and
 * "Failure path"), decided from plain values and `now`. The worker only applies the decision.
 *
 * - FINISHED: successCount+1, errorsSinceLastSuccess=0, lastSuccess=now; a schedule with no runs
 *   left disables the job; the children whose parents have all succeeded fire.
 * - FAILED, LOST, ERROR, DROPPED: a retry when `attempt < retries` and (lastError is empty or
 *   lastSuccess ≥ lastError), due `retryDelayMs` after now with attempt+1 and the same arguments
 *   (so when the previous run failed for good there is no retry at all). Otherwise errorCount+1,
 *   errorsSinceLastSuccess+1, lastError=now; the job is disabled when `disableAfterFailures` > 0
 *   and errorsSinceLastSuccess reaches it; with softError the children fire as after a success.
 *   (Chronos only untracks ERROR and DROPPED; Sisyphus counts them as failures: a task Mesos
 *   refused did not run.)
 * - A launch Mesos refused for its offers alone (`launchRefused`: TASK_DROPPED with
 *   REASON_INVALID_OFFERS — the offers were rescinded or expired before the ACCEPT arrived): the
 *   task never ran and the job is not at fault, so the run is launched again at once with the same
 *   attempt; nothing is counted and no retry is spent. The caller bounds how often (a refusal that
 *   repeats takes the failure path above).
 * - KILLED, SKIPPED: nothing is counted.
 *
 * The graph's edge counters are read and moved only for the decision and put back before this
 * returns: the caller applies `counters` once the decision is stored. Costs O(children of the
 * job): it runs once per finished task.
 */
import type { DependencyGraph, EdgeCount } from './dag';
import type { Instant, Job, RunState } from './types';

export interface OutcomeInput {
  job: Job;
  /** The run that ended: its attempt (0 first) and the arguments it ran with. */
  attempt: number;
  arguments: string;
  state: RunState;
  now: Instant;
  /** Chronos --failure_retry. */
  retryDelayMs: number;
  /** Chronos --disable_after_failures (0 = never). */
  disableAfterFailures: number;
  /** The state is DROPPED because Mesos refused the ACCEPT's offers, and a free relaunch is left. */
  launchRefused?: boolean;
  /** Runs left of the job's schedule (-1 infinite), or null when it has none (a dependency job). */
  recurrencesLeft: number | null;
  graph: DependencyGraph;
  /** The jobs as they stand (a child that is disabled or gone does not fire). */
  jobOf: (name: string) => Job | undefined;
}

export interface Outcome {
  /** The job with its bookkeeping changed; null when nothing is counted. */
  job: Job | null;
  /** The retry to queue, or null; `relaunch`: the same attempt again (a launch Mesos refused). */
  retry: { due: Instant; attempt: number; arguments: string; relaunch?: true } | null;
  /** Children to run now (dependency trigger), in the graph's order. */
  fire: string[];
  /** The counters of the edges to the job's children once this is applied (absent = 0). */
  counters: EdgeCount[];
  /** The children whose counters this outcome moves (reset to `counters` when applied). */
  touched: string[];
}

const isoUtc = (t: Instant): string => new Date(t).toISOString();

/** States that take the failure path. */
export const FAILURE_STATES: ReadonlySet<RunState> = new Set(['FAILED', 'LOST', 'ERROR', 'DROPPED']);

export function decideOutcome(input: OutcomeInput): Outcome {
  const { job, state, now, graph } = input;
  const touched = graph.childrenOf(job.name);
  const before = graph.saveCounters(touched);
  const isDisabled = (c: string) => input.jobOf(c)?.disabled ?? true;
  let updated: Job | null = null;
  let retry: Outcome['retry'] = null;
  let fire: string[] = [];
  try {
    if (state === 'FINISHED') {
      updated = { ...job, successCount: job.successCount + 1, errorsSinceLastSuccess: 0, lastSuccess: isoUtc(now) };
      if (input.recurrencesLeft === 0) updated.disabled = true;
      fire = graph.trigger(job.name, 'success', { isDisabled });
    } else if (state === 'DROPPED' && input.launchRefused) {
      retry = { due: now, attempt: input.attempt, arguments: input.arguments, relaunch: true };
    } else if (FAILURE_STATES.has(state)) {
      const lastWasFine = job.lastError === '' || (job.lastSuccess !== '' && job.lastSuccess >= job.lastError);
      if (input.attempt < job.retries && lastWasFine) {
        retry = { due: now + input.retryDelayMs, attempt: input.attempt + 1, arguments: input.arguments };
      } else {
        updated = {
          ...job,
          errorCount: job.errorCount + 1,
          errorsSinceLastSuccess: job.errorsSinceLastSuccess + 1,
          lastError: isoUtc(now),
        };
        if (input.disableAfterFailures > 0 && updated.errorsSinceLastSuccess >= input.disableAfterFailures) updated.disabled = true;
        if (job.softError) fire = graph.trigger(job.name, 'failure', { softError: true, isDisabled });
      }
    }
    return { job: updated, retry, fire, counters: graph.countersOf(touched), touched };
  } finally {
    graph.restoreCounters(before);
  }
}
