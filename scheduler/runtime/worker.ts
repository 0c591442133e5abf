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
 *   - run-kills.ts       kills for a reason (Replace at the tick and on every update, a cancelled backfill)
 * What a run that ended changes is decided by scheduler/core/outcome.ts.
 */
import type { ChangeStamp } from '../core/job-version';
import { DependencyGraph } from '../core/dag';
import { isTerminal, type Instant, type Job, type Offer, type Run, type RunState } from '../core/types';
import { launchNotBefore } from '../core/jitter';
import { parseTaskId, taskArguments } from '../core/taskid';
import type { Clock, FrameworkDriver, FrameworkPorts, JobActivity, Launch, NewRun, OfferDecision, RerunAt, RunPatch, SchedulerRuntime, Store, TaskUpdate } from '../ports';
import { reasonOf } from './isolate';
import { DueRuns } from './due-runs';
import { EventBus } from './events';
import { JobWrites, sameList } from './job-writes';
import { LaunchPlanner } from './launch-planner';
import { PauseTimer } from './pause-timer';
import { RunKills } from './run-kills';
import { StepQueue } from './step-queue';
import type { TakeoverTrace } from './takeover-trace';
import { UpdateBatcher } from './update-batcher';
import { WorkerContext, type WorkerSettings } from './worker-context';
import { inNameOrder, type JobSourceLoad } from './job-source-load';

export { runStateOf } from './update-batcher';
export type { JobSourceLoad } from './job-source-load';
export type { FrameworkDriver, OfferDecision, TaskUpdate } from '../ports';
type StoreTx = Parameters<Parameters<Store['transaction']>[0]>[0];

/** One job at one instant of a backfill, to run. */
export interface BackfillLaunch {
  job: string;
  due: Instant;
  attempt: number;
}

export type BackfillLaunchResult = { taskId: string; created: boolean } | { error: string };

export interface WorkerOptions extends Partial<WorkerSettings> {
  store: Store;
  clock: Clock;
  events?: EventBus;
  /**
   * Where the load takes every job from instead of the store (a warm standby's mirror,
   * standby-mirror.ts, caught up after the epoch raise); null from it: the store.
   */
  jobSource?: () => Promise<JobSourceLoad | null>;
  /** The unfinished runs, oldest due first, for the load (a warm standby's, standby-runs.ts); null from it: the store. */
  runSource?: () => Promise<Run[] | null>;
  /** A takeover's phases: the load marks its own (takeover-trace.ts). */
  trace?: TakeoverTrace;
}

/** The longest the first reconciliation waits for the runs queued at load to launch (activeTasks). */
const RECONCILE_DEFER_MS = 3_000;

/** Deferred schedules indexed per event-loop turn after a warm takeover. */
const DEFERRED_CHUNK = 500;

export class Worker implements SchedulerRuntime, FrameworkPorts {
  readonly events: EventBus;
  private readonly ctx: WorkerContext;
  private readonly steps = new StepQueue();
  private readonly due: DueRuns;
  private readonly launches: LaunchPlanner;
  private readonly updates: UpdateBatcher;
  private readonly kills: RunKills;
  private readonly writes: JobWrites;
  private readonly pauses: PauseTimer;

  private readonly jobSource: WorkerOptions['jobSource'];
  private readonly runSource: WorkerOptions['runSource'];
  private readonly trace: TakeoverTrace | undefined;

  constructor(opts: WorkerOptions) {
    this.jobSource = opts.jobSource;
    this.runSource = opts.runSource;
    this.trace = opts.trace;
    this.events = opts.events ?? new EventBus();
    this.ctx = new WorkerContext(opts.store, opts.clock, this.events, {
      retryDelayMs: opts.retryDelayMs ?? 60_000,
      disableAfterFailures: opts.disableAfterFailures ?? 0,
      killGraceMs: opts.killGraceMs ?? 5_000,
      unknownGraceMs: opts.unknownGraceMs ?? 10 * 60_000,
      role: opts.role ?? '*',
      instanceId: opts.instanceId ?? 'localhost:8080',
      notify: opts.notify ?? null,
      catchUpMax: opts.catchUpMax ?? 100,
      catchUpGraceMs: opts.catchUpGraceMs ?? 60_000,
      prepareAheadMs: opts.prepareAheadMs ?? 0,
    });
    const kills = (this.kills = new RunKills(this.ctx));
    this.due = new DueRuns(this.ctx, this.steps, kills);
    this.ctx.wake = () => this.due.arm();
    this.launches = new LaunchPlanner(this.ctx);
    this.updates = new UpdateBatcher(this.ctx, this.steps, kills);
    this.writes = new JobWrites(this.ctx, this.steps, this.due);
    this.pauses = new PauseTimer(this.ctx, this.writes);
    this.ctx.herdSoon = (now) => this.due.herdSoon(now);
    this.ctx.herdNeed = (at) => this.due.herdNeed(at);
  }

