/**
 * The Chronos REST API (shared/reference/chronos.md §1) as a framework-agnostic service: one
 * method per endpoint, each returning plain data or throwing an `ApiError`. The route handlers
 * under app/v1/scheduler/ only parse the request, call one method and write the response.
 *
 * Rules shared by every mutation:
 * - everything is validated before the one store write: on any error nothing is stored;
 * - where Chronos is broken we are right (a cycle, an unknown parent or an empty parent list is a
 *   400 on create and on update, naming the cycle or the parents; an unknown scheduleTimeZone is
 *   a 400 instead of silently becoming GMT);
 * - the runtime is told after the store write (it follows the store, never the other way round).
 *
 * Performance (100,000 jobs): list, search and summary are one store call each, then a map; no
 * method issues one query per job except `stats`, which asks for the durations of jobs that ever
 * succeeded only (see `stats`).
 */
import { DependencyGraph, lastState, rewireChildrenOnDelete } from '../core/dag';
import { parseScheduleSpec } from '../core/spec';
import { textIssues, textProblem } from '../core/text';
import { parseTaskId, taskArguments, taskIdProblem } from '../core/taskid';
import type { Job, Run, RunState } from '../core/types';
import { SEARCH_DEFAULT_LIMIT, type Clock, type JobActivity, type JobQuery, type SchedulerRuntime, type Store } from '../ports';
import { ApiError } from './errors';
import { cachedJobListJson, jobListJson, jobSummary, jobsListView, type JobSummary } from './job-json';
import { formatJobError, jobInputSchema, parseJob, type JobFieldError } from './job-schema';

/* ------------------------------------------------------------------ public types */

export interface ChronosServiceOptions {
  /** Finished runs per job sampled for percentiles (newest first). Default 1000. */
  statSampleSize?: number;
  /** Items of /job/stat `taskStatHistory` (Chronos `--job_history_limit`). Default 5. */
  historyLimit?: number;
  /** Jobs whose durations /stats fetches at once. Default 16. */
  statsConcurrency?: number;
}

export interface ChronosServiceDeps {
  store: Store;
  runtime: SchedulerRuntime;
  clock: Clock;
  options?: ChronosServiceOptions;
}

export interface SearchParams {
  name?: string | null;
  command?: string | null;
  any?: string | null;
  limit?: number | null;
  offset?: number | null;
}

/** Keys of GET /stats/{pct} and of the /job/stat histogram. */
export const STAT_KEYS = [
  '99thPercentile',
  '98thPercentile',
  '95thPercentile',
  '75thPercentile',
  'median',
  'mean',
] as const;
export type StatKey = (typeof STAT_KEYS)[number];

export interface Histogram {
  '75thPercentile': number;
  '95thPercentile': number;
  '98thPercentile': number;
  '99thPercentile': number;
  median: number;
  mean: number;
  count: number;
}

export type TaskStatStatus = 'Success' | 'Fail' | 'Running' | 'Idle';

export interface TaskStat {
  taskId: string;
  jobName: string;
  slaveId: string;
  startTime: string;
  endTime: string;
  /** Only for a run with both a start and an end: `1h2m3s` (zero fields left out; `0s`). */
  duration?: string;
  status: TaskStatStatus;
  /** A number for a dataProcessingJobType job, else "N/A" (as Chronos writes it). */
  numElementsProcessed: number | 'N/A';
}

export interface JobStat {
  histogram: Histogram;
  taskStatHistory: TaskStat[];
}

export interface StatEntry {
  jobNameLabel: string;
  /** Seconds. */
  time: number;
}

/* ------------------------------------------------------------------ helpers */

/** Bookkeeping fields an update keeps from the stored job when the body leaves them out. */
const BOOKKEEPING_KEYS = [
  'successCount',
  'errorCount',
  'lastSuccess',
  'lastError',
  'errorsSinceLastSuccess',
] as const;

const jobNotFound = (name: string) => ApiError.notFound(`Job '${name}' not found`);

/** The 400 text of a job field error. Chronos's own sentences are not prefixed with the field. */
function jobErrorMessage(e: JobFieldError): string {
  if (e.message.startsWith('Tried to add both uri')) return e.message;
  return formatJobError(e);
}

