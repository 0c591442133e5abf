/**
 * The worker: one per process, acting only while leader. It holds the jobs, the dependency graph
 * with its stored edge counters, the schedule index and the runs in memory (worker-context.ts),
 * and answers the Mesos framework (offers, status updates) and the API. Every decision is stored
 * before it is acted on: a run is written before it is launched, an update before it is
 * acknowledged, so a crash or a leader change never loses or repeats a run.
 *
 * Its parts, each in its own file, all running as steps of one queue (step-queue.ts: one writer
 * at a time):
 *   - due-runs.ts        the timer and the tick: due instants become runs
 *   - launch-planner.ts  offer rounds: match, build, record, launch
 *   - update-batcher.ts  status updates, stored in batches
 *   - job-writes.ts      the API's job writes, stored in batches
 * What a run that ended changes is decided by scheduler/core/outcome.ts.
 */
import { DependencyGraph } from '../core/dag';
import type { Job, Offer, Run, RunState } from '../core/types';
import { isTerminal } from '../core/types';
import { parseTaskId } from '../core/taskid';
import type { Clock, FrameworkDriver, JobActivity, OfferDecision, RunPatch, SchedulerRuntime, Store, TaskUpdate } from '../ports';
import { DueRuns } from './due-runs';
import { EventBus } from './events';
import { JobWrites, sameList } from './job-writes';
import { LaunchPlanner } from './launch-planner';
import { StepQueue } from './step-queue';
import { UpdateBatcher } from './update-batcher';
import { WorkerContext, type WorkerSettings } from './worker-context';

export { runStateOf } from './update-batcher';
export type { FrameworkDriver, OfferDecision, TaskUpdate } from '../ports';

export interface WorkerOptions extends Partial<WorkerSettings> {
  store: Store;
  clock: Clock;
  events?: EventBus;
}

export class Worker implements SchedulerRuntime {
  readonly events: EventBus;
  private readonly ctx: WorkerContext;
  private readonly steps = new StepQueue();
  private readonly due: DueRuns;
  private readonly launches: LaunchPlanner;
  private readonly updates: UpdateBatcher;
  private readonly writes: JobWrites;

  constructor(opts: WorkerOptions) {
    this.events = opts.events ?? new EventBus();
    this.ctx = new WorkerContext(opts.store, opts.clock, this.events, {
      retryDelayMs: opts.retryDelayMs ?? 60_000,
      disableAfterFailures: opts.disableAfterFailures ?? 0,
      killGraceMs: opts.killGraceMs ?? 5_000,
      role: opts.role ?? '*',
      instanceId: opts.instanceId ?? 'localhost:8080',
    });
    this.due = new DueRuns(this.ctx, this.steps);
    this.ctx.wake = () => this.due.arm();
    this.launches = new LaunchPlanner(this.ctx);
    this.updates = new UpdateBatcher(this.ctx, this.steps);
    this.writes = new JobWrites(this.ctx, this.steps, this.due);
  }

  attachFramework(fw: FrameworkDriver): void {
    this.ctx.framework = fw;
  }

  /* ------------------------------------------------------------------ lifecycle */

  /**
   * Loads every job, edge counter and unfinished run from the store and starts the timers. Runs
   * as a step, so API changes made while it loads are applied after the load.
   */
  start(): Promise<void> {
    return this.steps.run(() => this.load());
  }

