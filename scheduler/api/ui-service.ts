/**
 * The UI's own JSON API (`/api/…`, shapes in ui-types.ts) as a framework-agnostic service. The
 * route handlers under app/api/ parse the request, call one method and write the answer.
 *
 * Where the data comes from:
 * - jobs: one `store.jobs.list()` per snapshot, shared by every page, filter, sort and count, and
 *   kept for `jobsCacheMs` (1 s) or until the scheduler says a job changed. Filters and sorts run
 *   in memory over plain values (no query per job); `nextRun` is computed from the schedule
 *   (scheduler/core/spec.ts) only for the rows shown, or for the whole filtered set when sorting
 *   by it, with a per-job cache (an ISO start is fixed; a cron next is valid until it passes).
 * - the running scheduler (worker, framework, event bus): `globalThis[Symbol.for('sisyphus.scheduler')]`
 *   set by scheduler/runtime/boot.ts. Absent (tests, a follower instance): queued and running runs
 *   come from the store, the framework reads `configured: false`.
 * - the cluster: the master's `/master/state` (cached `stateCacheMs`, 2 s), master URL from the
 *   framework's client or MESOS_MASTER; logs through the agent's `/files/read`.
 * - leadership: the runtime, and an elector at `globalThis[Symbol.for('sisyphus.elector')]` when HA
 *   is configured.
 *
 * Errors: `ApiError` (bad_request 400 — a `UiFieldError` names the field —, not_found 404,
 * unavailable 503); see ui-http.ts.
 */
import { DependencyGraph, lastState } from '../core/dag';
import { describeSchedule } from '../core/describe';
import { nextRuns, MAX_PREVIEW } from '../core/preview';
import { compileCron, cronNextAfter } from '../core/cron';
import { parseScheduleSpec } from '../core/spec';
import { UTC_ZONE, offsetAt, resolveZone } from '../core/zones';
import type { Cron } from 'croner';
import { formatTaskId } from '../core/taskid';
import { isTerminal, type Job, type Run, type RunState } from '../core/types';
import type { Clock, SchedulerRuntime, Store } from '../ports';
import type { Scheduler } from '../runtime/assemble';
import type { SchedulerEventMap, SchedulerEventName } from '../runtime/events';
import { ChronosService, quantile } from './chronos-service';
import { ApiError } from './errors';
import { jobToChronosObject } from './job-json';
import type {
  AgentInfo,
  BulkResult,
  ClusterState,
  Dashboard,
  FrameworkHealth,
  GraphData,
  InstanceInfo,
  JobDetail,
  JobPage,
  JobRow,
  JobStateInfo,
  JobStatus,
  LogChunk,
  PreviewResult,
  PreviewRun,
  QueuedRunInfo,
  RunPage,
  RunRow,
  RunTimelinePage,
  RunTimelineTuple,
  UiEvent,
  ValidateResult,
} from './ui-types';

export const SCHEDULER_KEY = Symbol.for('sisyphus.scheduler');
export const ELECTOR_KEY = Symbol.for('sisyphus.elector');

/** The leader elector as the UI sees it (registered by the HA code when ZooKeeper is configured). */
export interface UiElector {
  readonly id: string;
  isLeader(): boolean;
  leader(): string | null;
  members?(): string[];
}

/** A 400 that names the request field at fault. */
export class UiFieldError extends ApiError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('bad_request', message);
  }
}

export interface UiServiceOptions {
  /** How long a jobs snapshot is reused when no job event says it changed (ms). Default 1000. */
  jobsCacheMs?: number;
  /** How long the master's /master/state is reused (ms). Default 2000. */
  stateCacheMs?: number;
  /** Utilization sampling period (ms). Default 60 000. */
  historyIntervalMs?: number;
  /** Utilization samples kept. Default 1440 (a day at one a minute). */
  historySize?: number;
  /** Framework events kept for the dashboard. Default 20. */
  recentEvents?: number;
  /** Timeout of each request to the master or an agent (ms). Default 5000. */
  httpTimeoutMs?: number;
}

/** Lays graphs out for GET /api/graph (graph-layouter.ts); null answers go without positions. */
export interface UiGraphLayouter {
  layout(data: Pick<GraphData, 'nodes' | 'edges'>): Promise<GraphData['layout'] | null>;
}

export interface UiServiceDeps {
  store: Store;
  runtime: SchedulerRuntime;
  clock: Clock;
  /** Chronos rules for bulk actions and validation; built from store/runtime/clock when absent. */
  chronos?: ChronosService;
  /** The running scheduler; default: the one boot.ts registered, looked up on every call. */
  scheduler?: () => Scheduler | null;
  /** The HA elector; default: the registered one, looked up on every call. */
  elector?: () => UiElector | null;
  /** Master base URL; default: the framework client's leader, else MESOS_MASTER. */
  master?: () => string | null;
  fetch?: typeof fetch;
  options?: UiServiceOptions;
  /** Server-side graph layout; default none (the browser lays graphs out). getUiService() passes the shared one. */
  layouter?: UiGraphLayouter | null;
}

/* ------------------------------------------------------------------ plain mappings */

export function runRow(run: Run): RunRow {
  return {
    id: run.id,
    taskId: run.taskId,
    jobName: run.jobName,
    due: run.due,
    attempt: run.attempt,
    trigger: run.trigger,
    state: run.state,
    queuedAt: run.queuedAt,
    launchedAt: run.launchedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
    agentId: run.agentId,
    host: run.host,
    message: run.message,
    reason: run.reason,
    arguments: run.arguments,
  };
}

/** Runs as GET /api/runs/timeline sends them (ui-types.ts RunTimelinePage). */
export function encodeTimeline(runs: readonly RunRow[], nextCursor: string | null): RunTimelinePage {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (v: string | null): number => {
    if (v === null) return -1;
    let i = index.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      index.set(v, i);
    }
    return i;
  };
  const after = (t: number | null, due: number) => (t === null ? null : t - due);
  const tuples = runs.map((r): RunTimelineTuple => [
    r.id,
    ref(r.jobName),
    r.due,
    r.attempt,
    ref(r.trigger),
    ref(r.state),
    r.queuedAt - r.due,
    after(r.launchedAt, r.due),
    after(r.startedAt, r.due),
    after(r.finishedAt, r.due),
    ref(r.host),
    ref(r.agentId),
    ref(r.message),
    ref(r.reason),
    ref(r.arguments),
    r.taskId === formatTaskId(r.due, r.attempt, r.jobName, r.arguments) ? 0 : r.taskId,
  ]);
  return { strings, runs: tuples, nextCursor };
}

/** A scheduler event as the browser's event stream carries it. */
export function toUiEvent<K extends SchedulerEventName>(name: K, payload: SchedulerEventMap[K]): UiEvent {
  switch (name) {
    case 'run': {
      const p = payload as SchedulerEventMap['run'];
      return { type: 'run', run: runRow(p.run), previous: p.previous };
    }
    case 'queue':
      return { type: 'queue', ...(payload as SchedulerEventMap['queue']) };
    case 'offers':
      return { type: 'offers', ...(payload as SchedulerEventMap['offers']) };
    case 'framework':
      return { type: 'framework', ...(payload as SchedulerEventMap['framework']) };
    case 'leader':
      return { type: 'leader', ...(payload as SchedulerEventMap['leader']) };
    case 'job':
      return { type: 'job', ...(payload as SchedulerEventMap['job']) };
    default:
      return { type: 'error', ...(payload as SchedulerEventMap['error']) };
  }
}

