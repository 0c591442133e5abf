/**
 * The worker: one per process, acting only while leader. It keeps
 *   - the schedule index (min-heap of each scheduled job's next due instant; no O(jobs) scan),
 *   - the run queue (runs due and waiting for an offer) and the delayed runs (retries),
 *   - the dependency graph with its persisted edge counters,
 *   - the runs in flight,
 * and answers the Mesos framework's callbacks (offers, status updates). Every decision is
 * persisted before it is acted on: a run is written before it is launched, an update before it
 * is acknowledged, so a crash or a leader change never loses or repeats a run.
 */
import type { Clock, SchedulerRuntime, JobActivity, Store, NewRun, RunPatch } from '../ports';
import type { Instant, Job, Offer, Run, RunState, RunTrigger } from '../core/types';
import { isTerminal } from '../core/types';
import { DependencyGraph, type CounterSnapshot } from '../core/dag';
import { matchOffers, offeredTotals, type PendingTask, type Unplaced } from '../core/matcher';
import { buildTaskInfo } from '../core/taskinfo';
import { formatTaskId, parseTaskId, taskArguments } from '../core/taskid';
import { launchAdvance, nextDueAt, parseJobSchedule, type JobSchedule } from './schedules';
import { MinHeap } from './heap';
import { RunQueue } from './run-queue';
import { EventBus } from './events';

/** What the worker needs from the Mesos framework adapter. */
export interface FrameworkDriver {
  /** New work is waiting: REVIVE (rate-limited by the driver). */
  workArrived(): void;
  kill(taskId: string, agentId: string | null, gracePeriodMs: number): Promise<void>;
}

/** Decision returned to the framework for one OFFERS event. */
export interface OfferDecision {
  launches: Array<{ agentId: string; offerIds: string[]; taskInfos: object[] }>;
  declines: string[];
}

/** A status update as the framework adapter hands it over. */
export interface TaskUpdate {
  taskId: string;
  /** Mesos TaskState name, e.g. TASK_RUNNING. */
  state: string;
  message?: string | null;
  reason?: string | null;
  agentId?: string | null;
  timestamp?: number | null;
}

export interface WorkerOptions {
  store: Store;
  clock: Clock;
  events?: EventBus;
  /** Delay before a failed run is retried (Chronos --failure_retry, 60 s). */
  retryDelayMs?: number;
  /** Disable a job after this many failures since its last success (0 = never). */
  disableAfterFailures?: number;
  /** Grace period of a KILL. */
  killGraceMs?: number;
  /** Mesos role the framework uses. */
  role?: string;
  /** This instance's id (host:port), for GET /leader. */
  instanceId?: string;
}

const ACTIVE_BEFORE_LAUNCH: ReadonlySet<RunState> = new Set(['QUEUED']);

/** An ISO 8601 schedule whose start is left empty (`R1//PT1H`): its start is "now" when read. */
const OPEN_START = /^R\d*\/\//;

/** Most status updates persisted in one transaction. */
const UPDATE_BATCH_MAX = 2000;
/**
 * How much of the queue an offer round matches: runs in launch order until their demand is
 * `times` what the offers hold (in cpus, mem or disk), and never fewer than `min` runs that could
 * take room. A head of more than `min` runs that fit no agent (a constraint no agent meets) would
 * keep smaller runs behind it waiting; the matcher's priority rule holds within the window.
 */
const OFFER_WINDOW = { min: 1000, times: 4 };

/** What a terminal run does to its job, retries and children (see Worker.outcome). */
interface Effects {
  jobs: Job[];
  runs: NewRun[];
  /** Non-zero counters of the edges into `touched` once this outcome is applied. */
  counters: { child: string; parent: string; count: number }[];
  /** The children whose counters this outcome moves. */
  touched: string[];
}

/** Maps a Mesos TaskState name to a run state (partition states collapse to LOST or stay). */
export function runStateOf(mesosState: string): RunState | null {
  switch (mesosState) {
    case 'TASK_STAGING':
      return 'STAGING';
    case 'TASK_STARTING':
      return 'STARTING';
    case 'TASK_RUNNING':
      return 'RUNNING';
    case 'TASK_KILLING':
      return 'KILLING';
    case 'TASK_FINISHED':
      return 'FINISHED';
    case 'TASK_FAILED':
      return 'FAILED';
    case 'TASK_KILLED':
      return 'KILLED';
    case 'TASK_ERROR':
      return 'ERROR';
    case 'TASK_DROPPED':
      return 'DROPPED';
    case 'TASK_LOST':
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
    case 'TASK_UNKNOWN':
      return 'LOST';
    case 'TASK_UNREACHABLE':
      return null; // may come back: keep the run as it is
    default:
      return null;
  }
}

const isoUtc = (t: Instant) => new Date(t).toISOString();

export class Worker implements SchedulerRuntime {
  readonly events: EventBus;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly retryDelayMs: number;
  private readonly disableAfterFailures: number;
  private readonly killGraceMs: number;
  private readonly role: string;
  private readonly instanceId: string;

  private jobs = new Map<string, Job>();
  private schedules = new Map<string, JobSchedule>();
  private graph = new DependencyGraph();
  /** Schedule index: key = due instant; value = job name + generation for lazy deletion. */
  private index = new MinHeap<{ name: string; gen: number }>();
  private indexGen = new Map<string, number>();
  /** Jobs whose scheduled run is queued and not yet launched (out of the index until launch). */
  private awaitingLaunch = new Set<string>();
  /** Runs due and waiting for an offer, by task id and in launch order. */
  private queue = new RunQueue();
  /** Runs due in the future (retries), by due instant. */
  private delayed = new MinHeap<string>();
  private delayedRuns = new Map<string, Run>();
  /** Runs launched and not terminal, by task id. */
  private inflight = new Map<string, Run>();
  private inflightByJob = new Map<string, number>();
  /** The latest reasons queued runs could not be placed (for the UI). */
  private lastUnplaced = new Map<string, Unplaced>();
  private activityCache: Map<string, JobActivity> | null = null;

