/**
 * The Chronos REST API (shared/reference/chronos.md §1) as a framework-agnostic service: one
 * method per endpoint, each returning plain data or throwing an `ApiError`. The route handlers
 * under app/v1/scheduler/ only parse the request (chronos-request.ts), call one method and write
 * the response.
 *
 * `ChronosService` builds the parts from the store, the runtime and the clock, and each method
 * only hands the call to one of them:
 *
 *   upsertIso8601, upsertDependency, validateUpsert, validate    job-upsert.ts
 *   listJobs, listJobsJson, search, summary,
 *   getJob, leader                                               job-reads.ts
 *   runJob, deleteJob, markSuccess, killTasks, progress,
 *   asyncComplete                                                job-actions.ts
 *   jobStat, stats                                               chronos-stats.ts
 *   graphDot, graphCsv                                           job-graph-views.ts
 *
 * They find jobs through job-source.ts (the worker's memory on the leader, else the store).
 */
import type { ChangeStamp } from '../core/job-version';
import type { NotifyRouter } from '../core/notify-route';
import type { Job } from '../core/types';
import type { Clock, SchedulerRuntime, Store } from '../ports';
import { JobStats, type JobStat, type StatEntry } from './chronos-stats';
import { JobActions } from './job-actions';
import { JobGraphViews } from './job-graph-views';
import type { JobSummary } from './job-json';
import { JobReads, type SearchParams } from './job-reads';
import type { JobFieldError } from './job-schema';
import { JobSource } from './job-source';
import { JobUpserts } from './job-upsert';

// What this module exported before the split, for the route handlers, tests and services importing it.
export { parseJsonBody, parseNonNegativeInt } from './chronos-request';
export {
  STAT_KEYS,
  formatStatDuration,
  formatStatTime,
  histogramOf,
  quantile,
  taskStatOf,
  type Histogram,
  type JobStat,
  type StatEntry,
  type StatKey,
  type TaskStat,
  type TaskStatStatus,
} from './chronos-stats';
export { activityLabel, type SearchParams } from './job-reads';
export { NameOrder } from './name-order';

export interface ChronosServiceOptions {
  /** Finished runs per job sampled for percentiles (newest first). Default 1000. */
  statSampleSize?: number;
  /** Items of /job/stat `taskStatHistory` (Chronos `--job_history_limit`). Default 5. */
  historyLimit?: number;
}

export interface ChronosServiceDeps {
  store: Store;
  runtime: SchedulerRuntime;
  clock: Clock;
  options?: ChronosServiceOptions;
  /** Routes a deleted job's notification into the outbox; absent: none. */
  notify?: () => NotifyRouter | null;
}

export class ChronosService {
  private readonly upserts: JobUpserts;
  private readonly reads: JobReads;
  private readonly actions: JobActions;
  private readonly statistics: JobStats;
  private readonly graphs: JobGraphViews;
  /** Where jobs are read from (the leader's worker memory, else the store); shared with the UI's snapshot. */
  readonly jobs: JobSource;

  constructor(deps: ChronosServiceDeps) {
    const { store, runtime, clock } = deps;
    const jobs = new JobSource(store, runtime);
    this.jobs = jobs;
    this.upserts = new JobUpserts(store, runtime, clock, jobs);
    this.reads = new JobReads(store, runtime, jobs);
    this.actions = new JobActions(store, runtime, clock, jobs, deps.notify);
    this.statistics = new JobStats(store, jobs, {
      statSampleSize: deps.options?.statSampleSize ?? 1000,
      historyLimit: deps.options?.historyLimit ?? 5,
    });
    this.graphs = new JobGraphViews(runtime, jobs);
  }

  /* ---------- upserts: POST|PUT /iso8601, POST|PUT /dependency */

  /** POST /iso8601: create or replace a scheduled job (a dependency job becomes scheduled). */
  upsertIso8601(body: unknown, stamp?: ChangeStamp): Promise<void> {
    return this.upserts.upsertIso8601(body, stamp);
  }

  /** POST /dependency: create or replace a dependency job (a scheduled job becomes dependent). */
  upsertDependency(body: unknown, stamp?: ChangeStamp): Promise<void> {
    return this.upserts.upsertDependency(body, stamp);
  }

  /** Every check of an upsert, nothing stored: the job to store, the stored one, the fields kept from it. */
  validateUpsert(body: unknown, kind: 'iso8601' | 'dependency'): Promise<{ job: Job; previous: Job | null; kept: (keyof Job)[] }> {
    return this.upserts.validateUpsert(body, kind);
  }

  /** The upsert's checks as field errors (the UI editor's POST /api/validate); empty: accepted. */
  validate(body: unknown, kind?: 'iso8601' | 'dependency'): Promise<JobFieldError[]> {
    return this.upserts.validate(body, kind);
  }

  /* ---------- reads */

  /** GET /jobs */
  listJobs(): Promise<Job[]> {
    return this.reads.listJobs();
  }

  /** GET /jobs: the jobs and how each one's exact JSON text is written. */
  listJobsJson(): Promise<{ jobs: readonly Job[]; text: (job: Job) => string }> {
    return this.reads.listJobsJson();
  }

  /** GET /jobs/search */
  search(params: SearchParams = {}): Promise<Job[]> {
    return this.reads.search(params);
  }

  /** GET /jobs/summary */
  summary(): Promise<{ jobs: JobSummary[] }> {
    return this.reads.summary();
  }

  /** GET /job/{name} */
  getJob(name: string): Promise<Job> {
    return this.reads.getJob(name);
  }

  /** GET /leader */
  leader(): { leader: string } {
    return this.reads.leader();
  }

  /* ---------- actions */

  /** PUT /job/{name}?arguments=…: a manual run; the task id queued. */
  runJob(name: string, args?: string | null): Promise<string> {
    return this.actions.runJob(name, args);
  }

  /** DELETE /job/{name} (`stamp.by`: who, for the job's history) */
  deleteJob(name: string, stamp?: ChangeStamp): Promise<void> {
    return this.actions.deleteJob(name, stamp);
  }

  /** PUT /job/success/{name}: the text Chronos answers. */
  markSuccess(name: string): Promise<string> {
    return this.actions.markSuccess(name);
  }

  /** DELETE /task/kill/{name} */
  killTasks(name: string): Promise<void> {
    return this.actions.killTasks(name);
  }

  /** POST /job/{name}/task/{taskId}/progress */
  progress(name: string, taskId: string, body: unknown): Promise<void> {
    return this.actions.progress(name, taskId, body);
  }

  /** Chronos 2.x PUT /scheduler/task/{taskId} */
  asyncComplete(taskId: string, body: unknown): Promise<void> {
    return this.actions.asyncComplete(taskId, body);
  }

  /* ---------- statistics and graph views */

  /** GET /job/stat/{name} */
  jobStat(name: string): Promise<JobStat> {
    return this.statistics.jobStat(name);
  }

  /** GET /stats/{pct} */
  stats(pct: string): Promise<StatEntry[]> {
    return this.statistics.stats(pct);
  }

  /** GET /graph/dot */
  graphDot(): Promise<string> {
    return this.graphs.graphDot();
  }

  /** GET /graph/csv */
  graphCsv(): Promise<string> {
    return this.graphs.graphCsv();
  }
}