/**
 * Parse a request body as JSON: malformed JSON is a 400 naming the problem (an empty body too).
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw ApiError.badRequest('Malformed JSON body: the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw ApiError.badRequest(`Malformed JSON body: ${why}`);
  }
}

/** A query parameter that must be a non-negative integer; null/"" means absent. */
export function parseNonNegativeInt(name: string, raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const t = raw.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw ApiError.badRequest(`${name} must be a non-negative integer, got '${raw}'`);
  }
  return Number(t);
}

/** Summary `state`: "N running" (or "running" for one), else "queued", else "idle". */
export function activityLabel(a: JobActivity): string {
  if (a.running > 1) return `${a.running} running`;
  if (a.running === 1) return 'running';
  if (a.queued > 0) return 'queued';
  return 'idle';
}

/**
 * A quantile of sorted values, as Codahale's snapshot computes it (linear interpolation at
 * position q × (n + 1), clamped to the first and last value). 0 for no values.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = q * (n + 1);
  const index = Math.floor(pos);
  if (index < 1) return sorted[0];
  if (index >= n) return sorted[n - 1];
  const lower = sorted[index - 1];
  const upper = sorted[index];
  return lower + (pos - index) * (upper - lower);
}

const QUANTILE_OF: Readonly<Record<StatKey, number>> = {
  '99thPercentile': 0.99,
  '98thPercentile': 0.98,
  '95thPercentile': 0.95,
  '75thPercentile': 0.75,
  median: 0.5,
  // Chronos bug, kept on purpose: its "mean" is the median of the snapshot, not the mean.
  mean: 0.5,
};

/** The /job/stat histogram of durations in ms. */
export function histogramOf(durations: readonly number[]): Histogram {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    '75thPercentile': quantile(sorted, QUANTILE_OF['75thPercentile']),
    '95thPercentile': quantile(sorted, QUANTILE_OF['95thPercentile']),
    '98thPercentile': quantile(sorted, QUANTILE_OF['98thPercentile']),
    '99thPercentile': quantile(sorted, QUANTILE_OF['99thPercentile']),
    median: quantile(sorted, QUANTILE_OF.median),
    // Chronos's "mean" is really the median (a bug in Chronos, matched here so clients agree).
    mean: quantile(sorted, QUANTILE_OF.mean),
    count: sorted.length,
  };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** `MM/dd/yy HH:mm:ss` in UTC, or "N/A". */