  private framework: FrameworkDriver | null = null;
  private cancelTimer: (() => void) | null = null;
  private timerAt: Instant | null = null;
  private running = false;
  /** State changes that read-modify-write jobs (updates, launches, API changes), one at a time. */
  private steps: Array<() => Promise<void>> = [];
  /** The API's job writes (see serial): ahead of `steps`, but never twice in a row while a step waits there. */
  private urgent: Array<() => Promise<void>> = [];
  private lastUrgent = false;
  private pumping = false;
  /** Status updates waiting for the next batch (see onUpdate). */
  private pendingUpdates: Array<{ update: TaskUpdate; resolve: () => void; reject: (e: unknown) => void }> = [];
  private updateFlushQueued = false;
  /** Job writes from the API waiting for the next turn of the chain (storeJob). */
  private pendingPuts: Array<{ job: Job; keep: readonly (keyof Job)[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  private putFlushQueued = false;
  private tickQueued = false;

  constructor(opts: WorkerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.events = opts.events ?? new EventBus();
    this.retryDelayMs = opts.retryDelayMs ?? 60_000;
    this.disableAfterFailures = opts.disableAfterFailures ?? 0;
    this.killGraceMs = opts.killGraceMs ?? 5_000;
    this.role = opts.role ?? '*';
    this.instanceId = opts.instanceId ?? 'localhost:8080';
  }

  attachFramework(fw: FrameworkDriver): void {
    this.framework = fw;
  }

  /* ------------------------------------------------------------------ lifecycle */

  /**
   * Loads every job, edge counter and unfinished run from the store and starts the timers. Runs
   * in the serial chain, so API changes made while it loads are applied after the load.
   */
  start(): Promise<void> {
    return this.serial(() => this.load());
  }

  private async load(): Promise<void> {
    const [jobs, counters, active] = await Promise.all([
      this.store.jobs.list(),
      this.store.edges.load(),
      this.store.runs.listActive(),
    ]);
    this.jobs = new Map(jobs.map((j) => [j.name, j]));
    this.graph = new DependencyGraph();
    // Parents first so every edge finds its parent.
    for (const job of jobs) if (!job.parents) this.graph.upsertJob(job.name, []);
    for (const job of jobs) {
      if (job.parents) {
        const r = this.graph.upsertJob(job.name, job.parents.filter((p) => this.jobs.has(p)));
        if (!r.ok) this.events.emit('error', { where: 'dag', message: `job ${job.name}: ${JSON.stringify(r.error)}` });
      }
    }
    const edgeCounts: { child: string; parent: string; count: number }[] = [];
    for (const [child, parents] of counters) for (const [parent, count] of parents) edgeCounts.push({ child, parent, count });
    this.graph.importCounters(edgeCounts);

    const now = this.clock.now();
    for (const run of active) this.track(run, now);
    for (const job of jobs) this.reindex(job, now);
    this.running = true;
    this.armTimer();
    this.emitQueue();
    if (this.queue.size > 0) this.framework?.workArrived();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = null;
  }

  /**
   * Runs fn after the state change running now and those queued before it (one writer at a
   * time). `first`: the API's job writes, whose callers wait for them: they go ahead of the queued
   * batches of launches and status updates, so a POST waits for about one step of the chain, not
   * for every batch queued before it; but they alternate with those batches while any wait, so a
   * client writing without pause cannot hold back launches and acknowledgements. Any order of
   * these steps is a valid serialization: each reads the state the previous one left.
   */
  private serial<T>(fn: () => Promise<T>, first = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const step = () => Promise.resolve().then(fn).then(resolve, reject);
      if (first) this.urgent.push(step);
      else this.steps.push(step);
      void this.pump();
    });
  }

