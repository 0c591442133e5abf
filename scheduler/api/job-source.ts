/**
 * Where the Chronos API service finds jobs: one by name (as the running worker holds it, or as
 * stored; or, for a name from a request path, as stored after checking the name), or every job in
 * the store's name order, from the leader's worker memory when that order can be reproduced there.
 */
import type { Job } from '../core/types';
import type { SchedulerRuntime, Store } from '../ports';
import { checkPathName } from './chronos-request';
import { ApiError } from './errors';
import { NameOrder } from './name-order';
import type { StillWanted } from './snapshot-in-turns';

/** Chronos's answer for an unknown job (a 400, as Chronos never answers 404). */
export const jobNotFound = (name: string) => ApiError.notFound(`Job '${name}' not found`);

export class JobSource {
  private readonly nameOrder = new NameOrder();
  /** Whether the store orders names by code point (asked once; a failure is asked again). */
  private codePointOrder: Promise<boolean> | null = null;

  constructor(
    private readonly store: Store,
    private readonly runtime: SchedulerRuntime,
  ) {}

  /** A job as the running worker holds it (no round trip), else as stored. */
  async named(name: string): Promise<Job | null> {
    const view = this.runtime.jobsView?.();
    return view ? (view.get(name) ?? null) : this.store.jobs.get(name);
  }

  /**
   * The stored job named in a request path (or null). A name PostgreSQL cannot take (a NUL, an
   * unpaired surrogate) is a 400 naming it, never a database error.
   */
  async lookup(name: string): Promise<Job | null> {
    checkPathName(name);
    return this.store.jobs.get(name);
  }

  /**
   * Every job in the store's name order. On the leader, from its worker's memory (which holds
   * every job, each change applied before the API call that made it answers, and the worker's
   * own bookkeeping applied as soon as it is stored), when the store's order can be reproduced
   * there (a code-point collation, ASCII names); otherwise from the store. `live` tells which.
   */
  async all(): Promise<{ jobs: Job[]; live: boolean }> {
    const jobs = await this.fromWorker();
    return jobs ? { jobs, live: true } : { jobs: await this.store.jobs.list(), live: false };
  }

  /** Every job in the store's name order from the worker's memory; null when that cannot be done. */
  async fromWorker(): Promise<Job[] | null> {
    if (!this.runtime.jobsView || !(await this.storeSortsByCodePoint())) return null;
    // No await between reading the view and ordering it: one consistent snapshot.
    const view = this.runtime.jobsView();
    return view ? this.nameOrder.sorted(view) : null;
  }

  /** fromWorker() ordered over many event-loop turns (NameOrder.sortedInTurns): the first build of a snapshot. */
  async fromWorkerInTurns(stillWanted: StillWanted): Promise<Job[] | null> {
    if (!this.runtime.jobsView || !(await this.storeSortsByCodePoint())) return null;
    const view = this.runtime.jobsView();
    return view ? this.nameOrder.sortedInTurns(view, stillWanted) : null;
  }

  private storeSortsByCodePoint(): Promise<boolean> {
    if (!this.store.jobs.sortsByCodePoint) return Promise.resolve(false);
    if (!this.codePointOrder) {
      const asked = this.store.jobs.sortsByCodePoint().catch(() => {
        if (this.codePointOrder === asked) this.codePointOrder = null;
        return false;
      });
      this.codePointOrder = asked;
    }
    return this.codePointOrder;
  }
}
