/**
 * The API's job writes, stored in the worker's order so they and the worker's own writes
 * (schedule advanced at launch, run bookkeeping) never overwrite each other. Every write made
 * while the worker is busy shares one transaction; each caller resolves once it is committed and
 * applied. `keep` names the fields the request left out: they are taken from the job as the
 * worker holds it when the write happens (fresher than what the API read).
 *
 * Each write records its version (core/job-version.ts: the whole job, its diff from the job the
 * worker held, who made it) in the same transaction: one more INSERT per batch.
 *
 * A batch the store refuses for the data of one write is written one by one, so only that write
 * fails.
 */
import { versionOf, type ChangeStamp, type NewJobVersion } from '../core/job-version';
import { shareJobValues } from '../core/shared-job-values';
import type { Job } from '../core/types';
import type { DueRuns } from './due-runs';
import { isItemError } from './isolate';
import type { StepQueue } from './step-queue';
import type { WorkerContext } from './worker-context';

/** An API job write waiting to be stored. */
interface PendingPut {
  job: Job;
  keep: readonly (keyof Job)[];
  stamp: ChangeStamp;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** At most this many distinct values are kept for sharing by the worker's job writes. */
const SHARED_VALUES_MAX = 4096;

export const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class JobWrites {
  private pending: PendingPut[] = [];
  private flushQueued = false;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly steps: StepQueue,
    private readonly due: DueRuns,
  ) {}

  /** Stores a job (create or replace) and its version, and applies it; resolves true once done. */
  store(job: Job, keep: readonly (keyof Job)[] = [], stamp: ChangeStamp = {}): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ job, keep, stamp, resolve: () => resolve(true), reject });
      if (this.flushQueued) return;
      this.flushQueued = true;
      setImmediate(() => {
        void this.steps.run(() => this.flush(), true);
      });
    });
  }

  /** The worker's view of a stored job change: graph, schedule index, events, timer. */
  apply(job: Job, previous: Job | null): void {
    const { ctx } = this;
    const now = ctx.clock.now();
    // a job the API wrote shares its common values (owner, schedule, empty lists) with the jobs
    // held, as a bulk read's do: ~250 bytes less per job (25 MiB at 100,000 jobs POSTed)
    shareJobValues(job, ctx.sharedValues, SHARED_VALUES_MAX);
    ctx.jobs.set(job.name, job);
    // a changed job is read again: whatever set it aside may be gone
    ctx.index.release(job.name);
    ctx.graph.upsertJob(job.name, job.parents ?? []);
    if (previous?.schedule !== job.schedule || previous?.scheduleTimeZone !== job.scheduleTimeZone) {
      // a new schedule replaces the queued scheduled run's claim on the index
      ctx.index.launched(job.name);
    }
    ctx.index.reindex(job, now);
    ctx.events.emit('job', { name: job.name, change: previous ? 'updated' : 'created' });
    this.due.arm();
  }

  private async flush(): Promise<void> {
    this.flushQueued = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    if (!(await this.storeBatch(batch))) {
      // The store refused one request's data: each request alone, so only that one fails.
      for (const put of batch) await this.storeBatch([put]);
    }
    // The immediate fast path: jobs due now get their runs in this same turn of the chain.
    if (this.due.isDue()) await this.due.tick();
  }

  /**
   * Stores and applies a batch in one transaction and settles its callers. False, with nothing
   * settled, when the store refused the data of a batch of several (written one by one then).
   */
  private async storeBatch(batch: PendingPut[]): Promise<boolean> {
    // In arrival order: a later write of the same job sees the earlier one as its previous.
    const latest = new Map<string, Job | null>();
    const changes: { job: Job; previous: Job | null }[] = [];
    const resets = new Map<string, string[]>();
    const now = this.ctx.clock.now();
    const versions: NewJobVersion[] = [];
    for (const { job: given, keep, stamp } of batch) {
      const previous = latest.has(given.name) ? latest.get(given.name)! : (this.ctx.jobs.get(given.name) ?? null);
      let job = given;
      if (previous && keep.length > 0) {
        const kept: Partial<Job> = {};
        for (const k of keep) (kept as Record<string, unknown>)[k] = previous[k];
        job = { ...given, ...kept };
      }
      if (job.parents && !sameList(previous?.parents ?? [], job.parents)) resets.set(job.name, job.parents);
      latest.set(job.name, job);
      changes.push({ job, previous });
      versions.push(versionOf(previous, job, stamp, now));
    }
    try {
      await this.ctx.store.transaction(async (tx) => {
        await tx.jobs.apply({ put: changes.map((c) => c.job) });
        await tx.versions.add(versions);
        for (const [child, parents] of resets) await tx.edges.resetChild(child, parents);
      });
    } catch (e) {
      if (batch.length > 1 && isItemError(e)) return false;
      for (const b of batch) b.reject(e);
      return true;
    }
    for (const { job, previous } of changes) this.apply(job, previous);
    for (const b of batch) b.resolve();
    return true;
  }
}