const kindOf = (job: Job): JobRow['kind'] => (job.parents !== undefined ? 'dependent' : 'scheduled');

function stateInfo(a: { queued: number; running: number }): JobStateInfo {
  return { state: a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle', running: a.running, queued: a.queued };
}

const FAILURE_STATES: RunState[] = ['FAILED', 'LOST', 'ERROR', 'DROPPED'];
const ALL_RUN_STATES: ReadonlySet<string> = new Set<RunState>([
  'QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED',
]);

/* ------------------------------------------------------------------ query parsing */

export type JobSort = 'name' | 'nextRun' | 'lastSuccess' | 'lastError' | 'status';

export interface JobPageQuery {
  q?: string;
  status?: JobStatus[];
  state?: JobStateInfo['state'][];
  owner?: string;
  disabled?: boolean;
  kind?: JobRow['kind'];
  sort?: JobSort;
  dir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export const JOB_PAGE_DEFAULT_LIMIT = 100;
/** Most runs one GET /api/runs answers (the store's RUN_PAGE_MAX_LIMIT). */
export const RUNS_PAGE_MAX_LIMIT = 10_000;
/** GET /api/runs/timeline: runs scanned per request at most (a busy night at 10,000 jobs is ~12,000). */
export const TIMELINE_MAX_LIMIT = 20_000;
/** The timeline also reads runs due this long before its window, for those still going when it starts. */
export const TIMELINE_LOOKBACK_MS = 6 * 3_600_000;
export const JOB_PAGE_MAX_LIMIT = 500;

type Params = URLSearchParams | Record<string, string | undefined | null>;
const param = (p: Params, k: string): string | undefined => {
  const v = p instanceof URLSearchParams ? p.get(k) : p[k];
  return v === null || v === undefined || v.trim() === '' ? undefined : v.trim();
};

function intParam(p: Params, k: string, min: number, max: number): number | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UiFieldError(k, `${k} must be an integer from ${min} to ${max}, got '${v}'`);
  }
  return Number(v);
}

function listParam<T extends string>(p: Params, k: string, allowed: readonly T[]): T[] | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) {
    if (!(allowed as readonly string[]).includes(i)) throw new UiFieldError(k, `${k} must be one of ${allowed.join(', ')}, got '${i}'`);
  }
  return items as T[];
}