  private async load(): Promise<void> {
    const { ctx } = this;
    const [jobs, counters, active] = await Promise.all([ctx.store.jobs.list(), ctx.store.edges.load(), ctx.store.runs.listActive()]);
    ctx.jobs = new Map(jobs.map((j) => [j.name, j]));
    ctx.graph = new DependencyGraph();
    // Parents first so every edge finds its parent.
    for (const job of jobs) if (!job.parents) ctx.graph.upsertJob(job.name, []);
    for (const job of jobs) {
      if (job.parents) {
        const r = ctx.graph.upsertJob(job.name, job.parents.filter((p) => ctx.jobs.has(p)));
        if (!r.ok) ctx.report('dag', `job ${job.name}: ${JSON.stringify(r.error)}`);
      }
    }
    ctx.index.clear();
    const edgeCounts: { child: string; parent: string; count: number }[] = [];
    for (const [child, parents] of counters) for (const [parent, count] of parents) edgeCounts.push({ child, parent, count });
    ctx.graph.importCounters(edgeCounts);

    const now = ctx.clock.now();
    for (const run of active) ctx.track(run, now);
    // reindex never throws: a job whose schedule cannot be read is set aside with the reason
    for (const job of jobs) ctx.index.reindex(job, now);
    this.due.running = true;
    this.due.arm();
    ctx.emitQueue();
    if (ctx.runs.queue.size > 0) ctx.framework?.workArrived();
  }

  stop(): void {
    this.due.stop();
  }

  /**
   * Resolves once every step queued before this call has run (a tick the timer started, an offer
   * round, a batch of updates): tests await it instead of sleeping.
   */
  idle(): Promise<void> {
    return this.steps.run(async () => {});
  }

  /** Creates the runs of every job due now and releases due retries (the timer calls it). */
  tick(): Promise<void> {
    return this.due.tick();
  }

  /* ------------------------------------------------------------------ the framework's side */

  /** True while runs wait for offers (the framework REVIVEs / SUPPRESSes on it). */
  hasWork(): boolean {
    return this.ctx.runs.queue.size > 0;
  }

  /** Non-terminal launched runs, for reconciliation. */
  activeTasks(): Array<{ taskId: string; agentId: string | null }> {
    return this.ctx.runs.activeTasks();
  }

  onOffers(offers: Offer[]): Promise<OfferDecision> {
    return this.steps.run(() => this.launches.handleOffers(offers));
  }

  /** Persists an update and everything it causes; resolves only when all of it is stored. */
  onUpdate(update: TaskUpdate): Promise<void> {
    return this.updates.add(update);
  }

