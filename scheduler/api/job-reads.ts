/**
 * The Chronos reads (shared/reference/chronos.md §1): GET /jobs (as objects, or as the exact JSON
 * text of each job, made as it is sent),
 * GET /jobs/search, GET /jobs/summary, GET /job/{name} and GET /leader.
 *
 * Performance (100,000 jobs): list, search and summary are one store call each (or none on the
 * leader, which lists from its worker's memory), then a map; never one query per job.
 */
import { textProblem } from '../core/text';
import type { Job } from '../core/types';
import { SEARCH_DEFAULT_LIMIT, type JobActivity, type JobQuery, type SchedulerRuntime, type Store } from '../ports';
import { ApiError } from './errors';
import { jobListJson, jobSummary, jobsListView, type JobSummary } from './job-json';
import { jobNotFound, type JobSource } from './job-source';

export interface SearchParams {
  name?: string | null;
  command?: string | null;
  any?: string | null;
  limit?: number | null;
  offset?: number | null;
}

/** Summary `state`: "N running" (or "running" for one), else "queued", else "idle". */
export function activityLabel(a: JobActivity): string {
  if (a.running > 1) return `${a.running} running`;
  if (a.running === 1) return 'running';
  if (a.queued > 0) return 'queued';
  return 'idle';
}

export class JobReads {
  constructor(
    private readonly store: Store,
    private readonly runtime: SchedulerRuntime,
    private readonly jobs: JobSource,
  ) {}

  /** GET /jobs: every job, with the fetch/uris fill Chronos applies only here. */
  async listJobs(): Promise<Job[]> {
    return (await this.jobs.all()).jobs.map(jobsListView);
  }

  /**
   * GET /jobs as text: the jobs, in order, and how each is written
   * (`jobToChronosJson(jobsListView(job))`); the response is `[` + these texts joined by `,` + `]`,
   * each made when its chunk is sent (no text is kept: a per-job cache of them held ~90 MiB at
   * 100,000 jobs, beyond the 512 MiB the whole app may use there).
   */
  async listJobsJson(): Promise<{ jobs: readonly Job[]; text: (job: Job) => string }> {
    return { jobs: (await this.jobs.all()).jobs, text: jobListJson };
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
    const { jobs } = await this.jobs.all();
    return { jobs: jobs.map((j) => jobSummary(j, activityLabel(this.runtime.activity(j.name)))) };
  }

  /** GET /job/{name}. */
  async getJob(name: string): Promise<Job> {
    const job = await this.jobs.lookup(name);
    if (!job) throw jobNotFound(name);
    return job;
  }

  /** GET /leader. */
  leader(): { leader: string } {
    return { leader: this.runtime.leader() };
  }
}