  attachFramework(fw: FrameworkDriver): void {
    this.ctx.framework = fw;
  }

  /* ------------------------------------------------------------------ lifecycle */

  /**
   * Loads every job, edge counter and unfinished run from the store (or the sources) and starts the timers. Runs
   * as a step, so API changes made while it loads are applied after the load.
   */
  start(): Promise<void> {
    this.loaded = this.steps.run(() => this.load());
    return this.loaded;
  }

  /** The load started by start(), once it has run (the framework may subscribe meanwhile). */
  private loaded: Promise<void> = Promise.resolve();

  private async load(): Promise<void> {
    const { ctx } = this;
    const source = this.jobSource;
    const mark = (phase: string) => <T>(v: T): T => (this.trace?.mark(phase), v);
    const listJobs = async (): Promise<JobSourceLoad> => (source ? await source() : null) ?? { jobs: await ctx.store.jobs.list() };
    const listRuns = async (): Promise<Run[]> => (this.runSource ? await this.runSource() : null) ?? (await ctx.store.runs.listActive());
    const [{ jobs, later, soon, graph }, counters, active] = await Promise.all([
      listJobs().then(mark('jobs in hand')),
      ctx.store.edges.load().then(mark('edge counters read')),
      listRuns().then(mark('unfinished runs read')),
    ]);
    // no [name, job] pair nor { name, parents } copy per job: at a million jobs those were ~90 MB
    // of garbage on top of the jobs, at the start-up's peak
    if (jobs instanceof Map) ctx.jobs = jobs;
    else {
      ctx.jobs = new Map();
      for (const j of jobs) ctx.jobs.set(j.name, j);
    }
    // Every job first, then the edges: a dependency job listed before its own parent (`load`, child
    // of `transform`, by name) finds it (adding them one by one dropped such a child on every start).
    const built = graph ?? DependencyGraph.fromJobs(inNameOrder(jobs).map((j) => (j.parents ? { name: j.name, parents: j.parents.filter((p) => ctx.jobs.has(p)) } : j)));
    ctx.graph = built.graph;
    for (const r of built.rejected) ctx.report('dag', `job ${r.name}: ${JSON.stringify(r.error)}`);
    this.trace?.mark('graph built');
    ctx.index.clear();
    const edgeCounts: { child: string; parent: string; count: number }[] = [];
    for (const [child, parents] of counters) for (const [parent, count] of parents) edgeCounts.push({ child, parent, count });
    ctx.graph.importCounters(edgeCounts);

    const now = ctx.clock.now();
    this.due.prepared.clear();
    for (const run of active) ctx.track(run, now);
    // runs a previous leader prepared ahead of their instants: checked at the instant as if prepared here
    for (const run of active) this.due.prepared.adopt(run, now);
    this.trace?.mark('runs tracked');
    // reindex never throws: a job whose schedule cannot be read is set aside with the reason
    // a turn of the event loop now and then (ZooKeeper's pings, the pause detector): at 100,000
    // jobs on a loaded machine, one loop held it for seconds
    const deferred = later && soon && later.size > 0 ? later : null;
    const indexNow = deferred ? soon! : inNameOrder(jobs);
    let i = 0;
    for (const job of indexNow) {
      ctx.index.reindex(job, now);
      if (++i % DEFERRED_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (deferred) ctx.index.defer(deferred, now);
    this.trace?.mark('schedule index built');
    this.due.running = true;
    this.due.arm();
    this.pauses.start(ctx.jobs.values());
    ctx.emitQueue();
    if (ctx.runs.queue.size > 0) ctx.framework?.workArrived();
    if (deferred) this.deferring = this.indexDeferred();
    this.trace?.mark('loaded');
  }

  /** The schedules deferred by a warm load (JobSourceLoad.later), all indexed (tests). */
  private deferring: Promise<void> = Promise.resolve();

  /** Resolves once every schedule deferred by the load is indexed (at once after a cold load). */
  async scheduleIndexed(): Promise<void> {
    await this.loaded;
    await this.deferring;
  }

  /**
   * The deferred schedules: once the runs due at the load have launched (or after
   * RECONCILE_DEFER_MS), a chunk per event-loop turn (steps, ticks and offers go on between).
   */
  private async indexDeferred(): Promise<void> {
    const { ctx } = this;
    await this.firstLaunches();
    while (this.due.running && ctx.index.indexDeferred(DEFERRED_CHUNK) > 0) {
      ctx.wake();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.due.running) ctx.wake();
  }

  stop(): void {
    this.due.stop();
    this.pauses.stop();
    this.updates.stop();
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

  /* ------------------------------------------------------------------ the framework's side (FrameworkPorts) */

  /** The Mesos framework id, kept in the store. */
  loadFrameworkId(): Promise<string | null> {
    return this.ctx.store.framework.getFrameworkId();
  }

  saveFrameworkId(id: string): Promise<void> {
    return this.ctx.store.framework.setFrameworkId(id);
  }

  /**
   * True while runs wait for offers, or runs prepared ahead come due soon (offers are asked for and
   * kept for them): the framework REVIVEs / SUPPRESSes on it.
   */
  hasWork(): boolean {
    return this.ctx.runs.queue.size > 0 || this.ctx.herdSoon(this.ctx.clock.now()) !== null;
  }

  /**
   * Non-terminal launched runs, for reconciliation. The first time (after this worker's load: a
   * start or a takeover), asked while runs wait for offers, it answers once none waits, or after
   * RECONCILE_DEFER_MS: reconciling 10,000 running tasks is 10,000 status updates in the event
   * stream and the worker's queue, and the first launches of a new leader need not wait behind
   * them. The tasks are tracked from the database meanwhile; an update Mesos has for them comes
   * anyway (unacknowledged updates are sent again to the re-subscribed framework).
   */
  async activeTasks(): Promise<Array<{ taskId: string; agentId: string | null }>> {
    await this.loaded; // asked after a SUBSCRIBED that came while the runs were loading
    await this.firstLaunches();
    return this.ctx.runs.activeTasks();
  }

  private launchedFirst: Promise<void> | null = null;

  /** Resolves once the runs due at the load have launched, or RECONCILE_DEFER_MS after the load. */
  private firstLaunches(): Promise<void> {
    this.launchedFirst ??= (async () => {
      await this.loaded;
      // the load's first tick (runs already due) first: its timer fires on the next turn
      await new Promise((r) => setTimeout(r, 0));
      await this.idle();
      this.trace?.mark('due runs created');
      const until = performance.now() + RECONCILE_DEFER_MS;
      while (this.due.running && this.ctx.runs.queue.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    })();
    return this.launchedFirst;
  }

  onOffers(offers: Offer[], accept?: (launches: Launch[]) => void): Promise<OfferDecision> {
    this.trace?.mark('first offers');
    return this.steps.run(() => this.launches.handleOffers(offers, accept));
  }

  /** Persists an update and everything it causes; resolves only when all of it is stored. */
  onUpdate(update: TaskUpdate): Promise<void> {
    return this.updates.add(update);
  }

  /* ------------------------------------------------------------------ SchedulerRuntime (API) */

  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.apiStep(async () => {
      const parents = job.parents ?? [];
      if (job.parents && !sameList(previous?.parents ?? [], parents)) await this.ctx.store.edges.resetChild(job.name, job.parents);
      this.writes.apply(job, previous);
      this.due.tickIfDue();
    });
  }

  storeJob(job: Job, keep: readonly (keyof Job)[] = [], stamp?: ChangeStamp): Promise<boolean> {
    return this.writes.store(job, keep, stamp);
  }

  jobDeleted(job: Job): Promise<void> {
    return this.apiStep(async () => {
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
    }).then(() => this.killJob(job.name));
  }

  runNow(job: Job, args: string, at?: RerunAt): Promise<string> {
    return this.apiStep(async () => {
      const { ctx } = this;
      const now = ctx.clock.now();
      const nr = ctx.newRun(job, at?.due ?? now, at?.attempt ?? 0, args, 'manual', now, 'QUEUED', null, at?.intendedDue ?? null);
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

  /**
   * Creates the runs of backfill items (trigger `backfill`, due: the instant) in one transaction
   * with `record`, which marks the items (backfill-runner.ts): a run is stored exactly when its
   * item is. Each result: the task id and whether the run is new (false: it existed already), or
   * why it cannot run (its job is gone, its task id cannot be made).
   */
  launchBackfill(items: readonly BackfillLaunch[], record: (tx: StoreTx, results: BackfillLaunchResult[]) => Promise<void>): Promise<BackfillLaunchResult[]> {
    return this.apiStep(async () => {
      const { ctx } = this;
      const now = ctx.clock.now();
      const planned = items.map((i): NewRun | string => {
        const job = ctx.jobs.get(i.job);
        if (!job) return 'the job no longer exists';
        try {
          return ctx.newRun(job, i.due, i.attempt, taskArguments(job), 'backfill', now);
        } catch (e) {
          return reasonOf(e);
        }
      });
      const created: Run[] = [];
      const results = await ctx.store.transaction(async (tx) => {
        created.length = 0; // run again after a deadlock
        const out: BackfillLaunchResult[] = [];
        for (const p of planned) {
          if (typeof p === 'string') {
            out.push({ error: p });
            continue;
          }
          const run = await tx.runs.create(p);
          if (run) created.push(run);
          out.push({ taskId: p.taskId, created: run !== null });
        }
        await record(tx, out);
        return out;
      });
      for (const run of created) {
        ctx.track(run, now);
        this.events.emit('run', { run, previous: null });
      }
      if (created.length > 0) {
        ctx.emitQueue();
        ctx.framework?.workArrived();
      }
      return results;
    });
  }

  /**
   * Stops runs for a reason of ours (a cancelled backfill): one in flight is killed, `killed`
   * (starting "killed: ") stored first; one queued is settled SKIPPED with `skipped`. A run that
   * ended, or that this worker already killed, is left.
   */
  cancelRuns(items: readonly { taskId: string; killed: string; skipped: string }[]): Promise<void> {
    return this.apiStep(() => this.kills.cancel(items));
  }

  markSuccess(job: Job): Promise<void> {
    return this.apiStep(async () => {
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
    return this.apiStep(async () => {
      const { ctx } = this;
      const run = ctx.runs.inflight.get(taskId) ?? (await ctx.store.runs.getByTaskId(taskId));
      if (!run || isTerminal(run.state)) return false;
      const job = ctx.jobs.get(run.jobName);
      const state: RunState = statusCode === 0 ? 'FINISHED' : 'FAILED';
      const now = ctx.clock.now();
      const patch: RunPatch = { state, finishedAt: now, message: `completed with status code ${statusCode}` };
      const effects = job ? ctx.outcome(job, { ...run, ...patch } as Run, state, now) : null;
      const [created] = await ctx.storeEffects(effects ? [effects] : [], (tx) => tx.runs.updateMany([{ taskId, patch }]));
      ctx.runs.untrackInflight(run);
      this.events.emit('run', { run: { ...run, ...patch } as Run, previous: run.state });
      if (effects) ctx.applyEffects(effects, now, created ?? []);
      return true;
    });
  }

  /**
   * A step an API caller waits for (a manual run, a delete, a job change, mark success, an async
   * completion): urgent, so it waits for about one step instead of every queued batch of launches
   * and updates (a manual run waited 10-31 s behind a backlog of retries; StepQueue alternates
   * urgent and other steps, so launches still go on).
   */
  private apiStep<T>(fn: () => Promise<T>): Promise<T> {
    return this.steps.run(fn, true);
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
    if (delayed) {
      if (delayed.trigger === 'retry') return `retry due at ${ctx.isoUtc(delayed.due)}`;
      const job = ctx.jobs.get(delayed.jobName);
      if (!job?.jitter) return `prepared: launches at ${ctx.isoUtc(delayed.due)}`;
      return `jitter ${job?.jitter ?? ''}: launches at ${ctx.isoUtc(job ? launchNotBefore(job, delayed.due) : delayed.due)}`;
    }
    if (!ctx.runs.queue.has(taskId)) return null;
    if (!ctx.framework) return 'no Mesos master configured: nothing is launched';
    if (framework && !framework.connected) return 'framework disconnected';
    const u = ctx.lastUnplaced.get(taskId);
    if (u) return u.detail;
    return 'waiting for an offer';
  }
}
