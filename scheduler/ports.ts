/**
 * The ports between the scheduler and the world. Real adapters live in scheduler/adapters/,
 * fakes in scheduler/testing/. The core never sees these; the runtime and the API services do.
 */
import type { BackfillStore } from './backfill-ports';
import type { OutboxStore } from './notify-ports';
import type { JobChanges } from './job-changes-ports';
import type { DurationStats } from './core/duration-stats';
import type { HeldRuns, UnfinishedRuns } from './unfinished-runs-ports';
import type { JobFieldChange } from './core/job-field-change';
import type { ChangeStamp, JobVersion, NewJobVersion } from './core/job-version';
import type { Instant, Job, Offer, Run, RunState, RunTrigger } from './core/types';

export type { JobChanges } from './job-changes-ports';
export type { HeldRuns, UnfinishedRuns } from './unfinished-runs-ports';
export type { LeaderElector, LeaderView } from './election-ports';
export type { BackfillItemChange, BackfillRecord, BackfillStore, NewBackfill } from './backfill-ports';
export type { NotifyChannel, OutboxFilter, OutboxRow, OutboxSettle, OutboxState, OutboxStore } from './notify-ports';

/** Wall clock and timers. The runtime gets one; tests pass a TestClock they advance by hand. */
export interface Clock {
  now(): Instant;
  /** Calls fn after ms; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** A stored job with the bookkeeping the scheduler needs beside the Chronos JSON. */
export interface StoredJob {
  job: Job;
  /** Optimistic concurrency version, bumped on every write. */
  version: number;
  updatedAt: Instant;
}

export interface JobQuery {
  /** Case-insensitive substring of the name. */
  name?: string;
  /** Case-insensitive substring of the command. */
  command?: string;
  /** Chronos `any`: name or command contains it (rescues a job the other filters dropped). */
  any?: string;
  limit?: number;
  offset?: number;
}

/** Jobs one Chronos /jobs/search answers when the request names no limit (Chronos's default). */
export const SEARCH_DEFAULT_LIMIT = 10;

export type JobCounters = Pick<Job, 'name' | 'successCount' | 'errorCount'>;

export interface JobStore {
  get(name: string): Promise<Job | null>;
  /** Every job, in name order (the collation of the name column). */
  list(): Promise<Job[]>;
  /** Every job's name and Chronos run counters, in `list`'s order, without reading whole jobs (GET /metrics). */
  counters(): Promise<JobCounters[]>;
  /**
   * True when `list` orders names by code point (a C-like collation), so a holder of the jobs can
   * sort plain-ASCII names with `<` and get `list`'s order. Absent: unknown, assume not.
   */
  sortsByCodePoint?(): Promise<boolean>;
  search(q: JobQuery): Promise<Job[]>;
  count(): Promise<number>;
  /** Insert or replace the whole job. */
  put(job: Job): Promise<void>;
  /**
   * Several puts and deletes in one transaction (delete + re-parent, bulk import). `update`
   * replaces only jobs still stored: the worker's own writes (schedule advanced, run bookkeeping)
   * never bring back a job the API deleted meanwhile.
   */
  apply(changes: { put?: Job[]; delete?: string[]; update?: Job[] }): Promise<void>;
  /**
   * The worker's own writes as field changes (core/job-field-change.ts): each stored job keeps
   * every field its change does not name (a schedule advanced at launch leaves the counters and
   * the rest as stored); a job no longer stored stays absent.
   */
  patch(changes: readonly JobFieldChange[]): Promise<void>;
  delete(name: string): Promise<boolean>;
  /**
   * What changed since `cursor` (a previous answer's), for a standby following the jobs
   * (runtime/standby-mirror.ts); null, or a cursor too old to follow from: every job (`full`).
   * Read in one snapshot: applying the answer to the jobs as of `cursor` gives the jobs as of
   * that snapshot. Absent: the store cannot be followed.
   */
  changes?(cursor: string | null, held?: ReadonlyMap<string, string>): Promise<JobChanges>;
}

export interface NewRun {
  jobName: string;
  due: Instant;
  attempt: number;
  taskId: string;
  arguments: string;
  trigger: RunTrigger;
  highPriority: boolean;
  state?: RunState; // default QUEUED; SKIPPED for runs past their epsilon
  queuedAt: Instant;
  message?: string | null;
  /** The instant the run is for when not `due` (a retry's: the failed run's); SISYPHUS_DUE. */
  intendedDue?: Instant | null;
}

export interface RunPatch {
  state?: RunState;
  launchedAt?: Instant | null;
  startedAt?: Instant | null;
  finishedAt?: Instant | null;
  agentId?: string | null;
  host?: string | null;
  message?: string | null;
  reason?: string | null;
  elementsProcessed?: number;
}

/**
 * One entry of a run's state timeline as it happened: a Mesos status update (`state` TASK_…), or
 * the scheduler's own OFFERED (the run matched to an offer, the launch recorded). A run keeps its
 * last RUN_EVENTS_KEPT.
 */
export interface RunEvent {
  taskId: string;
  /** When the scheduler received (or made) it, by its clock. */
  at: Instant;
  /** Mesos TaskState name (TASK_RUNNING…) or OFFERED. */
  state: string;
  /** Mesos reason name (REASON_COMMAND_EXECUTOR_FAILED…). */
  reason: string | null;
  message: string | null;
  /** SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR, or SCHEDULER for OFFERED. */
  source: string | null;
  agentId: string | null;
  /** The update's own timestamp (Mesos' clock), when it carried one. */
  mesosAt: Instant | null;
}

/** Most events kept per run: the oldest go when a run gets more (an agent flapping for hours). */
export const RUN_EVENTS_KEPT = 50;

export interface RunFilter {
  jobName?: string;
  /** Runs of any of these jobs (with `jobName` too: of that one, if listed). */
  jobNames?: readonly string[];
  states?: RunState[];
  /** Runs whose due instant is in [from, to). */
  from?: Instant;
  to?: Instant;
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/**
 * How long after its due instant a run must be queued to be read by RunStore.queuedLate; the
 * predicate of the partial index runs_queued_late_idx (migration 20261207150000) says the same.
 */
export const LATE_QUEUE_MS = 6 * 3_600_000;

export interface LateRunFilter {
  /** Queued at or after. */
  from: Instant;
  /** Queued before (absent: no bound). */
  to?: Instant;
  jobName?: string;
  states?: RunState[];
  limit: number;
}

export interface RunPage {
  runs: Run[];
  nextCursor: string | null;
}

export interface RunStore {
  /**
   * Idempotent: one run per (jobName, due, attempt). Returns the new run, or null when that
   * run already exists (a double tick or a leader flap is a no-op).
   */
  create(run: NewRun): Promise<Run | null>;
  /** Many creates in one round trip; returns only the runs that were new. */
  createMany(runs: NewRun[]): Promise<Run[]>;
  update(taskId: string, patch: RunPatch): Promise<Run | null>;
  /** Many updates in one transaction (status-update bursts). */
  updateMany(updates: { taskId: string; patch: RunPatch }[]): Promise<void>;
  /**
   * Run changes, their timeline events (appended, no trim: `addEvents`) and their jobs' field
   * changes, stored all or nothing: one statement (one round trip) where the store can.
   */
  record(changes: RunRecord): Promise<void>;
  getByTaskId(taskId: string): Promise<Run | null>;
  /** The runs of these task ids that exist, in one round trip (any order). */
  getByTaskIds(taskIds: string[]): Promise<Run[]>;
  /** Every run that is not terminal (QUEUED, STAGING, STARTING, RUNNING, KILLING). */
  listActive(): Promise<Run[]>;
  /**
   * listActive for a follower (a warm standby): the runs `held` in the version they have now are
   * not read again. Absent: the store cannot tell.
   */
  listActiveKeeping?(held: HeldRuns | null): Promise<UnfinishedRuns>;
  list(filter: RunFilter): Promise<RunPage>;
  /**
   * Every run of a job for one instant, first created first: those whose `intendedDue` is
   * `instant`, and those due then with none (the run page's attempts: retries, reruns and the
   * runs downstream of a rerun of that night, whenever they ran).
   */
  forInstant(jobName: string, instant: Instant): Promise<Run[]>;
  /**
   * Runs queued in [from, to) more than LATE_QUEUE_MS after their due instant (a backfill, a
   * rerun of an old night, a catch-up), newest queued first, at most `limit`: the timeline draws
   * a run when it ran, which a read by due instant misses for these.
   */
  queuedLate(filter: LateRunFilter): Promise<Run[]>;
  /** The most recent runs of a job, newest first. */
  recent(jobName: string, limit: number): Promise<Run[]>;
  /**
   * Durations in ms of a job's runs that started and ended in one of `states` (default FINISHED:
   * Chronos's stats), for percentiles, newest first, at most limit.
   */
  durations(jobName: string, limit: number, states?: readonly RunState[]): Promise<number[]>;
  /**
   * Every job's histogram (core/duration-stats.ts) of the durations `durations(job, limit)` gives,
   * by job name, in one read (GET /metrics); jobs without a FINISHED run are left out.
   */
  durationStats(limit: number): Promise<Map<string, DurationStats>>;
  deleteForJob(jobName: string): Promise<void>;
  /**
   * Deletes the runs among `taskIds` that are still QUEUED (runs prepared ahead of their instant
   * and withdrawn before it came: runtime/prepared-runs.ts); returns the task ids deleted.
   */
  withdraw(taskIds: readonly string[]): Promise<string[]>;
  /** Applies `patch` to every QUEUED run of a job (a deleted job's runs end); returns how many. */
  settleQueued(jobName: string, patch: RunPatch): Promise<number>;
  /**
   * Appends to runs' timelines (one round trip for a batch), then cuts the runs named in `trim`
   * (default: every run of the batch) back to their last RUN_EVENTS_KEPT. The worker names only
   * the runs it has counted near the bound: the cut costs a look at every event of each run named.
   */
  addEvents(events: RunEvent[], trim?: readonly string[]): Promise<void>;
  /** A run's timeline, oldest first (empty for an unknown run); deleteForJob deletes it with the runs. */
  events(taskId: string): Promise<RunEvent[]>;
}

/** What `RunStore.record` stores together (an offer round's launches, a batch of status updates). */
export interface RunRecord {
  updates: { taskId: string; patch: RunPatch }[];
  events: RunEvent[];
  jobs: JobFieldChange[];
}

/** Invocation counters on parent→child edges (Chronos §4), persisted (Chronos #811). */
export interface EdgeStore {
  /** counters[child][parent] */
  load(): Promise<Map<string, Map<string, number>>>;
  set(child: string, parent: string, count: number): Promise<void>;
  /** Replace every counter of a child (reset to 0 or re-parent). */
  resetChild(child: string, parents: string[]): Promise<void>;
  deleteJob(name: string): Promise<void>;
}

export interface FrameworkStore {
  getFrameworkId(): Promise<string | null>;
  setFrameworkId(id: string | null): Promise<void>;
  /** Small key/value state (leader epoch, watermarks). */
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** The stored value of `key`, storing `value` first when there is none (the first writer wins). */
  getOrSet(key: string, value: string): Promise<string>;
}

/** A job that was deleted and is not stored again (its latest delete). */
export interface DeletedJob {
  name: string;
  /** The delete's version number. */
  n: number;
  at: Instant;
  by: string | null;
  /** The job as it was deleted. */
  job: Job;
}

/**
 * The history of every job (core/job-version.ts), written in the transaction of the change it
 * records. Numbers count from 1 per job name, across deletes; at most the configured number of
 * versions per job is kept, the oldest going first.
 */
export interface JobVersionStore {
  /**
   * Stores versions, numbered in the order given; returns their numbers. Call it after the job
   * write it records, in the same transaction: that write's row lock on the job orders two
   * transactions changing one job, so they never take the same number.
   */
  add(versions: NewJobVersion[]): Promise<number[]>;
  /** A job's versions, newest first: at most `limit`, below version `before` when given. */
  list(jobName: string, limit: number, before?: number): Promise<JobVersion[]>;
  get(jobName: string, n: number): Promise<JobVersion | null>;
  /** Deleted jobs (a delete in their history, name not stored again), latest delete first. */
  deleted(limit: number): Promise<DeletedJob[]>;
}

export interface Store {
  jobs: JobStore;
  versions: JobVersionStore;
  runs: RunStore;
  edges: EdgeStore;
  framework: FrameworkStore;
  notifications: OutboxStore;
  backfills: BackfillStore;
  /** Run fn in one transaction with stores bound to it; after a deadlock fn runs again, so it changes nothing outside tx. */
  transaction<T>(fn: (tx: Omit<Store, 'transaction' | 'close'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Fencing of the leader's writes by its election epoch (stored as framework_state `leader_epoch`).
 * A newly elected leader raises the stored epoch to its own; a `fenced(epoch)` store checks, in the
 * same transaction as each write, that no larger epoch is stored, else throws `FencedError`.
 */
export interface FencingStore {
  /** Raises the stored epoch to `epoch` unless it is already at least that; returns the stored epoch after. */
  raiseEpoch(epoch: number): Promise<number>;
  /** The stored epoch (0 when no leader ever raised it). */
  storedEpoch(): Promise<number>;
  /** This store with every write fenced by `epoch`; `onFenced` is called when a write is refused. */
  fenced(epoch: number, onFenced?: (e: FencedError) => void): Store;
}

/** A write by a leader whose epoch is older than the stored one: a newer leader exists. */
export class FencedError extends Error {
  constructor(
    readonly epoch: number,
    readonly storedEpoch: number,
  ) {
    super(`fenced: this instance's leadership epoch ${epoch} is older than the stored epoch ${storedEpoch} (a newer leader exists)`);
    this.name = 'FencedError';
  }
}

/**
 * What needs a running scheduler (a manual run, a kill, an async completion) asked of an instance
 * whose worker does not run (following, taking over, no leader): the API answers 503.
 */
export class SchedulerUnavailableError extends Error {
  constructor(message = 'the scheduler worker is not running') {
    super(message);
    this.name = 'SchedulerUnavailableError';
  }
}

/**
 * A write refused for the data it carried (a value the database cannot take, a broken constraint),
 * not because the database is unreachable: the same write fails again however often it is tried.
 * The worker then finds the item that carries it and marks it failed, and commits the others.
 */
export class StoreDataError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreDataError';
  }
}

/* ------------------------------------------------------------------ the worker ↔ framework contract
 * The worker (scheduler/runtime) and the Mesos framework adapter (scheduler/adapters/mesos) meet
 * here: the framework hands offers and status updates to the worker through FrameworkPorts and
 * gets launch decisions back; the worker asks the framework for offers and kills through
 * FrameworkDriver. The Worker implements FrameworkPorts, MesosFramework implements FrameworkDriver;
 * runtime/assemble.ts hands each to the other. These are the only declarations of the contract. */

/** A task status update as the scheduler sees it (the Mesos adapter decodes it). */
export interface TaskUpdate {
  taskId: string;
  /** Mesos TaskState name, e.g. TASK_RUNNING. */
  state: string;
  message?: string | null;
  /** Mesos reason name, e.g. REASON_COMMAND_EXECUTOR_FAILED. */
  reason?: string | null;
  agentId?: string | null;
  executorId?: string | null;
  /** Epoch milliseconds. */
  timestamp?: number | null;
  /** SOURCE_MASTER, SOURCE_AGENT or SOURCE_EXECUTOR. */
  source?: string | null;
  /** base64 as received; set only when the update must be acknowledged. */
  uuid?: string;
  healthy?: boolean | null;
  /** Base64 TaskStatus.data, if any. */
  data?: string;
}

/** Tasks to launch on one agent with some of its offers. */
export interface Launch {
  agentId: string;
  offerIds: string[];
  /** Mesos JSON TaskInfo objects. */
  taskInfos: object[];
}

/** The answer to one OFFERS event: what to launch, and the offers to decline. */
export interface OfferDecision {
  launches: Launch[];
  declines: string[];
  /**
   * Offers to keep unanswered instead (neither accepted nor declined): runs are due by `until` (a
   * herd prepared ahead of its instant), so they are handed to `onOffers` again at the next
   * `workArrived()`, without waiting for the master to offer after a REVIVE. Those still kept at
   * `until` are declined; one the master rescinds meanwhile is forgotten.
   */
  hold?: { offerIds: string[]; until: number };
}

/** What the worker needs from the framework. */
export interface FrameworkDriver {
  /** New work is waiting: REVIVE (rate-limited by the driver). */
  workArrived(): void;
  kill(taskId: string, agentId: string | null, gracePeriodMs: number): Promise<void>;
}

/** What the framework needs from the scheduler (no Prisma there). */
export interface FrameworkPorts {
  loadFrameworkId(): Promise<string | null>;
  saveFrameworkId(id: string): Promise<void>;
  /** Non-terminal runs to reconcile after every SUBSCRIBED. */
  activeTasks(): Promise<Array<{ taskId: string; agentId: string | null }>>;
  /**
   * What to do with offers. With `accept`, launches may be handed to it as soon as they are
   * recorded, in several calls (an offer round in chunks): the framework ACCEPTs each at once, and
   * an offer handed to it is never in the answer. Every other offer is in the answer.
   */
  onOffers(offers: Offer[], accept?: (launches: Launch[]) => void): Promise<OfferDecision>;
  /** Persists the update. The framework acknowledges only after this resolves (and only with a uuid). */
  onUpdate(status: TaskUpdate): Promise<void>;
  hasWork(): boolean;
}

/** A rerun's place: the due instant it belongs to and its attempt number there (above every stored one). */
export interface RerunAt {
  due: Instant;
  attempt: number;
  /** The instant the rerun is for when not `due` (a downstream run's night): the run's intendedDue. */
  intendedDue?: Instant;
}

/** What a job is doing right now, as Chronos's /jobs/summary shows it. */
export interface JobActivity {
  queued: number;
  running: number;
  /** The highest attempt (0 first) among the job's held runs started as retries; absent when none. */
  retrying?: number;
}

/**
 * The worker as the API services see it (scheduler/runtime implements it). Services validate and
 * store; the runtime is told so its index, queue and graph follow.
 */
export interface SchedulerRuntime {
  /** A job was created or replaced (already stored). */
  jobChanged(job: Job, previous: Job | null): Promise<void>;
  /**
   * Stores a job (create or replace) and applies it in the runtime's own order, `keep` naming the
   * fields the request left out (taken from the job as the runtime holds it at write time), and
   * records its version (`stamp`: who, and the kind when the change names one) in the same
   * transaction. Resolves true once stored and applied; false when this runtime does not store
   * jobs (the caller then stores it and calls jobChanged). Optional.
   */
  storeJob?(job: Job, keep: readonly (keyof Job)[], stamp?: ChangeStamp): Promise<boolean>;
  /** A job was deleted (already removed from the store, children already re-parented). */
  jobDeleted(job: Job): Promise<void>;
  /**
   * Manual run: PUT /job/{name}?arguments=…; returns the task id queued. With `at`, a rerun of a
   * past due instant: a new attempt `at.attempt` of `at.due` (the run page's "rerun").
   */
  runNow(job: Job, args: string, at?: RerunAt): Promise<string>;
  /** PUT /job/success/{name}: success bookkeeping and dependents fire. */
  markSuccess(job: Job): Promise<void>;
  /** DELETE /task/kill/{name}: kill every running task of the job. */
  killJob(name: string): Promise<void>;
  /** Chronos 2.x async completion: 0 finished, else failed. False when the task is unknown. */
  completeTask(taskId: string, statusCode: number): Promise<boolean>;
  activity(name: string): JobActivity;
  /** Leader's id (host:port) for GET /leader. */
  leader(): string;
  /**
   * Every job as the running leader's worker holds it, by name; null while no worker has loaded
   * (following, taking over, offline). The API lists jobs from here instead of the store. The
   * map's Job objects are never mutated: a change replaces the object (readers cache per object).
   * Read-only. Optional: a runtime without it is never read from.
   */
  jobsView?(): ReadonlyMap<string, Job> | null;
}

/* ------------------------------------------------------------------ the Mesos master, read over HTTP */

export type * from './master-http-port';