  /* ------------------------------------------------------------------ SchedulerRuntime (API) */

  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.steps.run(async () => {
      const parents = job.parents ?? [];
      if (job.parents && !sameList(previous?.parents ?? [], parents)) await this.ctx.store.edges.resetChild(job.name, job.parents);
      this.writes.apply(job, previous);
      this.due.tickIfDue();
    });
  }

  storeJob(job: Job, keep: readonly (keyof Job)[] = []): Promise<boolean> {
    return this.writes.store(job, keep);
  }

  jobDeleted(job: Job): Promise<void> {
    return this.steps
      .run(async () => {
        const { ctx } = this;
        ctx.jobs.delete(job.name);
        ctx.index.remove(job.name);
        ctx.graph.removeJob(job.name);
        // Its queued runs were settled SKIPPED ("job deleted") in the delete's transaction.
        const now = ctx.clock.now();
        for (const run of ctx.runs.dropJob(job.name)) {
          this.events.emit('run', { run: { ...run, state: 'SKIPPED', finishedAt: now, message: 'skipped: job deleted' }, previous: run.state });
        }
        // Children were re-parented in the store by the API, which then calls jobChanged for each.
        this.events.emit('job', { name: job.name, change: 'deleted' });
        ctx.emitQueue();
      })
      .then(() => this.killJob(job.name));
  }

  runNow(job: Job, args: string): Promise<string> {
    return this.steps.run(async () => {
      const { ctx } = this;
      const now = ctx.clock.now();
      const nr = ctx.newRun(job, now, 0, args, 'manual', now);
      const run = await ctx.store.runs.create(nr);
      if (run) {
        ctx.track(run, now);
        this.events.emit('run', { run, previous: null });
        ctx.emitQueue();
        ctx.framework?.workArrived();
      }
      return nr.taskId;
    });
  }

  markSuccess(job: Job): Promise<void> {
    return this.steps.run(async () => {
      const { ctx } = this;
      const now = ctx.clock.now();
      const effects = ctx.outcome(ctx.jobs.get(job.name) ?? job, { attempt: 0, arguments: '' }, 'FINISHED', now);
      const [created] = await ctx.storeEffects([effects], async () => {});
      ctx.applyEffects(effects, now, created ?? []);
    });
  }

  async killJob(name: string): Promise<void> {
    const targets = [...this.ctx.runs.inflight.values()].filter((r) => r.jobName === name);
    await Promise.all(targets.map((r) => this.ctx.framework?.kill(r.taskId, r.agentId, this.ctx.settings.killGraceMs)));
  }

  completeTask(taskId: string, statusCode: number): Promise<boolean> {
    const parsed = parseTaskId(taskId);
    if (!parsed.ok) return Promise.resolve(false);
    return this.steps.run(async () => {
      const { ctx } = this;
      const run = ctx.runs.inflight.get(taskId) ?? (await ctx.store.runs.getByTaskId(taskId));
      if (!run || isTerminal(run.state)) return false;
      const job = ctx.jobs.get(run.jobName);
      const state: RunState = statusCode === 0 ? 'FINISHED' : 'FAILED';
      const now = ctx.clock.now();
      const patch: RunPatch = { state, finishedAt: now, message: `completed with status code ${statusCode}` };
      const effects = job ? ctx.outcome(job, run, state, now) : null;
      const [created] = await ctx.storeEffects(effects ? [effects] : [], (tx) => tx.runs.updateMany([{ taskId, patch }]));
      ctx.runs.untrackInflight(run);
      this.events.emit('run', { run: { ...run, ...patch } as Run, previous: run.state });
      if (effects) ctx.applyEffects(effects, now, created ?? []);
      return true;
    });
  }

  /** Queued and running counts of a job (one pass over the queue per event-loop turn). */
  activity(name: string): JobActivity {
    return this.ctx.runs.activity(name);
  }

  leader(): string {
    return this.ctx.settings.instanceId;
  }

  /**
   * Every job as this worker holds it, for the API's GET /jobs (scheduler/api/chronos-service.ts):
   * null until the load has finished and after stop. Read-only; the worker replaces a job's object
   * on every change and never mutates one, so readers may cache per object.
   */
  jobsView(): ReadonlyMap<string, Job> | null {
    return this.due.running ? this.ctx.jobs : null;
  }

  /* ------------------------------------------------------------------ read-only views for the UI API
   * (scheduler/api/ui-service.ts). Copies of the worker's own state; nothing here changes it. */

  /** Runs waiting to launch: due ones (the queue, oldest due first), then retries not yet due. */
  queuedRuns(): Run[] {
    return this.ctx.runs.queuedRuns();
  }

  /** Runs launched and not yet terminal (STAGING, STARTING, RUNNING, KILLING). */
  inflightRuns(): Run[] {
    return this.ctx.runs.inflightRuns();
  }

  /** Why a job is out of the schedule (its schedule cannot be read or advanced); null when it is not. */
  setAsideReason(name: string): string | null {
    return this.ctx.index.asideReason(name);
  }

  /**
   * Why a queued run is waiting, in words; null when the run is not queued here. `framework` is
   * the Mesos framework's connection state when the caller knows it (the worker only knows a
   * driver is attached). Order: a retry not yet due; no framework; framework disconnected; the
   * matcher's latest reason (no offer fits cpus/mem/disk, a constraint, a concurrent run); else
   * waiting for an offer.
   */
  waitingReason(taskId: string, framework?: { connected: boolean } | null): string | null {
    const { ctx } = this;
    const delayed = ctx.runs.delayedRuns.get(taskId);
    if (delayed) return `retry due at ${ctx.isoUtc(delayed.due)}`;
    if (!ctx.runs.queue.has(taskId)) return null;
    if (!ctx.framework) return 'no Mesos master configured: nothing is launched';
    if (framework && !framework.connected) return 'framework disconnected';
    const u = ctx.lastUnplaced.get(taskId);
    if (u) return u.detail;
    return 'waiting for an offer';
  }
}