function oneOf<T extends string>(p: Params, k: string, allowed: readonly T[]): T | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UiFieldError(k, `${k} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

export function parseJobPageQuery(p: Params): JobPageQuery {
  const disabled = oneOf(p, 'disabled', ['true', 'false'] as const);
  return {
    q: param(p, 'q'),
    status: listParam(p, 'status', ['success', 'failure', 'fresh'] as const),
    state: listParam(p, 'state', ['idle', 'queued', 'running'] as const),
    owner: param(p, 'owner'),
    disabled: disabled === undefined ? undefined : disabled === 'true',
    kind: oneOf(p, 'kind', ['scheduled', 'dependent'] as const),
    sort: oneOf(p, 'sort', ['name', 'nextRun', 'lastSuccess', 'lastError', 'status'] as const),
    dir: oneOf(p, 'dir', ['asc', 'desc'] as const),
    offset: intParam(p, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(p, 'limit', 1, JOB_PAGE_MAX_LIMIT),
  };
}

/** An instant query value: epoch ms or an ISO date-time. */
function instantParam(p: Params, k: string): number | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UiFieldError(k, `${k} must be epoch milliseconds or an ISO date-time, got '${v}'`);
  return t;
}

/* ------------------------------------------------------------------ master state (loose) */

type Resources = Record<string, unknown>;
interface StateTask {
  id: string;
  framework_id?: string;
  executor_id?: string;
  slave_id?: string;
  agent_id?: string;
  state?: string;
  sandbox_directory?: string;
  directory?: string;
  executor_directory?: string;
}
interface StateFramework {
  id: string;
  name?: string;
  active?: boolean;
  used_resources?: Resources;
  tasks?: StateTask[];
  completed_tasks?: StateTask[];
  unreachable_tasks?: StateTask[];
}
interface StateAgent {
  id: string;
  hostname?: string;
  pid?: string;
  port?: number;
  active?: boolean;
  resources?: Resources;
  used_resources?: Resources;
  attributes?: Record<string, string | number>;
}
interface MasterState {
  frameworks?: StateFramework[];
  completed_frameworks?: StateFramework[];
  slaves?: StateAgent[];
}

const scalar = (r: Resources | undefined, k: string): number => {
  const v = r?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
  }
}

/* ------------------------------------------------------------------ the service */

interface JobEntry {
  job: Job;
  status: JobStatus;
  kind: JobRow['kind'];
  /** lower-cased name, command and owner, for q. */
  text: string;
  owner: string;
}

interface Snapshot {
  entries: JobEntry[];
  byName: Map<string, JobEntry>;
}

interface NextCache {
  schedule: string;
  zone: string;
  value: number | null;
  /** Valid while now < validUntil. */
  validUntil: number;
}

function entryOf(job: Job): JobEntry {
  return {
    job,
    status: lastState(job),
    kind: kindOf(job),
    text: `${job.name}\n${job.command}\n${job.owner}`.toLowerCase(),
    owner: (job.owner ?? '').toLowerCase(),
  };
}

/** Replace, insert (in name order) or remove (job null) one job of a snapshot. */
function patchSnapshot(snap: Snapshot, name: string, job: Job | null): void {
  const had = snap.byName.get(name);
  if (had && job) {
    const e = entryOf(job);
    Object.assign(had, e);
    return;
  }
  if (!had && !job) return;
  let lo = 0;
  let hi = snap.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (snap.entries[mid].job.name < name) lo = mid + 1;
    else hi = mid;
  }
  if (had) {
    snap.entries.splice(lo, 1);
    snap.byName.delete(name);
  } else {
    const e = entryOf(job!);
    snap.entries.splice(lo, 0, e);
    snap.byName.set(name, e);
  }
}

/** `R[n]/<start>/<period>` */
const ISO_EXPR = /^R(\d*)\/([^/]*)\/P/;
/** `2030-01-01T00:00[:00[.000]][Z|±hh[:]mm]` */
const ISO_START = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

const STATUS_RANK: Record<JobStatus, number> = { failure: 0, success: 1, fresh: 2 };
const LOG_MAX_LENGTH = 64 * 1024;

export class UiService {
  private readonly store: Store;
  private readonly runtime: SchedulerRuntime;
  private readonly clock: Clock;
  private readonly chronos: ChronosService;
  private readonly getScheduler: () => Scheduler | null;
  private readonly getElector: () => UiElector | null;
  private readonly getMaster: (() => string | null) | null;
  private readonly fetchFn: typeof fetch;
  private readonly layouter: UiGraphLayouter | null;
  private readonly o: Required<UiServiceOptions>;

  private snap: { at: number; gen: number; value: Snapshot } | null = null;
  private snapLoad: { gen: number; promise: Promise<Snapshot> } | null = null;
  private snapGen = 0;
  /** Jobs changed since the snapshot was taken, re-read on the next access. */
  private dirty = new Set<string>();
  private nextCache = new Map<string, NextCache>();
  private sortCache = new Map<string, NextCache>();
  private cronCache = new Map<string, { cron: Cron | null; next: number | null; validUntil: number }>();
  private zoneCache = new Map<string, string>();
  private offsetCache = new Map<string, number>();

  private stateCache: { url: string; at: number; promise: Promise<MasterState> } | null = null;
  private recent: FrameworkHealth['recent'] = [];
  private history: ClusterState['history'] = [];
  private cancelSampler: (() => void) | null = null;
  private attachedBus: Scheduler['events'] | null = null;
  private offBus: Array<() => void> = [];
  private disposed = false;

  constructor(deps: UiServiceDeps) {
    this.store = deps.store;
    this.runtime = deps.runtime;
    this.clock = deps.clock;
    this.chronos = deps.chronos ?? new ChronosService({ store: deps.store, runtime: deps.runtime, clock: deps.clock });
    const registry = globalThis as unknown as Record<symbol, unknown>;
    this.getScheduler = deps.scheduler ?? (() => (registry[SCHEDULER_KEY] as Scheduler | undefined) ?? null);
    this.getElector = deps.elector ?? (() => (registry[ELECTOR_KEY] as UiElector | undefined) ?? null);
    this.getMaster = deps.master ?? null;
    this.fetchFn = deps.fetch ?? fetch;
    this.layouter = deps.layouter ?? null;
    this.o = {
      jobsCacheMs: deps.options?.jobsCacheMs ?? 1000,
      stateCacheMs: deps.options?.stateCacheMs ?? 2000,
      historyIntervalMs: deps.options?.historyIntervalMs ?? 60_000,
      historySize: deps.options?.historySize ?? 1440,
      recentEvents: deps.options?.recentEvents ?? 20,
      httpTimeoutMs: deps.options?.httpTimeoutMs ?? 5000,
    };
  }

  /** Stops the sampler and unsubscribes from the scheduler's events. */
  dispose(): void {
    this.disposed = true;
    this.cancelSampler?.();
    this.cancelSampler = null;
    for (const off of this.offBus) off();
    this.offBus = [];
    this.attachedBus = null;
  }

  /* ---------- the running scheduler */

  /** The scheduler of this process, subscribing the ring buffer and cache invalidation to it. */
  private scheduler(): Scheduler | null {
    const s = this.getScheduler();
    const bus = s?.events ?? null;
    if (bus !== this.attachedBus && !this.disposed) {
      for (const off of this.offBus) off();
      this.offBus = [];
      this.attachedBus = bus;
      if (bus) {
        const push = (kind: string, detail: string) => {
          this.recent.unshift({ at: this.clock.now(), kind, detail });
          if (this.recent.length > this.o.recentEvents) this.recent.length = this.o.recentEvents;
        };
        this.offBus.push(
          bus.on('framework', (e) => push(e.kind, e.detail ?? '')),
          bus.on('error', (e) => {
            if (e.where === 'mesos') push('error', e.message);
          }),
          bus.on('job', (e) => this.markJobDirty(e.name)),
          // a launch advances the job's schedule (no job event for that)
          bus.on('run', (e) => {
            if (e.previous === 'QUEUED' && e.run.state !== 'QUEUED') this.markJobDirty(e.run.jobName);
          }),
        );
      }
    }
    return s;
  }

  /** The master's base URL: the framework's current leader, else MESOS_MASTER (http(s) or host:port). */
  masterUrl(): string | null {
    if (this.getMaster) return this.getMaster();
    const fromClient = this.scheduler()?.client?.master;
    if (fromClient) return fromClient.replace(/\/+$/, '');
    const env = process.env.MESOS_MASTER?.trim();
    if (!env || env.startsWith('zk://')) return null;
    const first = env.split(',')[0].trim();
    return (/^https?:\/\//.test(first) ? first : `http://${first}`).replace(/\/+$/, '');
  }

  /* ---------- jobs snapshot */

  /**
   * Forget the jobs snapshot: the next read waits for a full `store.jobs.list()` (tests, or after
   * writes this process made behind the service's back).
   */
  invalidateJobs(): void {
    this.snapGen++;
    this.snap = null;
    this.dirty.clear();
  }

  /** A job changed: the next read re-reads just that job (many at once: a background reload). */
  markJobDirty(name: string): void {
    if (this.snap) this.dirty.add(name);
  }

  private loadSnapshot(): Promise<Snapshot> {
    if (this.snapLoad && this.snapLoad.gen === this.snapGen) return this.snapLoad.promise;
    const gen = this.snapGen;
    const startedAt = this.clock.now();
    const dirtyBefore = new Set(this.dirty);
    const promise = this.store.jobs.list().then((jobs) => {
      const entries = jobs.map(entryOf);
      const value: Snapshot = { entries, byName: new Map(entries.map((e) => [e.job.name, e])) };
      if (gen === this.snapGen) {
        this.snap = { at: startedAt, gen, value };
        // changes seen before the load started are in it; later ones stay dirty
        for (const n of dirtyBefore) this.dirty.delete(n);
      }
      if (this.nextCache.size > entries.length * 1.5 + 100) {
        for (const name of this.nextCache.keys()) if (!value.byName.has(name)) this.nextCache.delete(name);
      }
      return value;
    });
    const load = { gen, promise };
    this.snapLoad = load;
    const clear = () => {
      if (this.snapLoad === load) this.snapLoad = null;
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * The jobs, in name order. The first read loads every job (one query); after that the snapshot
   * follows the scheduler's job and launch events job by job, and is reloaded in the background
   * (the stale one answering meanwhile) once older than `jobsCacheMs` — every few seconds only
   * when no scheduler runs in this process to send events.
   */
  private async snapshot(): Promise<Snapshot> {
    const bus = this.scheduler()?.events ?? null; // subscribes to the job events
    const snap = this.snap;
    if (!snap || snap.gen !== this.snapGen) return this.loadSnapshot();
    const maxAge = bus ? this.o.jobsCacheMs * 30 : this.o.jobsCacheMs;
    if (this.dirty.size > 0 && this.dirty.size <= 200) {
      // Jobs changed since the snapshot: re-read just those, even when a full reload is due too,
      // so an answer never misses a change the caller has already seen happen.
      const names = [...this.dirty];
      this.dirty.clear();
      const jobs = await Promise.all(names.map((n) => this.store.jobs.get(n)));
      if (this.snap === snap) names.forEach((n, i) => patchSnapshot(snap.value, n, jobs[i]));
    }
    if (this.clock.now() - snap.at >= maxAge || this.dirty.size > 200) {
      this.loadSnapshot().catch(() => {}); // answered from the (patched) stale snapshot meanwhile
    }
    return snap.value;
  }

  /** Next due instant of a scheduled, enabled job with runs left, exact (scheduler/core/spec.ts), cached. */
  nextRunOf(job: Job, now: number): number | null {
    if (!job.schedule || job.disabled) return null;
    const zoneId = job.scheduleTimeZone ?? '';
    const c = this.nextCache.get(job.name);
    if (c && c.schedule === job.schedule && c.zone === zoneId && now < c.validUntil) return c.value;
    const spec = parseScheduleSpec(job.schedule, job.scheduleTimeZone ?? '', now, { legacy: true });
    let value: number | null = null;
    let validUntil = Number.POSITIVE_INFINITY;
    if (spec.ok) {
      if (spec.value.kind === 'iso') {
        const s = spec.value.schedule;
        value = s.recurrences === 0 ? null : s.start;
        if (/^R\d*\/\//.test(job.schedule)) validUntil = now; // empty start means "now": not cacheable
      } else {
        value = spec.value.cron.next;
        if (value !== null) validUntil = value;
      }
    }
    this.nextCache.set(job.name, { schedule: job.schedule, zone: zoneId, value, validUntil });
    return value;
  }

  /**
   * The next run as a sort key for the whole filtered set: the same instant as `nextRunOf` but
   * computed without the full schedule parser (100,000 of those take minutes): an ISO start is
   * read as wall time in the zone (two offset lookups), a cron expression is compiled once per
   * (expression, zone). Only a start inside a DST gap can differ (by the gap), which moves a job
   * by at most an hour in the order; the rows shown carry the exact `nextRunOf`.
   */
  private nextRunKey(job: Job, now: number): number | null {
    if (!job.schedule || job.disabled) return null;
    const zoneId = job.scheduleTimeZone ?? '';
    const c = this.sortCache.get(job.name);
    if (c && c.schedule === job.schedule && c.zone === zoneId && now < c.validUntil) return c.value;
    let value: number | null;
    let validUntil = Number.POSITIVE_INFINITY;
    const iso = ISO_EXPR.exec(job.schedule);
    if (iso) {
      const [, count, startText] = iso;
      if (count === '0') value = null;
      else if (startText === '') {
        value = now - 1000;
        validUntil = now;
      } else {
        const v = this.isoStartInstant(startText, job.scheduleTimeZone ?? '');
        value = v === undefined ? this.nextRunOf(job, now) : v;
      }
    } else {
      // the same expression in the same zone has the same next run: compiled and computed once
      const zone = this.zone(zoneId);
      const ck = `${job.schedule}\u0000${zone}`;
      let cron = this.cronCache.get(ck);
      if (cron === undefined || now >= cron.validUntil) {
        const compiled = cron?.cron ?? (() => {
          const r = compileCron(job.schedule!, zone);
          return r.ok ? r.value : null;
        })();
        const next = compiled ? cronNextAfter(compiled, now) : null;
        if (this.cronCache.size > 10_000) this.cronCache.clear();
        cron = { cron: compiled, next, validUntil: next ?? Number.POSITIVE_INFINITY };
        this.cronCache.set(ck, cron);
      }
      value = cron.next;
      validUntil = cron.validUntil;
    }
    this.sortCache.set(job.name, { schedule: job.schedule, zone: zoneId, value, validUntil });
    return value;
  }

  /** A zone id as the scheduler loads it (unknown → UTC), memoized (the lookup asks Intl). */
  private zone(id: string): string {
    let z = this.zoneCache.get(id);
    if (z === undefined) {
      z = resolveZone(id);
      this.zoneCache.set(id, z);
    }
    return z;
  }

  /** The start of an ISO schedule as an instant; undefined when the text is not the plain form. */
  private isoStartInstant(text: string, zoneId: string): number | undefined {
    const m = ISO_START.exec(text);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, sec, frac, off] = m;
    const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, sec ? +sec : 0, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
    if (zoneId === '') {
      if (!off || off === 'Z') return wall;
      const sign = off[0] === '-' ? -1 : 1;
      const digits = off.slice(1).replace(':', '');
      return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    }
    const zone = this.zone(zoneId);
    if (zone === UTC_ZONE) return wall;
    const first = this.offset(wall, zone);
    const t = wall - first * 60_000;
    const second = this.offset(t, zone);
    return second === first ? t : wall - second * 60_000;
  }

  /** The zone's offset (minutes) at an instant, memoized per UTC hour (zones change offset on the hour, give or take). */
  private offset(t: number, zone: string): number {
    const k = `${zone}@${Math.floor(t / 3_600_000)}`;
    let o = this.offsetCache.get(k);
    if (o === undefined) {
      o = offsetAt(t, zone);
      if (this.offsetCache.size > 50_000) this.offsetCache.clear();
      this.offsetCache.set(k, o);
    }
    return o;
  }

  private row(e: JobEntry, now: number): JobRow {
    const j = e.job;
    return {
      name: j.name,
      kind: e.kind,
      command: j.command,
      owner: j.owner,
      ownerName: j.ownerName,
      description: j.description,
      disabled: j.disabled,
      status: e.status,
      state: stateInfo(this.runtime.activity(j.name)),
      schedule: e.kind === 'dependent' ? '' : (j.schedule ?? ''),
      scheduleTimeZone: j.scheduleTimeZone ?? '',
      parents: [...(j.parents ?? [])],
      nextRun: this.nextRunOf(j, now),
      successCount: j.successCount,
      errorCount: j.errorCount,
      lastSuccess: j.lastSuccess,
      lastError: j.lastError,
      cpus: j.cpus,
      mem: j.mem,
      disk: j.disk,
      highPriority: j.highPriority,
    };
  }

  /* ---------- GET /api/jobs */

  /** The snapshot's entries matching the query's search and filters (name order; no paging). */
  private matching(entries: JobEntry[], query: JobPageQuery): JobEntry[] {
    const q = query.q?.toLowerCase();
    const owner = query.owner?.toLowerCase();
    const statuses = query.status?.length ? new Set(query.status) : null;
    const states = query.state?.length ? new Set(query.state) : null;
    return entries.filter((e) => {
      if (q !== undefined && !e.text.includes(q)) return false;
      if (owner !== undefined && !e.owner.includes(owner)) return false;
      if (statuses && !statuses.has(e.status)) return false;
      if (query.disabled !== undefined && e.job.disabled !== query.disabled) return false;
      if (query.kind !== undefined && e.kind !== query.kind) return false;
      if (states) {
        const a = this.runtime.activity(e.job.name);
        if (!states.has(a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle')) return false;
      }
      return true;
    });
  }

  async jobs(query: JobPageQuery = {}): Promise<JobPage> {
    const snap = await this.snapshot();
    const now = this.clock.now();
    const offset = query.offset ?? 0;
    const limit = Math.min(JOB_PAGE_MAX_LIMIT, Math.max(1, query.limit ?? JOB_PAGE_DEFAULT_LIMIT));
    let list = this.matching(snap.entries, query);

    const sort = query.sort ?? 'name';
    const sign = query.dir === 'desc' ? -1 : 1;
    const byName = (a: JobEntry, b: JobEntry) => (a.job.name < b.job.name ? -1 : a.job.name > b.job.name ? 1 : 0);
    if (sort === 'name') {
      // the store lists in name order
      if (sign < 0) list = list.reverse();
    } else if (sort === 'status') {
      list.sort((a, b) => sign * (STATUS_RANK[a.status] - STATUS_RANK[b.status]) || byName(a, b));
    } else if (sort === 'lastSuccess' || sort === 'lastError') {
      // ISO instants compare as text; "never" ("") sorts last either way
      list.sort((a, b) => {
        const x = a.job[sort];
        const y = b.job[sort];
        if (x === y) return byName(a, b);
        if (x === '') return 1;
        if (y === '') return -1;
        return sign * (x < y ? -1 : 1);
      });
    } else {
      // nextRun: jobs without a next run sort last either way
      const keyed = list.map((e) => ({ e, k: this.nextRunKey(e.job, now) }));
      keyed.sort((a, b) => {
        if (a.k === b.k) return byName(a.e, b.e);
        if (a.k === null) return 1;
        if (b.k === null) return -1;
        return sign * (a.k - b.k);
      });
      list = keyed.map((x) => x.e);
    }
    return {
      jobs: list.slice(offset, offset + limit).map((e) => this.row(e, now)),
      total: list.length,
      offset,
      limit,
    };
  }

  /* ---------- POST /api/jobs/bulk */

  /**
   * `{action, names}`: those jobs. `{action, query, expect?}`: every job matching `query` (the
   * search and filters of GET /api/jobs, as strings; paging and sort ignored) at the time of the
   * call, the jobs page's "select all N matching". With `expect`, a different number of matching
   * jobs is refused (field `expect`) and nothing is changed.
   */
  async bulk(body: unknown): Promise<BulkResult> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { action?: unknown; names?: unknown; query?: unknown; expect?: unknown };
    const actions = ['run', 'disable', 'enable', 'delete'] as const;
    if (typeof b.action !== 'string' || !(actions as readonly string[]).includes(b.action)) {
      throw new UiFieldError('action', `action must be one of ${actions.join(', ')}`);
    }
    let listed: string[];
    if (b.query !== undefined && b.names === undefined) {
      const raw = b.query;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new UiFieldError('query', 'query must be an object of string filters (q, status, state, owner, disabled, kind)');
      }
      const query = parseJobPageQuery(raw as Record<string, string>);
      listed = this.matching((await this.snapshot()).entries, query).map((e) => e.job.name);
      if (b.expect !== undefined && b.expect !== listed.length) {
        throw new UiFieldError('expect', `${listed.length} jobs match now, not ${String(b.expect)}: nothing was changed; reload and try again`);
      }
      if (listed.length > 10_000) throw new UiFieldError('query', `${listed.length} jobs match: at most 10000 at once, narrow the search`);
    } else {
      if (!Array.isArray(b.names) || b.names.some((n) => typeof n !== 'string')) {
        throw new UiFieldError('names', 'names must be an array of job names');
      }
      if (b.names.length > 10_000) throw new UiFieldError('names', 'at most 10000 names at once');
      listed = b.names as string[];
    }
    const action = b.action as (typeof actions)[number];
    const names = [...new Set(listed)];
    const out: BulkResult = { ok: [], failed: [] };
    for (const name of names) {
      try {
        if (action === 'run') await this.chronos.runJob(name);
        else if (action === 'delete') await this.chronos.deleteJob(name);
        else {
          const job = await this.chronos.getJob(name);
          const disabled = action === 'disable';
          if (job.disabled !== disabled) {
            const next = { ...jobToChronosObject(job), disabled };
            if (job.parents !== undefined) await this.chronos.upsertDependency(next);
            else await this.chronos.upsertIso8601(next);
          }
        }
        out.ok.push(name);
      } catch (e) {
        out.failed.push({ name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (action !== 'run') for (const name of out.ok) this.markJobDirty(name);
    return out;
  }

  /* ---------- GET /api/jobs/{name}, /api/jobs/{name}/next */

  async jobDetail(name: string): Promise<JobDetail> {
    const job = await this.store.jobs.get(name);
    if (!job) throw ApiError.notFound(`job '${name}' not found`);
    const now = this.clock.now();
    const [snap, durations, last] = await Promise.all([
      this.snapshot(),
      this.store.runs.durations(name, 1000),
      this.currentRun(name),
    ]);
    const children = snap.entries.filter((e) => e.job.parents?.includes(name)).map((e) => e.job.name);
    const sorted = [...durations].sort((a, b) => a - b);
    const n = sorted.length;
    const entry = entryOf(job);
    return {
      job: jobToChronosObject(job),
      row: this.row(entry, now),
      scheduleText: job.parents !== undefined ? `after ${job.parents.join(', ')} succeeded` : describeSchedule(job.schedule ?? '', job.scheduleTimeZone, now),
      children,
      stats: {
        count: n,
        p50: n ? quantile(sorted, 0.5) : null,
        p95: n ? quantile(sorted, 0.95) : null,
        p99: n ? quantile(sorted, 0.99) : null,
        mean: n ? sorted.reduce((s, x) => s + x, 0) / n : null,
      },
      currentRun: last ? runRow(last) : null,
    };
  }

  /** The job's run in flight or queued in this worker, else its latest stored run. */
  private async currentRun(name: string): Promise<Run | null> {
    const w = this.scheduler()?.worker;
    if (w) {
      const live = w.inflightRuns().find((r) => r.jobName === name) ?? w.queuedRuns().find((r) => r.jobName === name);
      if (live) return live;
    }
    const [latest] = await this.store.runs.recent(name, 1);
    return latest ?? null;
  }

  async jobNext(name: string, n = 10): Promise<PreviewRun[]> {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) throw new UiFieldError('n', `n must be an integer from 0 to ${MAX_PREVIEW}`);
    const job = await this.store.jobs.get(name);
    if (!job) throw ApiError.notFound(`job '${name}' not found`);
    if (!job.schedule || job.disabled) return [];
    const r = nextRuns(job.schedule, job.scheduleTimeZone ?? '', this.clock.now(), n, { legacy: true });
    return r.ok ? r.value : [];
  }

  /* ---------- GET /api/preview, POST /api/validate */

  preview(schedule: string | null | undefined, zone: string | null | undefined, n = 10): PreviewResult {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) {
      return { ok: false, error: `n must be an integer from 0 to ${MAX_PREVIEW}`, field: 'n' };
    }
    const expr = (schedule ?? '').trim();
    if (expr === '') return { ok: false, error: 'a schedule is required', field: 'schedule' };
    const now = this.clock.now();
    const r = nextRuns(expr, zone ?? '', now, n);
    if (!r.ok) {
      const field = r.error.code === 'UNKNOWN_ZONE' ? 'scheduleTimeZone' : 'schedule';
      return { ok: false, error: r.error.detail && r.error.code === 'UNPARSEABLE' ? `${r.error.message}: ${r.error.detail}` : r.error.message, field };
    }
    return { ok: true, runs: r.value, description: describeSchedule(expr, zone, now) };
  }

  async validate(body: unknown, kind?: 'iso8601' | 'dependency'): Promise<ValidateResult> {
    const errors = await this.chronos.validate(body, kind);
    return errors.length === 0 ? { ok: true } : { ok: false, errors };
  }

  /* ---------- GET /api/runs */

  async runs(p: Params): Promise<RunPage> {
    const states = param(p, 'state')?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    for (const s of states ?? []) if (!ALL_RUN_STATES.has(s)) throw new UiFieldError('state', `unknown run state '${s}'`);
    // up to 10,000 a page: the timeline reads a whole night (8,000 runs at 10k jobs) in two requests
    const limit = intParam(p, 'limit', 1, RUNS_PAGE_MAX_LIMIT);
    try {
      const page = await this.store.runs.list({
        jobName: param(p, 'job'),
        states: states?.length ? (states as RunState[]) : undefined,
        from: instantParam(p, 'from'),
        to: instantParam(p, 'to'),
        limit: limit ?? 100,
        cursor: param(p, 'cursor'),
      });
      return { runs: page.runs.map(runRow), nextCursor: page.nextCursor };
    } catch (e) {
      if (e instanceof Error && /cursor/.test(e.message)) throw new UiFieldError('cursor', 'invalid cursor');
      throw e;
    }
  }

  /* ---------- GET /api/runs/timeline */

  /**
   * The runs a timeline of [from, to) draws (to absent: until now), newest due first: due in the
   * window or up to TIMELINE_LOOKBACK_MS before it, without those that ended before `from` (a
   * run due earlier shows only while it still goes). `limit` (default 1,000) bounds the runs read;
   * `nextCursor` continues after them.
   */
  async timeline(p: Params): Promise<RunTimelinePage> {
    const states = param(p, 'state')?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    for (const s of states ?? []) if (!ALL_RUN_STATES.has(s)) throw new UiFieldError('state', `unknown run state '${s}'`);
    const from = instantParam(p, 'from');
    if (from === undefined) throw new UiFieldError('from', 'from is required (the start of the window)');
    const to = instantParam(p, 'to');
    const limit = intParam(p, 'limit', 1, TIMELINE_MAX_LIMIT) ?? 1000;
    const now = this.clock.now();
    const kept: RunRow[] = [];
    let cursor = param(p, 'cursor') ?? null;
    let read = 0;
    try {
      do {
        const page = await this.store.runs.list({
          jobName: param(p, 'job'),
          states: states?.length ? (states as RunState[]) : undefined,
          from: from - TIMELINE_LOOKBACK_MS,
          to,
          limit: Math.min(RUNS_PAGE_MAX_LIMIT, limit - read),
          cursor: cursor ?? undefined,
        });
        read += page.runs.length;
        cursor = page.nextCursor;
        for (const run of page.runs) {
          // the span the timeline draws: queued → launched → finished (now while going)
          const launched = run.startedAt ?? run.launchedAt;
          const end = Math.max(launched ?? -Infinity, run.finishedAt ?? now);
          const start = Math.min(run.queuedAt, launched ?? run.queuedAt);
          if (end >= from && (to === undefined || start < to)) kept.push(runRow(run));
        }
      } while (cursor !== null && read < limit);
    } catch (e) {
      if (e instanceof Error && /cursor/.test(e.message)) throw new UiFieldError('cursor', 'invalid cursor');
      throw e;
    }
    return encodeTimeline(kept, cursor);
  }

  /* ---------- GET /api/graph */

  /**
   * The dependency graph: with `focus`, that job's ancestors and descendants; without, every job
   * while they fit in `maxNodes` (GRAPH_MAX_NODES). Beyond that the answer keeps whole pipelines
   * (jobs connected by dependencies), largest first, then jobs without dependencies, as many as fit
   * (the first pipeline always, even when larger); `omitted` says what was left out, each of which
   * the focus view shows. With `layout` (and a layouter), the answer carries the node positions.
   */
  async graph(focus?: string | null, opts: { maxNodes?: number; layout?: boolean } = {}): Promise<GraphData> {
    const snap = await this.snapshot();
    const { graph } = DependencyGraph.fromJobs(snap.entries.map((e) => e.job));
    let names: string[];
    let omitted: GraphData['omitted'];
    if (focus) {
      if (!graph.has(focus)) throw ApiError.notFound(`job '${focus}' not found`);
      names = [...new Set([...graph.ancestors(focus), focus, ...graph.descendants(focus)])];
    } else {
      names = graph.names();
      const max = Math.max(1, opts.maxNodes ?? GRAPH_MAX_NODES);
      if (names.length > max) ({ names, omitted } = largestPipelines(graph, names, max));
    }
    const keep = new Set(names);
    const nodes = names.map((name) => {
      const e = snap.byName.get(name)!;
      return {
        name,
        kind: e.kind,
        status: e.status,
        state: stateInfo(this.runtime.activity(name)).state,
        disabled: e.job.disabled,
      };
    });
    const edges: GraphData['edges'] = [];
    for (const child of names) {
      for (const parent of graph.parentsOf(child)) if (keep.has(parent)) edges.push({ source: parent, target: child });
    }
    const out: GraphData = omitted ? { nodes, edges, omitted } : { nodes, edges };
    // positions only for who draws the graph (the editor's cycle check reads the structure alone)
    const layout = opts.layout && this.layouter ? await this.layouter.layout(out) : null;
    if (layout) out.layout = layout;
    return out;
  }

  /* ---------- GET /api/instance */

  instance(): InstanceInfo {
    const elector = this.getElector();
    const s = this.scheduler();
    if (elector) {
      return {
        self: elector.id,
        leader: elector.leader(),
        isLeader: elector.isLeader(),
        members: elector.members?.() ?? [],
      };
    }
    const self = this.runtime.leader();
    return { self, leader: s ? self : null, isLeader: s !== null, members: [] };
  }

  /* ---------- framework health */

  framework(): FrameworkHealth {
    const s = this.scheduler();
    const fw = s?.framework ?? null;
    const recent = this.recent.map((r) => ({ ...r }));
    if (!fw) {
      return {
        configured: false,
        connected: false,
        frameworkId: null,
        master: this.masterUrl(),
        lastEventAt: null,
        lastOfferAt: null,
        suppressed: false,
        counters: {},
        recent,
      };
    }
    const st = fw.state();
    return {
      configured: true,
      connected: st.connected,
      frameworkId: st.frameworkId,
      master: st.master ?? this.masterUrl(),
      lastEventAt: st.lastEventAt,
      lastOfferAt: st.lastOfferAt,
      suppressed: st.suppressed,
      counters: { ...st.counters, reconciling: st.reconciling },
      recent,
    };
  }

  /* ---------- GET /api/dashboard */

  async dashboard(): Promise<Dashboard> {
    const s = this.scheduler();
    const [snap, active, failures, util] = await Promise.all([
      this.snapshot(),
      s ? Promise.resolve(null) : this.store.runs.listActive(),
      this.store.runs.list({ states: FAILURE_STATES, limit: 10 }),
      this.utilization(),
    ]);
    const counts = { jobs: snap.entries.length, success: 0, failure: 0, fresh: 0, idle: 0, queued: 0, running: 0, disabled: 0 };
    for (const e of snap.entries) {
      counts[e.status]++;
      if (e.job.disabled) counts.disabled++;
      const a = this.runtime.activity(e.job.name);
      counts[a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle']++;
    }
    let running: Run[];
    let queued: QueuedRunInfo[];
    if (s) {
      const fw = s.framework?.state() ?? null;
      running = s.worker.inflightRuns();
      queued = s.worker.queuedRuns().map((run) => ({
        run: runRow(run),
        reason: s.worker.waitingReason(run.taskId, fw) ?? 'waiting',
      }));
    } else {
      const leader = this.instance().leader;
      running = (active ?? []).filter((r) => r.state !== 'QUEUED');
      queued = (active ?? [])
        .filter((r) => r.state === 'QUEUED')
        .map((run) => ({
          run: runRow(run),
          reason: leader ? `queued on the leader (${leader}); no scheduler runs in this instance` : 'no scheduler runs in this instance',
        }));
    }
    running.sort((a, b) => (b.launchedAt ?? b.queuedAt) - (a.launchedAt ?? a.queuedAt));
    return {
      counts,
      running: running.slice(0, 500).map(runRow),
      queued: queued.slice(0, 500),
      recentFailures: failures.runs.map(runRow),
      framework: this.framework(),
      leader: this.instance(),
      utilization: util,
    };
  }

  /* ---------- master state, utilization, cluster */

  private authHeaders(): Record<string, string> {
    const c = process.env.MESOS_CREDENTIALS;
    const i = c ? c.indexOf(':') : -1;
    return c && i > 0 ? { Authorization: `Basic ${Buffer.from(c, 'utf8').toString('base64')}` } : {};
  }

  private async getJson<T>(url: string): Promise<T> {
    const res = await this.fetchFn(url, {
      headers: { Accept: 'application/json', ...this.authHeaders() },
      signal: AbortSignal.timeout(this.o.httpTimeoutMs),
      cache: 'no-store',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new HttpStatusError(res.status, url);
    }
    return (await res.json()) as T;
  }

  /** /master/state of the current master, reused for stateCacheMs (fresh: always fetch). */
  private masterState(fresh = false): Promise<MasterState> {
    const url = this.masterUrl();
    if (!url) return Promise.reject(new Error('no Mesos master configured'));
    const now = this.clock.now();
    const c = this.stateCache;
    if (!fresh && c && c.url === url && now - c.at < this.o.stateCacheMs) return c.promise;
    const promise = this.getJson<MasterState>(`${url}/master/state`);
    this.stateCache = { url, at: now, promise };
    promise.catch(() => {
      if (this.stateCache?.promise === promise) this.stateCache = null;
    });
    return promise;
  }

  private static totals(state: MasterState) {
    let cpusUsed = 0;
    let cpusTotal = 0;
    let memUsed = 0;
    let memTotal = 0;
    for (const a of state.slaves ?? []) {
      if (a.active === false) continue;
      cpusTotal += scalar(a.resources, 'cpus');
      memTotal += scalar(a.resources, 'mem');
      cpusUsed += scalar(a.used_resources, 'cpus');
      memUsed += scalar(a.used_resources, 'mem');
    }
    return { cpusUsed, cpusTotal, memUsed, memTotal };
  }

  private async utilization(): Promise<Dashboard['utilization']> {
    if (!this.masterUrl()) return null;
    try {
      const t = UiService.totals(await this.masterState());
      return { cpus: { used: t.cpusUsed, total: t.cpusTotal }, mem: { used: t.memUsed, total: t.memTotal } };
    } catch {
      return null;
    }
  }

  /** Starts the utilization sampler once (the first cluster request), one sample per interval. */
  private startSampler(): void {
    if (this.cancelSampler || this.disposed) return;
    const tick = () => {
      this.cancelSampler = this.clock.setTimer(this.o.historyIntervalMs, tick);
      void this.sample();
    };
    this.cancelSampler = this.clock.setTimer(this.o.historyIntervalMs, tick);
  }

  private async sample(state?: MasterState): Promise<void> {
    try {
      const st = state ?? (await this.masterState());
      const t = UiService.totals(st);
      this.history.push({ at: this.clock.now(), ...t });
      if (this.history.length > this.o.historySize) this.history.splice(0, this.history.length - this.o.historySize);
    } catch {
      // the master is unreachable: no sample
    }
  }

  async cluster(): Promise<ClusterState> {
    const firstCall = this.cancelSampler === null;
    this.startSampler();
    const fw = this.scheduler()?.framework?.state() ?? null;
    const master = this.masterUrl();
    const base: ClusterState = {
      master,
      reachable: false,
      agents: [],
      frameworks: [],
      offers: {
        received: fw?.counters.offersReceived ?? 0,
        used: fw?.counters.offersUsed ?? 0,
        declined: fw?.counters.offersDeclined ?? 0,
      },
      history: [...this.history],
      instances: this.instance(),
    };
    if (!master) return { ...base, error: 'no Mesos master configured (MESOS_MASTER is not set)' };
    let state: MasterState;
    try {
      state = await this.masterState();
    } catch (e) {
      return { ...base, error: `cannot read ${master}/master/state: ${(e as Error).message}` };
    }
    if (firstCall && this.history.length === 0) await this.sample(state);
    const agents: AgentInfo[] = (state.slaves ?? []).map((a) => ({
      id: a.id,
      hostname: a.hostname ?? '',
      active: a.active !== false,
      resources: { cpus: scalar(a.resources, 'cpus'), mem: scalar(a.resources, 'mem'), disk: scalar(a.resources, 'disk') },
      used: { cpus: scalar(a.used_resources, 'cpus'), mem: scalar(a.used_resources, 'mem'), disk: scalar(a.used_resources, 'disk') },
      attributes: a.attributes ?? {},
    }));
    const frameworks = (state.frameworks ?? []).map((f) => ({
      id: f.id,
      name: f.name ?? '',
      active: f.active !== false,
      tasks: f.tasks?.length ?? 0,
      resources: { cpus: scalar(f.used_resources, 'cpus'), mem: scalar(f.used_resources, 'mem') },
    }));
    return { ...base, reachable: true, agents, frameworks, history: [...this.history] };
  }

  /* ---------- GET /api/runs/{taskId}/log */

  async log(taskId: string, p: Params): Promise<LogChunk> {
    const file = oneOf(p, 'file', ['stdout', 'stderr'] as const) ?? 'stdout';
    const offset = intParam(p, 'offset', -1, Number.MAX_SAFE_INTEGER) ?? 0;
    const length = intParam(p, 'length', 1, LOG_MAX_LENGTH) ?? LOG_MAX_LENGTH;
    const run = await this.store.runs.getByTaskId(taskId);
    if (!run) throw ApiError.notFound(`run '${taskId}' not found`);
    const none = (why: string): LogChunk => ({
      taskId,
      file,
      offset: Math.max(0, offset),
      data: '',
      nextOffset: Math.max(0, offset),
      eof: isTerminal(run.state),
      unavailable: why,
    });
    if (run.state === 'QUEUED' || run.state === 'SKIPPED' || (run.launchedAt === null && run.agentId === null)) {
      return none(run.state === 'QUEUED' ? 'the run has not been launched yet' : 'the run was never launched');
    }
    const master = this.masterUrl();
    if (!master) return none('no Mesos master configured');

    let where: { agentBase: string; dir: string } | string;
    try {
      where = await this.sandboxOf(run, master);
    } catch (e) {
      return none(`cannot read ${master}/master/state: ${(e as Error).message}`);
    }
    if (typeof where === 'string') return none(where);

    const path = `${where.dir.replace(/\/+$/, '')}/${file}`;
    const read = (off: number, len?: number) =>
      this.getJson<{ data: string; offset: number }>(
        `${where.agentBase}/files/read?path=${encodeURIComponent(path)}&offset=${off}${len === undefined ? '' : `&length=${len}`}`,
      );
    try {
      let start = offset;
      let size: number | null = null;
      if (offset === -1) {
        size = (await read(-1)).offset;
        start = Math.max(0, size - length);
      }
      const r = size === 0 ? { data: '', offset: 0 } : await read(start, length);
      const bytes = Buffer.byteLength(r.data, 'utf8');
      const nextOffset = start + bytes;
      const atEnd = size !== null ? nextOffset >= size : bytes < length;
      return { taskId, file, offset: start, data: r.data, nextOffset, eof: isTerminal(run.state) && atEnd };
    } catch (e) {
      if (e instanceof HttpStatusError && e.status === 404) {
        return none(`${file} is not in the sandbox (not written yet, or the agent removed the sandbox)`);
      }
      return none(`cannot read ${file} from the agent at ${where.agentBase}: ${(e as Error).message}`);
    }
  }

  /** The agent's files API base URL and the run's sandbox directory, or why they are unknown. */
  private async sandboxOf(run: Run, master: string): Promise<{ agentBase: string; dir: string } | string> {
    const find = (st: MasterState): StateTask | null => {
      for (const f of [...(st.frameworks ?? []), ...(st.completed_frameworks ?? [])]) {
        for (const list of [f.tasks, f.completed_tasks, f.unreachable_tasks]) {
          const t = list?.find((x) => x.id === run.taskId);
          if (t) return { ...t, framework_id: t.framework_id ?? f.id };
        }
      }
      return null;
    };
    let state = await this.masterState();
    let task = find(state);
    if (!task) {
      state = await this.masterState(true); // the cached state may predate the launch
      task = find(state);
    }
    if (!task) return `the master does not know task ${run.taskId} (it keeps finished tasks for a limited time)`;
    const agentId = task.slave_id ?? task.agent_id ?? run.agentId;
    const agent = (state.slaves ?? []).find((a) => a.id === agentId);
    if (!agent) return `agent ${agentId ?? '?'} of the task is no longer registered with the master`;
    const agentBase = agentUrl(agent, master);
    if (!agentBase) return `cannot tell the address of agent ${agent.id}`;
    let dir = task.sandbox_directory ?? task.directory ?? task.executor_directory ?? null;
    if (!dir) {
      // Mesos: the sandbox is the executor's directory, in the agent's own state.
      try {
        dir = await this.executorDirectory(agentBase, task);
      } catch (e) {
        return `cannot read the state of agent ${agentBase}: ${(e as Error).message}`;
      }
    }
    if (!dir) return `the agent ${agentBase} does not know the sandbox of task ${run.taskId}`;
    return { agentBase, dir };
  }

  private async executorDirectory(agentBase: string, task: StateTask): Promise<string | null> {
    interface Exec {
      id: string;
      directory?: string;
      tasks?: Array<{ id: string }>;
      completed_tasks?: Array<{ id: string }>;
    }
    interface AgentFw {
      id: string;
      executors?: Exec[];
      completed_executors?: Exec[];
    }
    const st = await this.getJson<{ frameworks?: AgentFw[]; completed_frameworks?: AgentFw[] }>(`${agentBase}/state`);
    const executorId = task.executor_id || task.id;
    for (const f of [...(st.frameworks ?? []), ...(st.completed_frameworks ?? [])]) {
      if (task.framework_id && f.id !== task.framework_id) continue;
      for (const e of [...(f.executors ?? []), ...(f.completed_executors ?? [])]) {
        const hasTask = [...(e.tasks ?? []), ...(e.completed_tasks ?? [])].some((t) => t.id === task.id);
        if ((e.id === executorId || hasTask) && e.directory) return e.directory;
      }
    }
    return null;
  }
}

/** `slave(1)@10.0.0.5:5051` → `http://10.0.0.5:5051` (scheme of the master's URL); else hostname:port. */
function agentUrl(agent: StateAgent, master: string): string | null {
  const scheme = master.startsWith('https:') ? 'https' : 'http';
  const m = /@([^@/]+:\d+)$/.exec(agent.pid ?? '');
  if (m) return `${scheme}://${m[1]}`;
  if (agent.hostname) return `${scheme}://${agent.hostname}:${agent.port ?? 5051}`;
  return null;
}

/* ------------------------------------------------------------------ graph budget */

/**
 * Most jobs the whole graph (no focus) answers with: the issue asks for a graph usable with 1,000
 * nodes, and the browser's layered layout of a few thousand takes many seconds (bench/ measures it).
 */
export const GRAPH_MAX_NODES = 1000;

/**
 * Whole weakly connected components of `names` (in name order), largest first (ties: by first
 * name), as many as fit in `max` nodes, the first always; what is left out, counted.
 */
export function largestPipelines(
  graph: Pick<DependencyGraph, 'parentsOf' | 'childrenOf'>,
  names: readonly string[],
  max: number,
): { names: string[]; omitted: NonNullable<GraphData['omitted']> } {
  const seen = new Set<string>();
  const groups: string[][] = [];
  for (const start of names) {
    if (seen.has(start)) continue;
    seen.add(start);
    const group = [start];
    for (let i = 0; i < group.length; i++) {
      for (const n of [...graph.parentsOf(group[i]), ...graph.childrenOf(group[i])]) {
        if (!seen.has(n)) {
          seen.add(n);
          group.push(n);
        }
      }
    }
    group.sort();
    groups.push(group);
  }
  groups.sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept: string[] = [];
  const omitted = { jobs: 0, pipelines: 0, standalone: 0, maxNodes: max };
  for (const g of groups) {
    if (kept.length === 0 || kept.length + g.length <= max) kept.push(...g);
    else {
      omitted.jobs += g.length;
      if (g.length > 1) omitted.pipelines++;
      else omitted.standalone++;
    }
  }
  return { names: kept, omitted };
}

/* ------------------------------------------------------------------ the process's instance */

const UI_KEY = Symbol.for('sisyphus.api.ui');

/** The UI service of this process, built over the shared API services (rebuilt if those change). */
export async function getUiService(): Promise<UiService> {
  const { getServices } = await import('./context');
  const services = await getServices();
  const registry = globalThis as unknown as Record<symbol, { services: unknown; ui: UiService } | undefined>;
  const cur = registry[UI_KEY];
  if (cur && cur.services === services) return cur.ui;
  cur?.ui.dispose();
  const { sharedGraphLayouter } = await import('./graph-layouter');
  const ui = new UiService({ store: services.store, runtime: services.runtime, clock: services.clock, chronos: services.chronos, layouter: sharedGraphLayouter() });
  registry[UI_KEY] = { services, ui };
  // Lay the whole graph out in the background (ELK's worker thread): the first visit of /graph
  // then finds it ready instead of waiting a few seconds for the thread, ELK's load and the layout.
  setTimeout(() => void ui.graph(null, { layout: true }).catch(() => {}), 0).unref?.();
  return ui;
}
