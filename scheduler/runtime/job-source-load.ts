/**
 * What a job source (a warm standby's mirror, standby-mirror.ts) hands the worker's load
 * (worker.ts) instead of the store's list of every job.
 */
import type { BuiltGraph } from '../core/dag';
import type { Job } from '../core/types';

/** What a job source hands the load. */
export interface JobSourceLoad {
  /**
   * Every job: a list, or a map by name that the worker then holds as its own (a standby's, given
   * away: no copy of 100,000 entries at the takeover).
   */
  jobs: Job[] | Map<string, Job>;
  /**
   * Jobs whose next due instant is known to be later than a minute from now (the very same job
   * objects), by name, given away (the schedule index holds them as they are): indexed after the
   * timers start, a chunk at a time, so the first launches do not wait for every schedule to be
   * parsed. Each is indexed as at the load's instant, as a cold load would; one whose schedule is
   * needed earlier (a launch, an outcome) is indexed then. With it, `soon` lists the other jobs.
   */
  later?: Map<string, Job>;
  /** With `later`: every job not in it, indexed at the load (in this order). */
  soon?: Job[];
  /** The dependency graph of `jobs` as the load would build it (a standby's, warm-graph.ts): not built again. */
  graph?: BuiltGraph;
}

/** The jobs in code-point order of the names (a list is taken as it comes: the store lists them so). */
export function inNameOrder(jobs: Job[] | Map<string, Job>): Job[] {
  return Array.isArray(jobs) ? jobs : [...jobs.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
