/**
 * Runs prepared ahead of their instant: a scheduled instant due within `aheadMs` becomes its run
 * before it is due (stored QUEUED, unique by job and instant as every run, held among the delayed
 * runs until the instant), so when a herd of jobs comes due only the launch is left to do; writing
 * 10,000 runs took most of the herd's due→launch time.
 *
 * A prepared run is the run the tick would have made at the instant, so it must still be that run
 * when the instant comes. It is released as it is when its job is the one it was prepared from,
 * but for the run bookkeeping (the worker replaces a job's object on every change; a run that
 * ended meanwhile moves the counters, and no run is made from them), and the job's overlap policy
 * still says start (core/overlap-policy.ts). Otherwise it is withdrawn (its row
 * deleted: it never launched, nobody acted on it) and its job goes back into the schedule index,
 * so the tick decides the instant as it always has: a job changed, disabled, paused or busy in the
 * meantime gets exactly what it would have got without the preparation.
 *
 * After a leader change the new leader adopts the prepared runs it loads (QUEUED, trigger
 * `schedule`, due later) with the jobs as it loaded them; the run's row keeps any instant from
 * running twice.
 */
import { jobFieldChange } from '../core/job-field-change';
import { BOOKKEEPING_FIELDS } from '../core/job-version';
import type { Demand } from '../core/offers-to-keep';
import type { Instant, Job, Run } from '../core/types';
import type { OverlapDecision } from '../core/overlap-policy';
import { MinHeap } from './heap';
import type { WorkerContext } from './worker-context';

const BOOKKEEPING = new Set<string>(BOOKKEEPING_FIELDS);

/**
 * How long before prepared runs are due the worker asks for offers (REVIVE) and keeps those that
 * come (OfferDecision.hold) instead of declining them, so the instant's offer round starts at once
 * rather than after a REVIVE and the master's next allocation (~0.5 s on mesos-local, up to its
 * allocation interval, 1 s by default, on Mesos). Kept offers are unavailable to other frameworks
 * meanwhile: this bounds how long, and only what the prepared runs need is kept
 * (core/offers-to-keep.ts; the rest is declined as usual).
 */
export const OFFERS_AHEAD_MS = 1_500;
/** Kept offers are declined this long after the instant they were kept for if no run came for them. */
export const OFFERS_KEPT_AFTER_MS = 2_000;

/**
 * True when `now` makes the run `preparedFrom` made: the very object, or one that differs only in
 * the run bookkeeping (counters, last success and error: a run of the job that ended meanwhile, a
 * mark success), which no run is made from. Any other field changed: not the same.
 */
function sameRun(preparedFrom: Job, now: Job): boolean {
  if (now === preparedFrom) return true;
  const change = jobFieldChange(preparedFrom, now);
  return change === null || (change.unset.every((k) => BOOKKEEPING.has(k)) && Object.keys(change.set).every((k) => BOOKKEEPING.has(k)));
}

export class PreparedRuns {
  /** Prepared runs not yet released: task id → the job as it was prepared from. */
  private readonly held = new Map<string, Job>();
  private readonly byDue = new MinHeap<string>();
  /** Found stale, not yet withdrawn (the store failed): never released. */
  private readonly toWithdraw = new Map<string, Run>();
  /** What the runs held for each instant ask for, as their jobs were when prepared (the offers kept for them). */
  private readonly demandAt = new Map<Instant, Demand>();

  constructor(private readonly ctx: WorkerContext) {}

  get size(): number {
    return this.held.size;
  }

  /** The instant of the earliest prepared run not yet released (one withdrawn meanwhile may still count). */
  nextDue(): Instant | undefined {
    return this.byDue.size > 0 ? this.byDue.peekKey() : undefined;
  }

  /** `run` was stored ahead of its instant from `job` (or loaded so after a leader change). */
  hold(run: Pick<Run, 'taskId' | 'due'>, job: Job): void {
    this.held.set(run.taskId, job);
    this.byDue.push(run.due, run.taskId);
    const d = this.demandAt.get(run.due) ?? { runs: 0, cpus: 0, mem: 0, disk: 0 };
    d.runs++;
    d.cpus += job.cpus;
    d.mem += job.mem;
    d.disk += job.disk;
    this.demandAt.set(run.due, d);
  }

  /** What the runs held for instants up to `at` ask for (offers are kept for that much: core/offers-to-keep.ts). */
  demandBy(at: Instant): Demand {
    const sum: Demand = { runs: 0, cpus: 0, mem: 0, disk: 0 };
    for (const [due, d] of this.demandAt) {
      if (due > at) continue;
      sum.runs += d.runs;
      sum.cpus += d.cpus;
      sum.mem += d.mem;
      sum.disk += d.disk;
    }
    return sum;
  }

  /** A prepared run loaded at start (a previous leader prepared it): held as if prepared here. */
  adopt(run: Run, now: Instant): void {
    const job = this.ctx.jobs.get(run.jobName);
    if (!job || run.state !== 'QUEUED' || run.trigger !== 'schedule' || run.attempt !== 0 || run.due <= now) return;
    if (this.ctx.runs.delayedRuns.has(run.taskId)) this.hold(run, job);
  }

  clear(): void {
    this.held.clear();
    this.byDue.clear();
    this.toWithdraw.clear();
    this.demandAt.clear();
  }

  /**
   * The prepared runs due at `now` that are no longer what the tick would make now (their job
   * changed since, or its overlap policy no longer says start), with those whose withdrawal failed
   * before. The rest are released by the tick as any delayed run.
   */
  stale(now: Instant, overlapOf: (job: Job, due: Instant) => OverlapDecision): Run[] {
    for (const due of this.demandAt.keys()) if (due <= now) this.demandAt.delete(due);
    while (this.byDue.size > 0 && this.byDue.peekKey()! <= now) {
      const taskId = this.byDue.pop()!.value;
      const preparedFrom = this.held.get(taskId);
      this.held.delete(taskId);
      const run = this.ctx.runs.delayedRuns.get(taskId);
      if (!preparedFrom || !run) continue; // dropped meanwhile (its job deleted)
      const job = this.ctx.jobs.get(run.jobName);
      if (!job || !sameRun(preparedFrom, job) || overlapOf(job, run.due).action !== 'start') this.toWithdraw.set(taskId, run);
    }
    return [...this.toWithdraw.values()].filter((r) => this.ctx.runs.delayedRuns.has(r.taskId));
  }

  /**
   * Withdraws stale prepared runs: deletes their rows (still QUEUED), drops them from memory and
   * puts their jobs back into the schedule index, so the tick decides their instants as it would
   * have without the preparation. If the store fails they stay to withdraw (and are not released):
   * the tick fails and is tried again.
   */
  async withdraw(runs: readonly Run[], now: Instant): Promise<void> {
    if (runs.length === 0) return;
    const { ctx } = this;
    const gone = new Set(await ctx.store.runs.withdraw(runs.map((r) => r.taskId)));
    for (const run of runs) {
      this.toWithdraw.delete(run.taskId);
      // not QUEUED in the store (not expected: only this worker launches): released as it is
      if (!gone.has(run.taskId)) continue;
      ctx.runs.forgetDelayed(run.taskId);
      ctx.index.launched(run.jobName);
      const job = ctx.jobs.get(run.jobName);
      if (job) ctx.index.reindex(job, now);
    }
  }
}
