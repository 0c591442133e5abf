/**
 * GET /api/jobs: the jobs page's search, filters, sort and paging, in memory over the jobs
 * snapshot (jobs-snapshot.ts; no query per job). `nextRun` (next-run-cache.ts) is computed only
 * for the rows shown, or for the whole filtered set when sorting by it.
 */
import { retryOf } from '../core/job-health';
import type { Clock, JobActivity, SchedulerRuntime } from '../ports';
import { jobHasText, type JobEntry, type JobsSnapshot } from './jobs-snapshot';
import type { NextRunCache } from './next-run-cache';
import { intParam, listParam, oneOf, param, type Params } from './ui-query';
import type { JobPage, JobRow, JobStateInfo, JobStatus } from './ui-types';

export type JobSort = 'name' | 'nextRun' | 'lastSuccess' | 'lastError' | 'status';

export interface JobPageQuery {
  q?: string;
  status?: JobStatus[];
  /** Also 'retrying': a retry attempt is queued or running. */
  state?: Array<JobStateInfo['state'] | 'retrying'>;
  owner?: string;
  disabled?: boolean;
  kind?: JobRow['kind'];
  sort?: JobSort;
  dir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

export const JOB_PAGE_DEFAULT_LIMIT = 100;
export const JOB_PAGE_MAX_LIMIT = 500;

export function parseJobPageQuery(p: Params): JobPageQuery {
  const disabled = oneOf(p, 'disabled', ['true', 'false'] as const);
  return {
    q: param(p, 'q'),
    status: listParam(p, 'status', ['success', 'failure', 'fresh'] as const),
    state: listParam(p, 'state', ['idle', 'queued', 'running', 'retrying'] as const),
    owner: param(p, 'owner'),
    disabled: disabled === undefined ? undefined : disabled === 'true',
    kind: oneOf(p, 'kind', ['scheduled', 'dependent'] as const),
    sort: oneOf(p, 'sort', ['name', 'nextRun', 'lastSuccess', 'lastError', 'status'] as const),
    dir: oneOf(p, 'dir', ['asc', 'desc'] as const),
    offset: intParam(p, 'offset', 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(p, 'limit', 1, JOB_PAGE_MAX_LIMIT),
  };
}

/** What a job is doing now: running beats queued beats idle. */
export function stateInfo(a: JobActivity, retries: number): JobStateInfo {
  return { state: a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle', running: a.running, queued: a.queued, retry: retryOf(retries, a.retrying) };
}

const STATUS_RANK: Record<JobStatus, number> = { failure: 0, success: 1, fresh: 2 };

export interface JobsServiceDeps {
  runtime: SchedulerRuntime;
  clock: Clock;
  snapshot: JobsSnapshot;
  nextRuns: NextRunCache;
}

export class JobsService {
  constructor(private readonly deps: JobsServiceDeps) {}

  /** One page of the jobs matching the query, sorted, with the total. */
  async jobs(query: JobPageQuery = {}): Promise<JobPage> {
    const snap = await this.deps.snapshot.get();
    const now = this.deps.clock.now();
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
      const keyed = list.map((e) => ({ e, k: this.deps.nextRuns.of(e.job, now) }));
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

  /** The entries matching the query's search and filters (in the given order; no paging). */
  matching(entries: JobEntry[], query: JobPageQuery): JobEntry[] {
    const q = query.q?.toLowerCase();
    const owner = query.owner?.toLowerCase();
    const statuses = query.status?.length ? new Set(query.status) : null;
    const states = query.state?.length ? new Set(query.state) : null;
    return entries.filter((e) => {
      if (q !== undefined && !jobHasText(e.job, q)) return false;
      if (owner !== undefined && !(e.job.owner ?? '').toLowerCase().includes(owner)) return false;
      if (statuses && !statuses.has(e.status)) return false;
      if (query.disabled !== undefined && e.job.disabled !== query.disabled) return false;
      if (query.kind !== undefined && e.kind !== query.kind) return false;
      if (states) {
        const a = this.deps.runtime.activity(e.job.name);
        const retrying = states.has('retrying') && a.retrying !== undefined && a.retrying >= 1;
        if (!retrying && !states.has(a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle')) return false;
      }
      return true;
    });
  }

  /** A job as one row of the jobs page. */
  row(e: JobEntry, now: number): JobRow {
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
      state: stateInfo(this.deps.runtime.activity(j.name), j.retries),
      schedule: e.kind === 'dependent' ? '' : (j.schedule ?? ''),
      scheduleTimeZone: j.scheduleTimeZone ?? '',
      parents: [...(j.parents ?? [])],
      nextRun: this.deps.nextRuns.of(j, now),
      successCount: j.successCount,
      errorCount: j.errorCount,
      lastSuccess: j.lastSuccess,
      lastError: j.lastError,
      cpus: j.cpus,
      mem: j.mem,
      disk: j.disk,
      highPriority: j.highPriority,
      ...(j.pause ? { pausedUntil: j.pause.until } : {}),
    };
  }
}