  private nextStep(): (() => Promise<void>) | undefined {
    if (this.urgent.length && (!this.lastUrgent || !this.steps.length)) {
      this.lastUrgent = true;
      return this.urgent.shift();
    }
    this.lastUrgent = false;
    return this.steps.shift();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let step = this.nextStep(); step; step = this.nextStep()) await step();
    } finally {
      this.pumping = false;
    }
  }

  /* ------------------------------------------------------------------ bookkeeping of runs */

  private track(run: Run, now: Instant): void {
    if (ACTIVE_BEFORE_LAUNCH.has(run.state)) {
      if (run.due > now) {
        this.delayedRuns.set(run.taskId, run);
        this.delayed.push(run.due, run.taskId);
      } else {
        this.queue.set(run.taskId, run);
      }
      if (run.trigger === 'schedule' || run.trigger === 'immediate') this.awaitingLaunch.add(run.jobName);
    } else if (!isTerminal(run.state)) {
      this.inflight.set(run.taskId, run);
      this.inflightByJob.set(run.jobName, (this.inflightByJob.get(run.jobName) ?? 0) + 1);
    }
  }

  private untrackInflight(run: Run): void {
    if (!this.inflight.delete(run.taskId)) return;
    const n = (this.inflightByJob.get(run.jobName) ?? 1) - 1;
    if (n <= 0) this.inflightByJob.delete(run.jobName);
    else this.inflightByJob.set(run.jobName, n);
  }

  private emitQueue(): void {
    const high = this.queue.high;
    this.events.emit('queue', { high, normal: this.queue.size - high, delayed: this.delayedRuns.size });
  }

  /* ------------------------------------------------------------------ schedule index */

  /** `known`: the job's schedule already parsed (a launch advanced it), so it is not parsed again. */
  private reindex(job: Job, now: Instant, known?: JobSchedule): void {
    const gen = (this.indexGen.get(job.name) ?? 0) + 1;
    this.indexGen.set(job.name, gen);
    this.schedules.delete(job.name);
    if (!job.schedule) return;
    const parsed = known ? { ok: true as const, value: known } : parseJobSchedule(job, now);
    if (!parsed.ok) {
      this.events.emit('error', { where: 'schedule', message: `job ${job.name}: ${parsed.error}` });
      return;
    }
    this.schedules.set(job.name, parsed.value);
    if (job.disabled || this.awaitingLaunch.has(job.name)) return;
    const at = nextDueAt(parsed.value);
    if (at === null) return;
    this.index.push(at, { name: job.name, gen });
  }

  private armTimer(): void {
    if (!this.running) return;
    let next: number | undefined;
    // drop stale index heads so the timer is armed for a live entry
    while (this.index.size > 0) {
      const head = this.index.peek()!;
      if (this.indexGen.get(head.name) === head.gen) break;
      this.index.pop();
    }
    const a = this.index.peekKey();
    const b = this.delayed.peekKey();
    if (a !== undefined) next = a;
    if (b !== undefined) next = next === undefined ? b : Math.min(next, b);
    if (next === undefined) {
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.timerAt = null;
      return;
    }
    if (this.timerAt === next && this.cancelTimer) return;
    this.cancelTimer?.();
    this.timerAt = next;
    const delay = Math.max(0, next + 1 - this.clock.now());
    this.cancelTimer = this.clock.setTimer(delay, () => {
      this.cancelTimer = null;
      this.timerAt = null;
      void this.serial(() => this.tick()).catch((e) =>
        this.events.emit('error', { where: 'tick', message: String((e as Error)?.message ?? e) }),
      );
    });
  }

  /** Creates the runs of every job due now and releases due retries into the queue. */
  async tick(): Promise<void> {
    if (!this.running) return;
    const now = this.clock.now();
    const creates: NewRun[] = [];
    const skipped: { job: Job; schedule: JobSchedule }[] = [];
    const popped: { key: Instant; value: { name: string; gen: number } }[] = [];
    // Due means strictly before now (Chronos): the timer wakes 1 ms after the due instant.
    while (this.index.size > 0 && this.index.peekKey()! < now) {
      const { key: due, value } = this.index.pop()!;
      if (this.indexGen.get(value.name) !== value.gen) continue;
      popped.push({ key: due, value });
      const job = this.jobs.get(value.name);
      const schedule = this.schedules.get(value.name);
      if (!job || !schedule || job.disabled) continue;
      if (job.epsilon && schedule.epsilonMs !== null && now - due > schedule.epsilonMs) {
        skipped.push({ job, schedule });
        creates.push(this.newRun(job, due, 0, taskArguments(job), 'schedule', now, 'SKIPPED', `skipped: ${now - due} ms late, past epsilon ${job.epsilon}`));
        continue;
      }
      this.awaitingLaunch.add(job.name);
      creates.push(this.newRun(job, due, 0, taskArguments(job), schedule.immediate ? 'immediate' : 'schedule', now));
    }
    if (creates.length > 0) {
      let created: Run[];
      try {
        created = await this.store.runs.createMany(creates);
      } catch (e) {
        // Not stored (database down): put the due instants back and try again shortly, so a
        // database outage delays these runs but never loses them.
        for (const p of popped) {
          this.index.push(p.key, p.value);
          this.awaitingLaunch.delete(p.value.name);
        }
        this.retryTickLater();
        throw e;
      }
      for (const run of created) {
        this.events.emit('run', { run, previous: null });
        if (run.state === 'QUEUED') this.track(run, now);
      }
      // A run that already existed is either tracked (a double tick, or loaded at start) or
      // settled long ago: the same due instant never runs twice, so a schedule still pointing at
      // an instant that already ran (e.g. the same past start POSTed again) moves on without a run.
      const createdIds = new Set(created.map((r) => r.taskId));
      for (const c of creates) {
        if (c.state === 'SKIPPED' || createdIds.has(c.taskId)) continue;
        if (this.queue.has(c.taskId) || this.delayedRuns.has(c.taskId) || this.inflight.has(c.taskId)) continue;
        const job = this.jobs.get(c.jobName);
        const schedule = this.schedules.get(c.jobName);
        this.awaitingLaunch.delete(c.jobName);
        if (job && schedule) skipped.push({ job, schedule });
        this.events.emit('error', { where: 'schedule', message: `job ${c.jobName}: due instant ${isoUtc(c.due)} already ran; moving its schedule on` });
      }
      if (skipped.length > 0) {
        try {
          await this.advanceSkipped(skipped, now);
        } catch (e) {
          // the schedule did not advance: the same instant is due again and skipped again later
          for (const { job } of skipped) this.reindex(job, now);
          this.retryTickLater();
          // the runs created above are queued all the same: the framework must hear of them
          this.emitQueue();
          if (this.queue.size > 0) this.framework?.workArrived();
          throw e;
        }
      }
    }
    while (this.delayed.size > 0 && this.delayed.peekKey()! <= now) {
      const taskId = this.delayed.pop()!.value;
      const run = this.delayedRuns.get(taskId);
      if (!run) continue;
      this.delayedRuns.delete(taskId);
      this.queue.set(taskId, run);
    }
    this.emitQueue();
    if (this.queue.size > 0) this.framework?.workArrived();
    this.armTimer();
  }

  /** After a failed tick: arm the timer again in a second (not at once, which would spin). */
  private retryTickLater(): void {
    this.cancelTimer?.();
    this.timerAt = null;
    this.cancelTimer = this.clock.setTimer(1_000, () => {
      this.cancelTimer = null;
      this.armTimer();
    });
  }

  /** A run skipped past its epsilon advances the schedule as a launch would (no run replayed). */
  private async advanceSkipped(items: { job: Job; schedule: JobSchedule }[], now: Instant): Promise<void> {
    const puts: Job[] = [];
    for (const { job, schedule } of items) {
      const next = launchAdvance(schedule, now);
      puts.push({ ...job, schedule: next.expression });
    }
    await this.store.jobs.apply({ update: puts });
    for (const job of puts) {
      this.jobs.set(job.name, job);
      this.reindex(job, now);
    }
  }

  private newRun(
    job: Job,
    due: Instant,
    attempt: number,
    args: string,
    trigger: RunTrigger,
    now: Instant,
    state: RunState = 'QUEUED',
    message: string | null = null,
  ): NewRun {
    return {
      jobName: job.name,
      due,
      attempt,
      taskId: formatTaskId(due, attempt, job.name, args),
      arguments: args,
      trigger,
      highPriority: job.highPriority,
      state,
      queuedAt: now,
      message,
    };
  }

  /* ------------------------------------------------------------------ offers */

  /** True while runs wait for offers (the framework REVIVEs / SUPPRESSes on it). */
  hasWork(): boolean {
    return this.queue.size > 0;
  }

  /** Non-terminal launched runs, for reconciliation. */
  activeTasks(): Array<{ taskId: string; agentId: string | null }> {
    return [...this.inflight.values()].map((r) => ({ taskId: r.taskId, agentId: r.agentId }));
  }

  onOffers(offers: Offer[]): Promise<OfferDecision> {
    return this.serial(() => this.handleOffers(offers));
  }

  private async handleOffers(offers: Offer[]): Promise<OfferDecision> {
    const now = this.clock.now();
    const pending: PendingTask[] = [];
    const dropped: Run[] = [];
    // The matcher sees the head of the queue in launch order: enough runs to fill these offers
    // several times over (OFFER_WINDOW), not the whole queue (10,000 queued runs made every
    // small offer cost milliseconds). Runs that cannot take room (a non-concurrent job already
    // running) do not count towards the window.
    const offered = offeredTotals(offers, this.role);
    const wanted = [0, 0, 0];
    let counted = 0;
    for (const run of this.queue.inOrder()) {
      const job = this.jobs.get(run.jobName);
      if (!job) continue;
      if (job.disabled) {
        // Chronos drops the queued tasks of a disabled job at offer time; we record why.
        dropped.push(run);
        continue;
      }
      if (job.concurrent || !this.inflightByJob.has(job.name)) {
        counted++;
        wanted[0] += job.cpus;
        wanted[1] += job.mem;
        wanted[2] += job.disk;
      }
      if (counted > OFFER_WINDOW.min && wanted.some((w, k) => w > offered[k] * OFFER_WINDOW.times)) break;
      pending.push({
        taskId: run.taskId,
        jobName: run.jobName,
        demand: { cpus: job.cpus, mem: job.mem, disk: job.disk },
        constraints: job.constraints,
        highPriority: run.highPriority,
        concurrent: job.concurrent,
        due: run.due,
      });
    }
    if (dropped.length > 0) await this.dropRuns(dropped, 'job disabled', now);
    const busy = new Set<string>();
    for (const name of this.inflightByJob.keys()) busy.add(name);
    const result = matchOffers({ pending, offers, running: busy, role: this.role });
    this.lastUnplaced = new Map(result.unplaced.map((u) => [u.taskId, u]));

    if (result.launches.length === 0) {
      this.events.emit('offers', { received: offers.length, used: 0, declined: offers.length, launched: 0 });
      return { launches: [], declines: offers.map((o) => o.id) };
    }

    // Persist every launch (run → STAGING, schedules advanced) in one transaction before ACCEPT.
    const patches: { taskId: string; patch: RunPatch }[] = [];
    const advanced = new Map<string, JobSchedule>();
    const jobPuts = new Map<string, Job>();
    const decision: OfferDecision = { launches: [], declines: result.declines };
    const launched: { run: Run; agentId: string; host: string }[] = [];
    for (const launch of result.launches) {
      const taskInfos: object[] = [];
      for (const t of launch.tasks) {
        const run = this.queue.get(t.taskId);
        const job = this.jobs.get(t.jobName);
        if (!run || !job) continue;
        taskInfos.push(
          buildTaskInfo({
            job,
            taskId: run.taskId,
            agentId: launch.agentId,
            resources: t.resources,
            due: run.due,
            attempt: run.attempt,
            arguments: run.arguments,
            hostname: launch.hostname,
          }),
        );
        patches.push({
          taskId: run.taskId,
          patch: { state: 'STAGING', launchedAt: now, agentId: launch.agentId, host: launch.hostname },
        });
        launched.push({ run, agentId: launch.agentId, host: launch.hostname });
        // Chronos advances the schedule at launch, once per launch of a first attempt.
        const schedule = this.schedules.get(job.name);
        if (schedule && run.attempt === 0) {
          const base = jobPuts.get(job.name) ?? job;
          // The held parse is the job's (its start fixed); a start left empty means "now" and is
          // read again at launch, as Chronos does.
          const held = advanced.get(job.name) ?? (OPEN_START.test(base.schedule ?? '') ? null : schedule);
          const current = held ? { ok: true as const, value: held } : parseJobSchedule(base, now);
          if (current.ok) {
            const next = launchAdvance(current.value, now);
            advanced.set(job.name, next.next);
            jobPuts.set(job.name, { ...base, schedule: next.expression });
          }
        }
      }
      if (taskInfos.length > 0) decision.launches.push({ agentId: launch.agentId, offerIds: launch.offerIds, taskInfos });
      else decision.declines.push(...launch.offerIds);
    }
    try {
      await this.store.transaction(async (tx) => {
        await tx.runs.updateMany(patches);
        if (jobPuts.size > 0) await tx.jobs.apply({ update: [...jobPuts.values()] });
      });
    } catch (e) {
      // Nothing launched that is not recorded: decline everything and try again later.
      this.events.emit('error', { where: 'launch', message: `could not record launches: ${(e as Error).message}` });
      return { launches: [], declines: offers.map((o) => o.id) };
    }
    for (const { run, agentId, host } of launched) {
      this.queue.delete(run.taskId);
      const next: Run = { ...run, state: 'STAGING', launchedAt: now, agentId, host };
      this.track(next, now);
      this.events.emit('run', { run: next, previous: run.state });
      if (run.trigger === 'schedule' || run.trigger === 'immediate') this.awaitingLaunch.delete(run.jobName);
    }
    for (const job of jobPuts.values()) {
      this.jobs.set(job.name, job);
      this.reindex(job, now, advanced.get(job.name));
    }
    this.armTimer();
    const used = decision.launches.reduce((n, l) => n + l.offerIds.length, 0);
    this.events.emit('offers', {
      received: offers.length,
      used,
      declined: offers.length - used,
      launched: launched.length,
    });
    this.emitQueue();
    return decision;
  }

  /** Settles queued runs that will never launch as SKIPPED (stored first), with the reason. */
  private async dropRuns(runs: Run[], why: string, now: Instant): Promise<void> {
    const patch: RunPatch = { state: 'SKIPPED', finishedAt: now, message: `skipped: ${why}` };
    await this.store.runs.updateMany(runs.map((r) => ({ taskId: r.taskId, patch })));
    for (const run of runs) {
      this.queue.delete(run.taskId);
      if (run.trigger === 'schedule' || run.trigger === 'immediate') {
        this.awaitingLaunch.delete(run.jobName);
        const job = this.jobs.get(run.jobName);
        if (job) this.reindex(job, now);
      }
      this.events.emit('run', { run: { ...run, ...patch } as Run, previous: run.state });
    }
    this.emitQueue();
  }

  /* ------------------------------------------------------------------ status updates */

  /**
   * Persists an update and everything it causes; resolves only when all of it is stored.
   *
   * Updates are batched: those handed over while the previous batch is being stored (or in the
   * same turn of the event loop) are persisted together in one transaction, in arrival order, up
   * to UPDATE_BATCH_MAX at a time. Each caller's promise settles after that commit, so the
   * framework still acknowledges an update only once it is stored; if the transaction fails,
   * every update of the batch is rejected and memory is left as it was.
   */
  onUpdate(update: TaskUpdate): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingUpdates.push({ update, resolve, reject });
      this.scheduleUpdateFlush();
    });
  }

  private scheduleUpdateFlush(): void {
    if (this.updateFlushQueued) return;
    this.updateFlushQueued = true;
    // setImmediate: every update of the stream chunk being decoded joins this batch.
    setImmediate(() => {
      void this.serial(async () => {
        this.updateFlushQueued = false;
        const batch = this.pendingUpdates.splice(0, UPDATE_BATCH_MAX);
        if (this.pendingUpdates.length > 0) this.scheduleUpdateFlush();
        if (batch.length === 0) return;
        try {
          await this.handleUpdates(batch.map((b) => b.update));
        } catch (e) {
          for (const b of batch) b.reject(e);
          return;
        }
        for (const b of batch) b.resolve();
      });
    });
  }

  private async handleUpdates(updates: TaskUpdate[]): Promise<void> {
    const now = this.clock.now();
    // Runs the worker does not track (settled, or from before a restart): one read for all.
    const unknown = new Set<string>();
    for (const u of updates) if (runStateOf(u.state) && !this.inflight.has(u.taskId)) unknown.add(u.taskId);
    const loaded = new Map<string, Run>();
    for (const taskId of unknown) {
      const r = await this.store.runs.getByTaskId(taskId);
      if (r) loaded.set(taskId, r);
    }

    // Decide every update against the state the earlier ones of this batch leave (an overlay:
    // memory proper changes only after the commit).
    const runsNow = new Map<string, Run>();
    const jobsNow = new Map<string, Job>();
    const jobOf = (name: string) => jobsNow.get(name) ?? this.jobs.get(name);
    // counters the batch moves ahead of its commit, as they were: put back before memory proper
    // changes (or when the commit fails)
    const graphBefore: CounterSnapshot = new Map();
    const patches: { taskId: string; patch: RunPatch }[] = [];
    const jobPuts = new Map<string, Job>();
    const newRuns: NewRun[] = [];
    const counters = new Map<string, { child: string; parent: string; count: number }>();
    const edgeResets: { child: string; parent: string }[] = [];
    const steps: Array<{ run: Run; next: Run; graphState: RunState | null; effects: Effects | null }> = [];

    for (const update of updates) {
      const state = runStateOf(update.state);
      if (!state) continue;
      const run = runsNow.get(update.taskId) ?? this.inflight.get(update.taskId) ?? loaded.get(update.taskId) ?? null;
      if (!run || isTerminal(run.state)) continue; // unknown or already settled: nothing to do
      const job = jobOf(run.jobName);
      if (run.state === state && !isTerminal(state)) continue;

      const patch: RunPatch = { state };
      if (update.message) patch.message = update.message;
      if (update.reason) patch.reason = update.reason;
      if (update.agentId) patch.agentId = update.agentId;
      if ((state === 'RUNNING' || state === 'STARTING') && !run.startedAt) patch.startedAt = now;
      if (isTerminal(state)) patch.finishedAt = now;

      // Chronos 2.x async jobs: the process ending is not the job ending.
      if (state === 'FINISHED' && job?.async) {
        patch.state = 'RUNNING';
        patch.finishedAt = undefined;
        patch.message = 'process finished; waiting for the task to report completion';
      }

      const effects = patch.state && isTerminal(patch.state) && job ? this.outcome(job, run, patch.state, now, jobOf) : null;
      let graphState: RunState | null = null;
      if (effects) {
        // later updates of this batch see these effects (restored below if the commit fails)
        this.graph.saveCounters(effects.touched, graphBefore);
        this.applyCounters(effects);
        for (const j of effects.jobs) {
          jobsNow.set(j.name, j);
          jobPuts.set(j.name, j);
        }
        newRuns.push(...effects.runs);
        for (const c of effects.counters) counters.set(`${c.child}\u0000${c.parent}`, c);
      } else if ((state === 'STAGING' || state === 'STARTING' || state === 'RUNNING') && job?.parents) {
        for (const p of job.parents) {
          edgeResets.push({ child: job.name, parent: p });
          counters.delete(`${job.name}\u0000${p}`);
        }
        graphState = state;
        // later outcomes of this batch see the reset too (restored below like the effects)
        this.graph.saveCounters([job.name], graphBefore);
        this.graph.onTaskState(job.name, state);
      }
      const next: Run = { ...run, ...patch } as Run;
      runsNow.set(next.taskId, next);
      patches.push({ taskId: run.taskId, patch });
      steps.push({ run, next, graphState, effects });
    }
    if (patches.length === 0) {
      this.graph.restoreCounters(graphBefore);
      return;
    }

    let created: Run[] = [];
    try {
      await this.store.transaction(async (tx) => {
        await tx.runs.updateMany(patches);
        if (jobPuts.size > 0) await tx.jobs.apply({ update: [...jobPuts.values()] });
        if (newRuns.length > 0) created = await tx.runs.createMany(newRuns);
        for (const e of edgeResets) await tx.edges.set(e.child, e.parent, 0);
        for (const c of counters.values()) await tx.edges.set(c.child, c.parent, c.count);
      });
    } catch (e) {
      this.graph.restoreCounters(graphBefore);
      throw e;
    }

    // Stored: now change memory, in arrival order.
    this.graph.restoreCounters(graphBefore);
    const createdByTask = new Map(created.map((r) => [r.taskId, r]));
    for (const { run, next, graphState, effects } of steps) {
      if (graphState) this.graph.onTaskState(next.jobName, graphState);
      if (isTerminal(next.state)) this.untrackInflight(run);
      else this.inflight.set(next.taskId, next);
      this.events.emit('run', { run: next, previous: run.state });
      if (effects) this.applyEffects(effects, now, effects.runs.map((nr) => createdByTask.get(nr.taskId)).filter((r): r is Run => !!r));
    }
  }

  /**
   * What a terminal state does to the job, its retries and its children (not yet applied: the
   * graph's counters are put back before this returns). Costs O(children of the job), never
   * O(jobs): it runs once per finished task.
   */
  private outcome(job: Job, run: Run, state: RunState, now: Instant, jobOf: (name: string) => Job | undefined = (n) => this.jobs.get(n)): Effects {
    const jobs: Job[] = [];
    const runs: NewRun[] = [];
    let fire: string[] = [];
    const children = this.graph.childrenOf(job.name);
    const before = this.graph.saveCounters(children);

    if (state === 'FINISHED') {
      const updated: Job = { ...job, successCount: job.successCount + 1, errorsSinceLastSuccess: 0, lastSuccess: isoUtc(now) };
      const schedule = this.schedules.get(job.name);
      if (schedule && schedule.recurrences === 0) updated.disabled = true;
      jobs.push(updated);
      fire = this.graph.trigger(job.name, 'success', { isDisabled: (c) => jobOf(c)?.disabled ?? true });
    } else if (state === 'FAILED' || state === 'LOST' || state === 'ERROR' || state === 'DROPPED') {
      const canRetry =
        run.attempt < job.retries && (job.lastError === '' || (job.lastSuccess !== '' && job.lastSuccess >= job.lastError));
      if (canRetry) {
        const due = now + this.retryDelayMs;
        runs.push(this.newRun(job, due, run.attempt + 1, run.arguments, 'retry', now));
      } else {
        const updated: Job = {
          ...job,
          errorCount: job.errorCount + 1,
          errorsSinceLastSuccess: job.errorsSinceLastSuccess + 1,
          lastError: isoUtc(now),
        };
        if (this.disableAfterFailures > 0 && updated.errorsSinceLastSuccess >= this.disableAfterFailures) updated.disabled = true;
        jobs.push(updated);
        if (job.softError) {
          fire = this.graph.trigger(job.name, 'failure', {
            softError: true,
            isDisabled: (c) => jobOf(c)?.disabled ?? true,
          });
        }
      }
    }
    // the counters of the job's edges to its children: persisted, and applied once committed
    const counters = this.graph.countersOf(children);
    this.graph.restoreCounters(before);
    for (const child of fire) {
      const c = jobOf(child);
      if (c) runs.push(this.newRun(c, now, 0, taskArguments(c), 'dependency', now));
    }
    return { jobs, runs, counters, touched: children };
  }

  /** Sets the counters of the outcome's children to what it computed (absent = 0). */
  private applyCounters(effects: Effects): void {
    for (const child of effects.touched) this.graph.resetCounters(child);
    this.graph.importCounters(effects.counters);
  }

  /** Applies committed effects to memory; `created` = what createMany stored (new rows only). */
  private applyEffects(effects: Effects, now: Instant, created: Run[]): void {
    this.applyCounters(effects);
    for (const job of effects.jobs) {
      const before = this.jobs.get(job.name);
      this.jobs.set(job.name, job);
      this.events.emit('job', { name: job.name, change: job.disabled && !before?.disabled ? 'disabled' : 'stats' });
      if (job.disabled && !before?.disabled) this.reindex(job, now);
    }
    if (effects.runs.length > 0) {
      for (const run of created) {
        if (run.state === 'QUEUED' && !this.queue.has(run.taskId) && !this.delayedRuns.has(run.taskId)) {
          this.track(run, now);
          this.events.emit('run', { run, previous: null });
        }
      }
      this.emitQueue();
      this.armTimer();
      if (this.queue.size > 0) this.framework?.workArrived();
    }
  }

  /* ------------------------------------------------------------------ SchedulerRuntime (API) */

  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.serial(async () => {
      const parents = job.parents ?? [];
      if (job.parents && !sameList(previous?.parents ?? [], parents)) await this.store.edges.resetChild(job.name, job.parents);
      this.applyJob(job, previous);
      this.tickIfDue();
    });
  }

  /**
   * Stores a job (create or replace) and applies it, in this worker's order, so the API's job
   * writes and the worker's own (schedule advanced at launch, run bookkeeping) never overwrite each
   * other. `keep` names the fields the request left out: they are taken from the job as the worker
   * holds it when the write happens (fresher than what the API read). Every call made while the
   * worker is busy shares one transaction; the caller resolves once it is committed and applied.
   */
  storeJob(job: Job, keep: readonly (keyof Job)[] = []): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pendingPuts.push({ job, keep, resolve: () => resolve(true), reject });
      if (this.putFlushQueued) return;
      this.putFlushQueued = true;
      setImmediate(() => {
        void this.serial(() => this.flushPuts(), true);
      });
    });
  }

  private async flushPuts(): Promise<void> {
    this.putFlushQueued = false;
    const batch = this.pendingPuts;
    this.pendingPuts = [];
    if (batch.length === 0) return;
    // In arrival order: a later write of the same job sees the earlier one as its previous.
    const latest = new Map<string, Job | null>();
    const changes: { job: Job; previous: Job | null }[] = [];
    const resets = new Map<string, string[]>();
    for (const { job: given, keep } of batch) {
      const previous = latest.has(given.name) ? latest.get(given.name)! : (this.jobs.get(given.name) ?? null);
      let job = given;
      if (previous && keep.length > 0) {
        const kept: Partial<Job> = {};
        for (const k of keep) (kept as Record<string, unknown>)[k] = previous[k];
        job = { ...given, ...kept };
      }
      if (job.parents && !sameList(previous?.parents ?? [], job.parents)) resets.set(job.name, job.parents);
      latest.set(job.name, job);
      changes.push({ job, previous });
    }
    try {
      await this.store.transaction(async (tx) => {
        await tx.jobs.apply({ put: changes.map((c) => c.job) });
        for (const [child, parents] of resets) await tx.edges.resetChild(child, parents);
      });
    } catch (e) {
      for (const b of batch) b.reject(e);
      return;
    }
    for (const { job, previous } of changes) this.applyJob(job, previous);
    for (const b of batch) b.resolve();
    // The immediate fast path: jobs due now get their runs in this same turn of the chain.
    const head = this.index.peekKey();
    if (head !== undefined && head < this.clock.now()) await this.tick();
  }

  /** The worker's view of a stored job change: graph, schedule index, events, timer. */
  private applyJob(job: Job, previous: Job | null): void {
    const now = this.clock.now();
    this.jobs.set(job.name, job);
    this.graph.upsertJob(job.name, job.parents ?? []);
    if (previous?.schedule !== job.schedule || previous?.scheduleTimeZone !== job.scheduleTimeZone) {
      // a new schedule replaces the queued scheduled run's claim on the index
      this.awaitingLaunch.delete(job.name);
    }
    this.reindex(job, now);
    this.events.emit('job', { name: job.name, change: previous ? 'updated' : 'created' });
    this.armTimer();
  }

  /**
   * The immediate fast path: a job due now is handled without waiting for the timer, in one tick
   * shared by every job changed in this turn of the event loop (one insert, one commit).
   */
  private tickIfDue(): void {
    const head = this.index.peekKey();
    if (head !== undefined && head < this.clock.now()) this.tickSoon();
  }

  /** Runs one tick after the current turn of the event loop (coalesces many requests). */
  private tickSoon(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    setImmediate(() => {
      void this.serial(async () => {
        this.tickQueued = false;
        await this.tick();
      }).catch((e) => this.events.emit('error', { where: 'tick', message: String((e as Error)?.message ?? e) }));
    });
  }

  jobDeleted(job: Job): Promise<void> {
    return this.serial(async () => {
      this.jobs.delete(job.name);
      this.schedules.delete(job.name);
      this.indexGen.set(job.name, (this.indexGen.get(job.name) ?? 0) + 1);
      this.awaitingLaunch.delete(job.name);
      this.graph.removeJob(job.name);
      for (const [taskId, run] of this.queue) if (run.jobName === job.name) this.queue.delete(taskId);
      for (const [taskId, run] of this.delayedRuns) if (run.jobName === job.name) this.delayedRuns.delete(taskId);
      // Children were re-parented in the store by the API, which then calls jobChanged for each.
      this.events.emit('job', { name: job.name, change: 'deleted' });
      this.emitQueue();
    }).then(() => this.killJob(job.name));
  }

  runNow(job: Job, args: string): Promise<string> {
    return this.serial(async () => {
      const now = this.clock.now();
      const nr = this.newRun(job, now, 0, args, 'manual', now);
      const run = await this.store.runs.create(nr);
      if (run) {
        this.track(run, now);
        this.events.emit('run', { run, previous: null });
        this.emitQueue();
        this.framework?.workArrived();
      }
      return nr.taskId;
    });
  }

  markSuccess(job: Job): Promise<void> {
    return this.serial(async () => {
      const now = this.clock.now();
      const pseudo: Run = {
        id: '',
        jobName: job.name,
        due: now,
        attempt: 0,
        taskId: formatTaskId(now, 0, job.name, ''),
        arguments: '',
        trigger: 'manual',
        highPriority: job.highPriority,
        state: 'FINISHED',
        queuedAt: now,
        launchedAt: null,
        startedAt: null,
        finishedAt: now,
        agentId: null,
        host: null,
        message: null,
        reason: null,
        elementsProcessed: 0,
      };
      const effects = this.outcome(this.jobs.get(job.name) ?? job, pseudo, 'FINISHED', now);
      let created: Run[] = [];
      await this.store.transaction(async (tx) => {
        if (effects.jobs.length) await tx.jobs.apply({ update: effects.jobs });
        if (effects.runs.length) created = await tx.runs.createMany(effects.runs);
        for (const c of effects.counters) await tx.edges.set(c.child, c.parent, c.count);
      });
      this.applyEffects(effects, now, created);
    });
  }

  async killJob(name: string): Promise<void> {
    const targets = [...this.inflight.values()].filter((r) => r.jobName === name);
    await Promise.all(targets.map((r) => this.framework?.kill(r.taskId, r.agentId, this.killGraceMs)));
  }

  completeTask(taskId: string, statusCode: number): Promise<boolean> {
    const parsed = parseTaskId(taskId);
    if (!parsed.ok) return Promise.resolve(false);
    return this.serial(async () => {
      const run = this.inflight.get(taskId) ?? (await this.store.runs.getByTaskId(taskId));
      if (!run || isTerminal(run.state)) return false;
      const job = this.jobs.get(run.jobName);
      const state: RunState = statusCode === 0 ? 'FINISHED' : 'FAILED';
      const now = this.clock.now();
      const patch: RunPatch = { state, finishedAt: now, message: `completed with status code ${statusCode}` };
      const effects = job ? this.outcome(job, run, state, now) : null;
      let created: Run[] = [];
      await this.store.transaction(async (tx) => {
        await tx.runs.updateMany([{ taskId, patch }]);
        if (effects) {
          if (effects.jobs.length) await tx.jobs.apply({ update: effects.jobs });
          if (effects.runs.length) created = await tx.runs.createMany(effects.runs);
          for (const c of effects.counters) await tx.edges.set(c.child, c.parent, c.count);
        }
      });
      this.untrackInflight(run);
      this.events.emit('run', { run: { ...run, ...patch } as Run, previous: run.state });
      if (effects) this.applyEffects(effects, now, created);
      return true;
    });
  }

  /**
   * Queued and running counts of a job. Built once per event-loop turn, so a summary of 100,000
   * jobs costs one pass over the queue, not one per job.
   */
  activity(name: string): JobActivity {
    if (!this.activityCache) {
      const cache = new Map<string, JobActivity>();
      const get = (n: string) => {
        let a = cache.get(n);
        if (!a) cache.set(n, (a = { queued: 0, running: 0 }));
        return a;
      };
      for (const r of this.queue.values()) get(r.jobName).queued++;
      for (const r of this.delayedRuns.values()) get(r.jobName).queued++;
      for (const [n, c] of this.inflightByJob) get(n).running = c;
      this.activityCache = cache;
      queueMicrotask(() => (this.activityCache = null));
    }
    return this.activityCache.get(name) ?? { queued: 0, running: 0 };
  }

  leader(): string {
    return this.instanceId;
  }

  /**
   * Every job as this worker holds it, for the API's GET /jobs (scheduler/api/chronos-service.ts):
   * null until the load has finished and after stop. Read-only; the worker replaces a job's object
   * on every change and never mutates one, so readers may cache per object.
   */
  jobsView(): ReadonlyMap<string, Job> | null {
    return this.running ? this.jobs : null;
  }



  /* ------------------------------------------------------------------ read-only views for the UI API
   * (scheduler/api/ui-service.ts). Copies of the worker's own state; nothing here changes it. */

  /** Runs waiting to launch: due ones (the queue, oldest due first), then retries not yet due. */
  queuedRuns(): Run[] {
    const due = [...this.queue.values()].sort((a, b) => a.due - b.due);
    const later = [...this.delayedRuns.values()].sort((a, b) => a.due - b.due);
    return [...due, ...later];
  }

  /** Runs launched and not yet terminal (STAGING, STARTING, RUNNING, KILLING). */
  inflightRuns(): Run[] {
    return [...this.inflight.values()];
  }

  /**
   * Why a queued run is waiting, in words; null when the run is not queued here. `framework` is
   * the Mesos framework's connection state when the caller knows it (the worker only knows a
   * driver is attached). Order: a retry not yet due; no framework; framework disconnected; the
   * matcher's latest reason (no offer fits cpus/mem/disk, a constraint, a concurrent run); else
   * waiting for an offer.
   */
  waitingReason(taskId: string, framework?: { connected: boolean } | null): string | null {
    const delayed = this.delayedRuns.get(taskId);
    if (delayed) return `retry due at ${isoUtc(delayed.due)}`;
    if (!this.queue.has(taskId)) return null;
    if (!this.framework) return 'no Mesos master configured: nothing is launched';
    if (framework && !framework.connected) return 'framework disconnected';
    const u = this.lastUnplaced.get(taskId);
    if (u) return u.detail;
    return 'waiting for an offer';
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
