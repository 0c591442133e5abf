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
import { storableText } from '../core/text';
import { launchAdvance, nextDueAt, parseJobSchedule, type JobSchedule } from './schedules';
import { MinHeap } from './heap';
import { RunQueue } from './run-queue';
import { EventBus } from './events';
import { commitIsolating, isItemError, reasonOf } from './isolate';

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

/** A status update waiting to be stored, with its caller's promise. */
interface PendingUpdate {
  update: TaskUpdate;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** An API job write waiting to be stored (see Worker.storeJob). */
interface PendingPut {
  job: Job;
  keep: readonly (keyof Job)[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One task of an offer round, built and waiting to be recorded (see Worker.handleOffers). */
interface PlannedLaunch {
  run: Run;
  agentId: string;
  host: string;
  offerIds: string[];
  taskInfo: object;
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
  /**
   * Jobs whose schedule cannot be read or advanced (a stored schedule past the year 9999, a zone
   * the data does not know): out of the schedule index, with the reason, until the job changes.
   * One such job never holds back the others.
   */
  private setAside = new Map<string, string>();
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
  private pendingUpdates: PendingUpdate[] = [];
  private updateFlushQueued = false;
  /** Job writes from the API waiting for the next turn of the chain (storeJob). */
  private pendingPuts: PendingPut[] = [];
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
    this.setAside.clear();
    const edgeCounts: { child: string; parent: string; count: number }[] = [];
    for (const [child, parents] of counters) for (const [parent, count] of parents) edgeCounts.push({ child, parent, count });
    this.graph.importCounters(edgeCounts);

    const now = this.clock.now();
    for (const run of active) this.track(run, now);
    // reindex never throws: a job whose schedule cannot be read is set aside with the reason
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
    if (!job.schedule || this.setAside.has(job.name)) return;
    let parsed: ReturnType<typeof parseJobSchedule>;
    let at: Instant | null;
    try {
      parsed = known ? { ok: true as const, value: known } : parseJobSchedule(job, now);
      at = parsed.ok ? nextDueAt(parsed.value) : null;
    } catch (e) {
      this.putAside(job.name, `its schedule cannot be read: ${reasonOf(e)}`);
      return;
    }
    if (!parsed.ok) {
      this.events.emit('error', { where: 'schedule', message: `job ${job.name}: ${parsed.error}` });
      return;
    }
    this.schedules.set(job.name, parsed.value);
    if (job.disabled || this.awaitingLaunch.has(job.name)) return;
    if (at === null) return;
    this.index.push(at, { name: job.name, gen });
  }

  /**
   * Takes a job out of the schedule index until it changes, with the reason (logged once, counted
   * under sisyphus_errors_total{where="job"}): its schedule cannot be read or advanced.
   */
  private putAside(name: string, reason: string): void {
    this.indexGen.set(name, (this.indexGen.get(name) ?? 0) + 1);
    this.schedules.delete(name);
    this.awaitingLaunch.delete(name);
    if (this.setAside.get(name) === reason) return;
    this.setAside.set(name, reason);
    this.events.emit('error', { where: 'job', message: `job ${name} is set aside until it is changed: ${reason}` });
  }

  /** Why a job is out of the schedule (its schedule cannot be read or advanced); null when it is not. */
  setAsideReason(name: string): string | null {
    return this.setAside.get(name) ?? null;
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
      try {
        if (job.epsilon && schedule.epsilonMs !== null && now - due > schedule.epsilonMs) {
          creates.push(this.newRun(job, due, 0, taskArguments(job), 'schedule', now, 'SKIPPED', `skipped: ${now - due} ms late, past epsilon ${job.epsilon}`));
          skipped.push({ job, schedule });
          continue;
        }
        creates.push(this.newRun(job, due, 0, taskArguments(job), schedule.immediate ? 'immediate' : 'schedule', now));
        this.awaitingLaunch.add(job.name);
      } catch (e) {
        this.putAside(job.name, `its run due at ${isoUtc(due)} cannot be made: ${reasonOf(e)}`);
      }
    }
    if (creates.length > 0) {
      const created: Run[] = [];
      // One insert for all; a run the store refuses (its data) sets its job aside, the rest go on.
      const refused = (c: NewRun, e: unknown) => this.putAside(c.jobName, `its run due at ${isoUtc(c.due)} cannot be stored: ${reasonOf(e)}`);
      const putBack = (notStored: readonly NewRun[]) => {
        // Not stored (database down): put the due instants back and try again shortly, so a
        // database outage delays these runs but never loses them.
        const names = new Set(notStored.map((c) => c.jobName));
        for (const p of popped) {
          if (!names.has(p.value.name)) continue;
          this.index.push(p.key, p.value);
          this.awaitingLaunch.delete(p.value.name);
        }
        this.retryTickLater();
      };
      let stoppedBy: unknown = null;
      let committed: ReadonlySet<NewRun>;
      try {
        const r = await commitIsolating(creates, async (units) => void created.push(...(await this.store.runs.createMany([...units]))), refused);
        stoppedBy = r.stoppedBy;
        committed = new Set(r.committed);
        if (stoppedBy !== null) putBack(creates.filter((c) => !committed.has(c)));
      } catch (e) {
        putBack(creates);
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
        if (c.state === 'SKIPPED' || createdIds.has(c.taskId) || !committed.has(c)) continue;
        if (this.queue.has(c.taskId) || this.delayedRuns.has(c.taskId) || this.inflight.has(c.taskId)) continue;
        const job = this.jobs.get(c.jobName);
        const schedule = this.schedules.get(c.jobName);
        this.awaitingLaunch.delete(c.jobName);
        if (job && schedule) skipped.push({ job, schedule });
        this.events.emit('error', { where: 'schedule', message: `job ${c.jobName}: due instant ${isoUtc(c.due)} already ran; moving its schedule on` });
      }
      const notStored = new Set(creates.filter((c) => !committed.has(c)).map((c) => c.jobName));
      const toAdvance = skipped.filter(({ job }) => !this.setAside.has(job.name) && !notStored.has(job.name));
      if (toAdvance.length > 0) {
        try {
          await this.advanceSkipped(toAdvance, now);
        } catch (e) {
          // the schedule did not advance: the same instant is due again and skipped again later
          for (const { job } of toAdvance) this.reindex(job, now);
          this.retryTickLater();
          // the runs created above are queued all the same: the framework must hear of them
          this.emitQueue();
          if (this.queue.size > 0) this.framework?.workArrived();
          throw e;
        }
      }
      if (stoppedBy !== null) {
        this.emitQueue();
        if (this.queue.size > 0) this.framework?.workArrived();
        throw stoppedBy;
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
      try {
        const next = launchAdvance(schedule, now);
        puts.push({ ...job, schedule: next.expression });
      } catch (e) {
        this.putAside(job.name, `its schedule cannot advance past ${isoUtc(now)}: ${reasonOf(e)}`);
      }
    }
    if (puts.length === 0) return;
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
    // A job stored before the API refused such text may hold a NUL in its arguments: keep the run
    // storable (the task id is made of the same text)
    const safeArgs = storableText(args);
    return {
      jobName: job.name,
      due,
      attempt,
      taskId: formatTaskId(due, attempt, job.name, safeArgs),
      arguments: safeArgs,
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

    // Each task of the round: its TaskInfo, and for a first attempt its job's schedule advanced
    // (Chronos advances at launch). A task that cannot be built fails its run alone (ERROR, with
    // the reason); the others launch.
    const planned: PlannedLaunch[] = [];
    const failed: { run: Run; reason: string }[] = [];
    const advanced = new Map<string, JobSchedule>();
    const jobPuts = new Map<string, Job>();
    for (const launch of result.launches) {
      for (const t of launch.tasks) {
        const run = this.queue.get(t.taskId);
        const job = this.jobs.get(t.jobName);
        if (!run || !job) continue;
        try {
          const taskInfo = buildTaskInfo({
            job,
            taskId: run.taskId,
            agentId: launch.agentId,
            resources: t.resources,
            due: run.due,
            attempt: run.attempt,
            arguments: run.arguments,
            hostname: launch.hostname,
          });
          const schedule = this.schedules.get(job.name);
          if (schedule && run.attempt === 0) {
            const base = jobPuts.get(job.name) ?? job;
            // The held parse is the job's (its start fixed); a start left empty means "now" and is
            // read again at launch, as Chronos does.
            const held = advanced.get(job.name) ?? (OPEN_START.test(base.schedule ?? '') ? null : schedule);
            const current = held ? { ok: true as const, value: held } : parseJobSchedule(base, now);
            if (current.ok) {
              let next: ReturnType<typeof launchAdvance>;
              try {
                next = launchAdvance(current.value, now);
              } catch (e) {
                this.putAside(job.name, `its schedule cannot advance past ${isoUtc(now)}: ${reasonOf(e)}`);
                throw new Error(`the schedule ${base.schedule} cannot advance past ${isoUtc(now)}: ${reasonOf(e)}`);
              }
              advanced.set(job.name, next.next);
              jobPuts.set(job.name, { ...base, schedule: next.expression });
            }
          }
          planned.push({ run, agentId: launch.agentId, host: launch.hostname, offerIds: launch.offerIds, taskInfo });
        } catch (e) {
          failed.push({ run, reason: reasonOf(e) });
        }
      }
    }

    // Persist every launch (run → STAGING, schedules advanced) before ACCEPT: one transaction for
    // the round, or, when the store refuses one job's data, one per job, the refused ones failed.
    const byJob = new Map<string, PlannedLaunch[]>();
    for (const p of planned) {
      const list = byJob.get(p.run.jobName);
      if (list) list.push(p);
      else byJob.set(p.run.jobName, [p]);
    }
    const commit = async (units: readonly PlannedLaunch[][]) => {
      const items = units.flat();
      const puts = [...new Set(items.map((p) => p.run.jobName))].map((n) => jobPuts.get(n)).filter((j): j is Job => !!j);
      await this.store.transaction(async (tx) => {
        await tx.runs.updateMany(items.map((p) => ({ taskId: p.run.taskId, patch: { state: 'STAGING', launchedAt: now, agentId: p.agentId, host: p.host } })));
        if (puts.length > 0) await tx.jobs.apply({ update: puts });
      });
    };
    let recorded: PlannedLaunch[] = [];
    try {
      const r = await commitIsolating([...byJob.values()], commit, (unit, e) => {
        for (const p of unit) failed.push({ run: p.run, reason: `the launch cannot be recorded: ${reasonOf(e)}` });
      });
      recorded = r.committed.flat();
      if (r.stoppedBy !== null) {
        this.events.emit('error', { where: 'launch', message: `could not record launches: ${reasonOf(r.stoppedBy)}` });
      }
    } catch (e) {
      // Nothing launched that is not recorded: decline everything and try again later.
      this.events.emit('error', { where: 'launch', message: `could not record launches: ${(e as Error).message}` });
      return { launches: [], declines: offers.map((o) => o.id) };
    }
    const decision: OfferDecision = { launches: [], declines: result.declines };
    const recordedIds = new Set<string>();
    const recordedJobs = new Set<string>();
    const taskInfosOf = new Map<string[], object[]>(result.launches.map((l) => [l.offerIds, []]));
    for (const p of recorded) {
      recordedIds.add(p.run.taskId);
      recordedJobs.add(p.run.jobName);
      taskInfosOf.get(p.offerIds)!.push(p.taskInfo);
    }
    for (const launch of result.launches) {
      const taskInfos = taskInfosOf.get(launch.offerIds)!;
      if (taskInfos.length > 0) decision.launches.push({ agentId: launch.agentId, offerIds: launch.offerIds, taskInfos });
      else decision.declines.push(...launch.offerIds);
    }
    for (const { run, agentId, host } of recorded) {
      this.queue.delete(run.taskId);
      const next: Run = { ...run, state: 'STAGING', launchedAt: now, agentId, host };
      this.track(next, now);
      this.events.emit('run', { run: next, previous: run.state });
      if (run.trigger === 'schedule' || run.trigger === 'immediate') this.awaitingLaunch.delete(run.jobName);
    }
    for (const job of jobPuts.values()) {
      if (!recordedJobs.has(job.name)) continue;
      this.jobs.set(job.name, job);
      this.reindex(job, now, advanced.get(job.name));
    }
    await this.failRuns(failed.filter((f) => !recordedIds.has(f.run.taskId)), now);
    this.armTimer();
    const used = decision.launches.reduce((n, l) => n + l.offerIds.length, 0);
    this.events.emit('offers', {
      received: offers.length,
      used,
      declined: offers.length - used,
      launched: recorded.length,
    });
    this.emitQueue();
    return decision;
  }

  /**
   * Runs that could not be launched for a reason of their own (their task cannot be built, their
   * schedule cannot advance, the store refuses their data): each goes to ERROR with the reason and
   * counts as a failure of its job, without a retry (it would fail the same way). Logged once per
   * run. If this cannot be stored, the runs stay queued and are tried again with the next offer.
   */
  private async failRuns(items: { run: Run; reason: string }[], now: Instant): Promise<void> {
    if (items.length === 0) return;
    const patches: { taskId: string; patch: RunPatch }[] = [];
    const allEffects: Effects[] = [];
    for (const { run, reason } of items) {
      this.events.emit('error', { where: 'launch', message: `job ${run.jobName}: run ${run.taskId} not launched: ${reason}` });
      patches.push({ taskId: run.taskId, patch: { state: 'ERROR', finishedAt: now, message: storableText(`not launched: ${reason}`) } });
      const job = this.jobs.get(run.jobName);
      if (!job) continue;
      try {
        // no retry: attempts used up
        allEffects.push(this.outcome(job, { ...run, attempt: Number.MAX_SAFE_INTEGER }, 'ERROR', now));
      } catch (e) {
        this.events.emit('error', { where: 'launch', message: `job ${run.jobName}: its failure cannot be counted: ${reasonOf(e)}` });
      }
    }
    const created: Run[][] = [];
    try {
      await this.store.transaction(async (tx) => {
        await tx.runs.updateMany(patches);
        for (const effects of allEffects) {
          if (effects.jobs.length) await tx.jobs.apply({ update: effects.jobs });
          created.push(effects.runs.length ? await tx.runs.createMany(effects.runs) : []);
          for (const c of effects.counters) await tx.edges.set(c.child, c.parent, c.count);
        }
      });
    } catch (e) {
      this.events.emit('error', { where: 'launch', message: `could not record ${items.length} failed launch(es): ${reasonOf(e)}` });
      return;
    }
    items.forEach(({ run }, i) => {
      this.queue.delete(run.taskId);
      this.events.emit('run', { run: { ...run, ...patches[i].patch } as Run, previous: run.state });
      if (run.trigger === 'schedule' || run.trigger === 'immediate') {
        this.awaitingLaunch.delete(run.jobName);
        const job = this.jobs.get(run.jobName);
        if (job) this.reindex(job, now);
      }
    });
    allEffects.forEach((effects, i) => this.applyEffects(effects, now, created[i] ?? []));
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
        await this.flushUpdates(batch);
      });
    });
  }

  /**
   * Stores a batch of updates; each caller's promise settles with its own outcome. When the store
   * refuses the data of one update (StoreDataError), the batch is split in halves until that
   * update is alone: it is then stored without its effects on the job (its state, and a note that
   * its bookkeeping failed), so it is acknowledged and never holds back the others. Any other
   * failure (database down) rejects the batch: nothing is acknowledged, Mesos sends them again.
   */
  private async flushUpdates(batch: PendingUpdate[], bookkeeping = true): Promise<void> {
    try {
      await this.handleUpdates(batch.map((b) => b.update), bookkeeping);
    } catch (e) {
      if (!isItemError(e)) {
        for (const b of batch) b.reject(e);
        return;
      }
      if (batch.length > 1) {
        const mid = batch.length >> 1;
        await this.flushUpdates(batch.slice(0, mid), bookkeeping);
        await this.flushUpdates(batch.slice(mid), bookkeeping);
        return;
      }
      if (bookkeeping) {
        this.events.emit('error', { where: 'update', message: `update ${batch[0].update.state} of ${batch[0].update.taskId}: its effects cannot be stored (${reasonOf(e)}); storing its state alone` });
        await this.flushUpdates(batch, false);
        return;
      }
      this.events.emit('error', { where: 'update', message: `update ${batch[0].update.state} of ${batch[0].update.taskId} cannot be stored: ${reasonOf(e)}` });
      batch[0].reject(e);
      return;
    }
    for (const b of batch) b.resolve();
  }

  /** `bookkeeping` false: only the runs' states, no retries, counters or children (see flushUpdates). */
  private async handleUpdates(updates: TaskUpdate[], bookkeeping = true): Promise<void> {
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
      // text from the agent, kept as it came where it can be stored
      if (update.message) patch.message = storableText(update.message);
      if (update.reason) patch.reason = storableText(update.reason);
      if (update.agentId) patch.agentId = storableText(update.agentId);
      if ((state === 'RUNNING' || state === 'STARTING') && !run.startedAt) patch.startedAt = now;
      if (isTerminal(state)) patch.finishedAt = now;

      // Chronos 2.x async jobs: the process ending is not the job ending.
      if (state === 'FINISHED' && job?.async) {
        patch.state = 'RUNNING';
        patch.finishedAt = undefined;
        patch.message = 'process finished; waiting for the task to report completion';
      }

      let effects: Effects | null = null;
      if (patch.state && isTerminal(patch.state) && job) {
        if (!bookkeeping) {
          patch.message = `${patch.message ? `${patch.message}; ` : ''}not counted: the job's bookkeeping for this run could not be stored`;
        } else {
          try {
            effects = this.outcome(job, run, patch.state, now, jobOf);
          } catch (e) {
            // this run alone: its state is kept, its job's counters, retry and children are not
            this.events.emit('error', { where: 'update', message: `job ${job.name}: the outcome of ${run.taskId} cannot be decided: ${reasonOf(e)}` });
            patch.message = storableText(`${patch.message ? `${patch.message}; ` : ''}not counted: ${reasonOf(e)}`);
          }
        }
      }
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
      } else if (bookkeeping && (state === 'STAGING' || state === 'STARTING' || state === 'RUNNING') && job?.parents) {
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
      if (!c) continue;
      try {
        runs.push(this.newRun(c, now, 0, taskArguments(c), 'dependency', now));
      } catch (e) {
        // one child that cannot run does not keep its siblings from running
        this.events.emit('error', { where: 'dependency', message: `job ${c.name} (child of ${job.name}) cannot be fired: ${reasonOf(e)}` });
      }
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
    if (!(await this.storePuts(batch))) {
      // The store refused one request's data: each request alone, so only that one fails.
      for (const put of batch) await this.storePuts([put]);
    }
    // The immediate fast path: jobs due now get their runs in this same turn of the chain.
    const head = this.index.peekKey();
    if (head !== undefined && head < this.clock.now()) await this.tick();
  }

  /**
   * Stores and applies a batch of API job writes in one transaction and settles their callers.
   * False, with nothing settled, when the store refused the data of a batch of several (the caller
   * then writes them one by one).
   */
  private async storePuts(batch: PendingPut[]): Promise<boolean> {
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
      if (batch.length > 1 && isItemError(e)) return false;
      for (const b of batch) b.reject(e);
      return true;
    }
    for (const { job, previous } of changes) this.applyJob(job, previous);
    for (const b of batch) b.resolve();
    return true;
  }

  /** The worker's view of a stored job change: graph, schedule index, events, timer. */
  private applyJob(job: Job, previous: Job | null): void {
    const now = this.clock.now();
    this.jobs.set(job.name, job);
    // a changed job is read again: whatever set it aside may be gone
    this.setAside.delete(job.name);
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
      this.setAside.delete(job.name);
      this.graph.removeJob(job.name);
      // Its queued runs were settled SKIPPED ("job deleted") in the delete's transaction.
      const now = this.clock.now();
      const settled = (run: Run) =>
        this.events.emit('run', { run: { ...run, state: 'SKIPPED', finishedAt: now, message: 'skipped: job deleted' }, previous: run.state });
      for (const [taskId, run] of this.queue) {
        if (run.jobName !== job.name) continue;
        this.queue.delete(taskId);
        settled(run);
      }
      for (const [taskId, run] of this.delayedRuns) {
        if (run.jobName !== job.name) continue;
        this.delayedRuns.delete(taskId);
        settled(run);
      }
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