export function formatStatTime(ms: number | null): string {
  if (ms === null) return 'N/A';
  const d = new Date(ms);
  return (
    `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}

/**
 * A duration as Chronos prints it in the task history: hours, minutes, seconds with suffixes,
 * zero fields left out, `0s` when all are zero (milliseconds dropped; no days field, as a
 * duration converted to a period has none).
 */
export function formatStatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out === '' ? '0s' : out;
}

const STATUS_OF: Readonly<Record<RunState, TaskStatStatus>> = {
  QUEUED: 'Idle',
  SKIPPED: 'Idle',
  STAGING: 'Running',
  STARTING: 'Running',
  RUNNING: 'Running',
  KILLING: 'Running',
  FINISHED: 'Success',
  FAILED: 'Fail',
  KILLED: 'Fail',
  LOST: 'Fail',
  ERROR: 'Fail',
  DROPPED: 'Fail',
};

export function taskStatOf(run: Run, job: Job): TaskStat {
  const out: TaskStat = {
    taskId: run.taskId,
    jobName: run.jobName,
    slaveId: run.agentId ?? '',
    startTime: formatStatTime(run.startedAt),
    endTime: formatStatTime(run.finishedAt),
    status: STATUS_OF[run.state] ?? 'Idle',
    numElementsProcessed: job.dataProcessingJobType ? run.elementsProcessed : 'N/A',
  };
  if (run.startedAt !== null && run.finishedAt !== null) {
    // Key order as Chronos writes it: duration between endTime and status.
    return {
      taskId: out.taskId,
      jobName: out.jobName,
      slaveId: out.slaveId,
      startTime: out.startTime,
      endTime: out.endTime,
      duration: formatStatDuration(run.finishedAt - run.startedAt),
      status: out.status,
      numElementsProcessed: out.numElementsProcessed,
    };
  }
  return out;
}

/** Map with bounded concurrency, results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Plain ASCII: such names sort the same by UTF-16 code unit, code point and UTF-8 byte. */
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The names of a job map in code-point order, kept between calls: a call on an unchanged set of
 * names re-checks it in one pass, a changed set is merged (removed names dropped, added names
 * sorted and merged in). Null when a name is not plain ASCII (the store's order is asked then).
 */
export class NameOrder {
  private names: string[] = [];
  private known = new Set<string>();

  /** The jobs of `view` in name order, or null. */
  sorted(view: ReadonlyMap<string, Job>): Job[] | null {
    const prev = this.names;
    if (prev.length === view.size) {
      const out = new Array<Job>(prev.length);
      let i = 0;
      for (; i < prev.length; i++) {
        const job = view.get(prev[i]);
        if (job === undefined) break;
        out[i] = job;
      }
      if (i === prev.length) return out;
    }
    const added: string[] = [];
    for (const name of view.keys()) {
      if (this.known.has(name)) continue;
      if (!ASCII.test(name)) return null;
      added.push(name);
    }
    added.sort();
    const kept = prev.filter((n) => view.has(n));
    const names = new Array<string>(kept.length + added.length);
    let a = 0;
    let k = 0;
    for (let i = 0; i < names.length; i++) {
      names[i] = k < kept.length && (a >= added.length || kept[k] < added[a]) ? kept[k++] : added[a++];
    }
    this.names = names;
    this.known = new Set(names);
    return names.map((n) => view.get(n)!);
  }
}

/* ------------------------------------------------------------------ the service */

export class ChronosService {
  private readonly store: Store;
  private readonly runtime: SchedulerRuntime;
  private readonly clock: Clock;
  private readonly statSampleSize: number;
  private readonly historyLimit: number;
  private readonly statsConcurrency: number;
  private readonly nameOrder = new NameOrder();
  /** Whether the store orders names by code point (asked once; a failure is asked again). */
  private codePointOrder: Promise<boolean> | null = null;

  constructor(deps: ChronosServiceDeps) {
    this.store = deps.store;
    this.runtime = deps.runtime;
    this.clock = deps.clock;
    this.statSampleSize = deps.options?.statSampleSize ?? 1000;
    this.historyLimit = deps.options?.historyLimit ?? 5;
    this.statsConcurrency = deps.options?.statsConcurrency ?? 16;
  }

  /* ---------- upserts: POST|PUT /iso8601, POST|PUT /dependency */

  /** POST /iso8601: create or replace a scheduled job (a dependency job becomes scheduled). */
  upsertIso8601(body: unknown): Promise<void> {
    return this.upsert(body, 'iso8601');
  }

  /** POST /dependency: create or replace a dependency job (a scheduled job becomes dependent). */
  upsertDependency(body: unknown): Promise<void> {
    return this.upsert(body, 'dependency');
  }

  /** Validates completely, then stores the job with one write, then tells the runtime. */
  async validateUpsert(body: unknown, kind: 'iso8601' | 'dependency'): Promise<{ job: Job; previous: Job | null; kept: (keyof Job)[] }> {
    const now = this.clock.now();
    const parsed = parseJob(body, { now, kind });
    if (!parsed.ok) throw ApiError.badRequest(jobErrorMessage(parsed.error));
    let job = parsed.value;
    const previous = await this.jobNamed(job.name);

    if (job.parents !== undefined) await this.checkParents(job);
    else this.checkSchedule(job, now);

    if (previous !== null && typeof body === 'object' && body !== null) {
      // An update that leaves the run bookkeeping out keeps it (Chronos would reset the counters
      // of a job re-posted by a sync script; the UI and chronos-python send them back anyway).
      const given = body as Record<string, unknown>;
      const kept: Partial<Job> = {};
      for (const key of BOOKKEEPING_KEYS) {
        if (given[key] === undefined || given[key] === null) {
          (kept as Record<string, unknown>)[key] = previous[key];
        }
      }
      job = { ...job, ...kept };
      return { job, previous, kept: Object.keys(kept) as (keyof Job)[] };
    }
    return { job, previous, kept: [] };
  }

  /**
   * The upsert's checks as a dry run (the UI editor's POST /api/validate): every schema error
   * with its field, then the schedule/zone or parents/cycle check; nothing is stored. An empty
   * list means the upsert would be accepted. Without `kind` the type comes from the keys present.
   */
  async validate(body: unknown, kind?: 'iso8601' | 'dependency'): Promise<JobFieldError[]> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return [{ field: 'job', message: 'must be a JSON object' }];
    }
    const text = textIssues(body, 20);
    if (text.length > 0) return text;
    const schema = jobInputSchema.safeParse(body);
    if (!schema.success) {
      const seen = new Set<string>();
      const out: JobFieldError[] = [];
      for (const issue of schema.error.issues) {
        const field = issue.path.length === 0 ? 'job' : issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
        if (seen.has(field)) continue;
        seen.add(field);
        out.push({ field, message: issue.message });
      }
      return out;
    }
    const now = this.clock.now();
    const parsed = parseJob(body, { now, kind });
    if (!parsed.ok) return [parsed.error];
    const job = parsed.value;
    try {
      if (job.parents !== undefined) await this.checkParents(job);
      else this.checkSchedule(job, now);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'bad_request') throw e;
      if (job.parents !== undefined) return [{ field: 'parents', message: e.message }];
      const zone = /^scheduleTimeZone: /.exec(e.message);
      return zone
        ? [{ field: 'scheduleTimeZone', message: e.message.slice(zone[0].length) }]
        : [{ field: 'schedule', message: e.message }];
    }
    return [];
  }

  private async upsert(body: unknown, kind: 'iso8601' | 'dependency'): Promise<void> {
    const { job, previous, kept } = await this.validateUpsert(body, kind);
    // The running worker stores it in its own order (one transaction for concurrent requests);
    // without one, the job is stored here and a worker loads it when it starts.
    if (await this.runtime.storeJob?.(job, kept)) return;
    await this.store.jobs.put(job);
    await this.runtime.jobChanged(job, previous);
  }

  /** Schedule grammar (ISO8601 or 5-field cron), zone, the 1970 rule and the year-9999 range. */
  private checkSchedule(job: Job, now: number): void {
    const expr = job.schedule ?? '';
    const zone = job.scheduleTimeZone ?? '';
    const r = parseScheduleSpec(expr, zone, now);
    if (!r.ok) {
      const e = r.error;
      if (e.code === 'UNKNOWN_ZONE') throw ApiError.badRequest(`scheduleTimeZone: ${e.message}`);
      throw ApiError.badRequest(e.message);
    }
  }

  /**
   * Parents must exist and must not close a cycle. Only the ancestors of the new parents are read
   * (level by level), never the whole job table.
   */
  /** A job as the running worker holds it (no round trip), else as stored. */
  private async jobNamed(name: string): Promise<Job | null> {
    const view = this.runtime.jobsView?.();
    return view ? (view.get(name) ?? null) : this.store.jobs.get(name);
  }

  /**
   * The stored job named in a request path (or null). A name PostgreSQL cannot take (a NUL, an
   * unpaired surrogate) is a 400 naming it, never a database error.
   */
  private async lookup(name: string): Promise<Job | null> {
    const why = textProblem(name);
    if (why !== null) throw ApiError.badRequest(`job name in the path ${why}`);
    return this.store.jobs.get(name);
  }

  /** A task id from a request path, checked as `lookup` checks names. */
  private checkTaskIdText(taskId: string): void {
    const why = textProblem(taskId);
    if (why !== null) throw ApiError.badRequest(`task id in the path ${why}`);
  }

  private async checkParents(job: Job): Promise<void> {
    const parents = job.parents ?? [];
    if (parents.length === 0) throw ApiError.badRequest('parents: must not be empty');
    if (parents.includes(job.name)) {
      throw ApiError.badRequest(
        `Dependency cycle: ${job.name} -> ${job.name} (a job cannot be its own parent)`,
      );
    }
    const known = new Map<string, Job>();
    const fetched = await Promise.all(parents.map((p) => this.jobNamed(p)));
    const unknown = parents.filter((_, i) => fetched[i] === null);
    if (unknown.length > 0) {
      throw ApiError.badRequest(
        `JobSchedule ${job.name} does not have all parents defined! Unknown parent${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      );
    }
    fetched.forEach((j) => j && known.set(j.name, j));

    // Walk up from the parents. The job itself is not expanded: its parents are being replaced.
    let reachesSelf = false;
    let frontier = [...known.values()];
    while (frontier.length > 0) {
      const wanted = new Set<string>();
      for (const j of frontier) {
        for (const p of j.parents ?? []) {
          if (p === job.name) reachesSelf = true;
          else if (!known.has(p)) wanted.add(p);
        }
      }
      const names = [...wanted];
      const got = await Promise.all(names.map((n) => this.jobNamed(n)));
      frontier = [];
      got.forEach((j) => {
        if (j && !known.has(j.name)) {
          known.set(j.name, j);
          frontier.push(j);
        }
      });
    }
    if (!reachesSelf) return;

    // Name the cycle: the ancestor subgraph plus the job without parents, then try the new set.
    const { graph } = DependencyGraph.fromJobs([
      { name: job.name },
      ...[...known.values()].map((j) => ({ name: j.name, parents: j.parents })),
    ]);
    const check = graph.validateParents(job.name, parents);
    const cycle = !check.ok && check.error.kind === 'cycle' ? check.error.cycle : null;
    throw ApiError.badRequest(
      cycle
        ? `Dependency cycle: ${cycle.join(' -> ')}`
        : `Dependency cycle: ${job.name} is an ancestor of one of its parents (${parents.join(', ')})`,
    );
  }

  /* ---------- reads */

  /**
   * Every job in the store's name order. On the leader, from its worker's memory (which holds
   * every job, each change applied before the API call that made it answers, and the worker's
   * own bookkeeping applied as soon as it is stored), when the store's order can be reproduced
   * there (a code-point collation, ASCII names); otherwise from the store. `live` tells which.
   */
  private async allJobs(): Promise<{ jobs: Job[]; live: boolean }> {
    if (this.runtime.jobsView && (await this.storeSortsByCodePoint())) {
      // No await between reading the view and ordering it: one consistent snapshot.
      const view = this.runtime.jobsView();
      const jobs = view ? this.nameOrder.sorted(view) : null;
      if (jobs) return { jobs, live: true };
    }
    return { jobs: await this.store.jobs.list(), live: false };
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

  /** GET /jobs: every job, with the fetch/uris fill Chronos applies only here. */
  async listJobs(): Promise<Job[]> {
    return (await this.allJobs()).jobs.map(jobsListView);
  }

  /**
   * GET /jobs as text: each job's exact JSON (`jobToChronosJson(jobsListView(job))`), in order;
   * the response is `[` + these joined by `,` + `]`. A job held by the worker is serialized once
   * per version of it (cached per object, as UTF-8 bytes).
   */
  async listJobsJson(): Promise<Array<string | Uint8Array>> {
    const { jobs, live } = await this.allJobs();
    return live ? jobs.map((j): Uint8Array => cachedJobListJson(j)) : jobs.map((j) => jobListJson(j));
  }

  /**
   * Fills what GET /jobs uses from the worker's memory (the name order and each job's text), a
   * slice of jobs at a time with the event loop free in between, so the first GET /jobs after a
   * takeover answers as fast as the next (100,000 jobs: ~0.5 s of serialization otherwise paid by
   * that request). The leader calls it once it leads; without a loaded worker it does nothing.
   */
  async warmListCache(slice = 2000): Promise<void> {
    if (!this.runtime.jobsView || !(await this.storeSortsByCodePoint())) return;
    const view = this.runtime.jobsView();
    const jobs = view ? this.nameOrder.sorted(view) : null;
    if (!jobs) return;
    for (let i = 0; i < jobs.length; i += slice) {
      const end = Math.min(jobs.length, i + slice);
      for (let k = i; k < end; k++) cachedJobListJson(jobs[k]);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * GET /jobs/search: each non-empty name/command is a case-insensitive substring of the job's
   * field; `any` only rescues a job that failed those filters; then [offset, offset+limit) with
   * limit 10 by default. One store query.
   */
  async search(params: SearchParams = {}): Promise<Job[]> {
    const limit = params.limit ?? SEARCH_DEFAULT_LIMIT;
    const offset = params.offset ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) throw ApiError.badRequest('limit must be a non-negative integer');
    if (!Number.isSafeInteger(offset) || offset < 0) throw ApiError.badRequest('offset must be a non-negative integer');
    for (const key of ['name', 'command', 'any'] as const) {
      const why = params[key] ? textProblem(params[key]) : null;
      if (why !== null) throw ApiError.badRequest(`${key} ${why}`);
    }
    if (limit === 0) return [];
    const q: JobQuery = { limit, offset };
    if (params.name) q.name = params.name;
    if (params.command) q.command = params.command;
    if (params.any) q.any = params.any;
    return this.store.jobs.search(q);
  }

  /** GET /jobs/summary. */
  async summary(): Promise<{ jobs: JobSummary[] }> {
    const { jobs } = await this.allJobs();
    return { jobs: jobs.map((j) => jobSummary(j, activityLabel(this.runtime.activity(j.name)))) };
  }

  /** GET /job/{name}. */
  async getJob(name: string): Promise<Job> {
    const job = await this.lookup(name);
    if (!job) throw jobNotFound(name);
    return job;
  }

  /* ---------- actions */

  /** PUT /job/{name}?arguments=…: a manual run. Returns the task id the runtime queued. */
  async runJob(name: string, args?: string | null): Promise<string> {
    const job = await this.lookup(name);
    if (!job) throw jobNotFound(name);
    const taskArgs = taskArguments(job, args);
    const why = textProblem(taskArgs) ?? taskIdProblem(job.name, taskArgs, job.retries);
    if (why !== null) throw ApiError.badRequest(`arguments: ${why}`);
    return this.runtime.runNow(job, taskArgs);
  }

  /**
   * DELETE /job/{name}: the job is removed and its children rewired (§4) in one transaction, then
   * the runtime is told, then the job's running tasks are killed (best effort).
   */
  async deleteJob(name: string): Promise<void> {
    const job = await this.lookup(name);
    if (!job) throw ApiError.notFound(`JobSchedule '${name}' not found`);
    // No store method lists the children of one job: read all jobs once (a delete is rare).
    const all = await this.store.jobs.list();
    const children = all.filter((j) => j.parents?.includes(name));
    const rewired = rewireChildrenOnDelete(job, children);
    await this.store.transaction(async (tx) => {
      await tx.jobs.apply({ put: rewired, delete: [name] });
      // Its queued runs end with it (Chronos kills its tasks): none stays queued for a job that no
      // longer exists, nor shows up in the history of a new job of the same name.
      await tx.runs.settleQueued(name, { state: 'SKIPPED', finishedAt: this.clock.now(), message: 'skipped: job deleted' });
      await tx.edges.deleteJob(name);
      for (const c of rewired) await tx.edges.resetChild(c.name, c.parents ?? []);
    });
    await this.runtime.jobDeleted(job);
    const before = new Map(children.map((c) => [c.name, c] as const));
    for (const c of rewired) await this.runtime.jobChanged(c, before.get(c.name) ?? null);
    try {
      await this.runtime.killJob(name);
    } catch (e) {
      // Nothing runs without a worker; the delete itself has succeeded.
      if (!(e instanceof ApiError && e.code === 'unavailable')) throw e;
    }
  }

  /** PUT /job/success/{name}: the text Chronos answers (200 for a known or unknown job). */
  async markSuccess(name: string): Promise<string> {
    const job = await this.lookup(name);
    if (!job) return `marked job ${name} as successful: false`;
    await this.runtime.markSuccess(job);
    return `marked job ${name} as successful: true`;
  }

  /** DELETE /task/kill/{name}: kill every running task of the job (queued ones stay). */
  async killTasks(name: string): Promise<void> {
    const job = await this.lookup(name);
    if (!job) throw jobNotFound(name);
    await this.runtime.killJob(name);
  }

  /**
   * POST /job/{name}/task/{taskId}/progress with `{"numAdditionalElementsProcessed": k}`: adds k
   * to the run's elementsProcessed.
   */
  async progress(name: string, taskId: string, body: unknown): Promise<void> {
    const job = await this.lookup(name);
    if (!job) throw jobNotFound(name);
    this.checkTaskIdText(taskId);
    const parsedId = parseTaskId(taskId);
    if (!parsedId.ok) throw ApiError.badRequest(`Invalid task id: ${parsedId.error}`);
    if (parsedId.value.jobName !== name) {
      throw ApiError.badRequest(`Task '${taskId}' does not belong to job '${name}'`);
    }
    if (!job.dataProcessingJobType) {
      throw ApiError.badRequest(`Job '${name}' is not a dataProcessingJobType job`);
    }
    const k =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).numAdditionalElementsProcessed
        : undefined;
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 0) {
      throw ApiError.badRequest('numAdditionalElementsProcessed must be a non-negative integer');
    }
    const run = await this.store.runs.getByTaskId(taskId);
    if (!run) throw ApiError.notFound(`Task '${taskId}' not found`);
    if (k === 0) return;
    await this.store.runs.update(taskId, { elementsProcessed: run.elementsProcessed + k });
  }

  /** GET /job/stat/{name}: duration histogram (ms) and the last runs. */
  async jobStat(name: string): Promise<JobStat> {
    const job = await this.lookup(name);
    if (!job) throw jobNotFound(name);
    const [durations, recent] = await Promise.all([
      this.store.runs.durations(name, this.statSampleSize),
      this.store.runs.recent(name, this.historyLimit),
    ]);
    return { histogram: histogramOf(durations), taskStatHistory: recent.map((r) => taskStatOf(r, job)) };
  }

  /**
   * GET /stats/{pct}: every job with that statistic of its durations in seconds, slowest first
   * (ties by name); never-run jobs are 0. An unknown key gives [].
   * Durations are asked only for jobs that ever succeeded (the others have no finished run), a
   * bounded number at a time. A store method returning percentiles of all jobs in one query
   * would make this one round trip.
   */
  async stats(pct: string): Promise<StatEntry[]> {
    if (!(STAT_KEYS as readonly string[]).includes(pct)) return [];
    const q = QUANTILE_OF[pct as StatKey];
    const { jobs } = await this.allJobs();
    const withRuns = jobs.filter((j) => j.successCount > 0);
    const values = await mapLimit(withRuns, this.statsConcurrency, async (j) => {
      const d = await this.store.runs.durations(j.name, this.statSampleSize);
      return quantile([...d].sort((a, b) => a - b), q);
    });
    const ms = new Map(withRuns.map((j, i) => [j.name, values[i]] as const));
    return jobs
      .map((j) => ({ jobNameLabel: j.name, time: (ms.get(j.name) ?? 0) / 1000 }))
      .sort((a, b) => b.time - a.time || (a.jobNameLabel < b.jobNameLabel ? -1 : a.jobNameLabel > b.jobNameLabel ? 1 : 0));
  }

  /* ---------- graph, leader, async completion */

  private async graph(): Promise<{ graph: DependencyGraph; jobs: Map<string, Job> }> {
    const list = (await this.allJobs()).jobs;
    const { graph } = DependencyGraph.fromJobs(list);
    return { graph, jobs: new Map(list.map((j) => [j.name, j] as const)) };
  }

  /** GET /graph/dot. */
  async graphDot(): Promise<string> {
    return (await this.graph()).graph.toDot();
  }

  /** GET /graph/csv. */
  async graphCsv(): Promise<string> {
    const { graph, jobs } = await this.graph();
    return graph.toCsv((name) => ({
      lastState: lastState(jobs.get(name)!),
      state: activityLabel(this.runtime.activity(name)),
    }));
  }

  /** GET /leader. */
  leader(): { leader: string } {
    return { leader: this.runtime.leader() };
  }

  /** Chronos 2.x PUT /scheduler/task/{taskId} with `{"statusCode": n}`: 0 finished, else failed. */
  async asyncComplete(taskId: string, body: unknown): Promise<void> {
    this.checkTaskIdText(taskId);
    const parsedId = parseTaskId(taskId);
    if (!parsedId.ok) throw ApiError.badRequest(`Invalid task id: ${parsedId.error}`);
    const code =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).statusCode
        : undefined;
    if (typeof code !== 'number' || !Number.isInteger(code)) {
      throw ApiError.badRequest('statusCode must be an integer');
    }
    const known = await this.runtime.completeTask(taskId, code);
    if (!known) throw ApiError.notFound(`Task '${taskId}' not found`);
  }
}
