/**
 * The history of every job for the UI's API (versions are recorded by the job writes themselves:
 * runtime/job-writes.ts, job-upsert.ts, job-actions.ts):
 *
 *   GET  /api/jobs/{name}/versions?limit=&before=   the versions, newest first
 *   GET  /api/jobs/{name}/versions/{n}              one version
 *   POST /api/jobs/{name}/versions/{n}/restore      writes version n again (a new version, `restore`)
 *   GET  /api/versions?deleted=1                    deleted jobs, to find and restore them
 *
 * A restore goes through the Chronos upsert (every check: parents exist, no cycle), keeps the run
 * bookkeeping of the job as stored, and works for a deleted job too.
 */
import { restoredJob, type JobVersion } from '../core/job-version';
import type { DeletedJob, Store } from '../ports';
import { checkPathName } from './chronos-request';
import type { ChronosService } from './chronos-service';
import { ApiError } from './errors';
import { jobToChronosObject } from './job-json';
import { UiFieldError } from './ui-query';

export const VERSIONS_DEFAULT_LIMIT = 20;
export const VERSIONS_MAX_LIMIT = 100;
export const DELETED_MAX_LIMIT = 1000;

/** GET /api/jobs/{name}/versions */
export interface VersionPage {
  name: string;
  /** False when the job is not stored (deleted): its versions can still be restored. */
  exists: boolean;
  versions: JobVersion[];
  /** `before` of the next (older) page, or null when this is the oldest. */
  nextBefore: number | null;
}

/** POST …/restore */
export interface RestoreResult {
  name: string;
  /** The version restored. */
  from: number;
  /** The new version the restore wrote. */
  n: number | null;
}

export interface DeletedJobs {
  jobs: DeletedJob[];
}

/** A path or query number: a positive integer, else a 400 naming it. */
export function positiveInt(field: string, raw: string | null | undefined, fallback?: number, max = 2_147_483_647): number {
  if (raw === null || raw === undefined || raw.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw new UiFieldError(field, `${field} is required`);
  }
  const t = raw.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) < 1 || Number(t) > max) {
    throw new UiFieldError(field, `${field} must be an integer from 1 to ${max}, not '${t.slice(0, 40)}'`);
  }
  return Number(t);
}

export class JobHistory {
  constructor(
    private readonly store: Store,
    private readonly chronos: ChronosService,
  ) {}

  /** A job's versions, newest first; 404 when the name has no history at all. */
  async versions(name: string, params: URLSearchParams): Promise<VersionPage> {
    checkPathName(name);
    const limit = positiveInt('limit', params.get('limit'), VERSIONS_DEFAULT_LIMIT, VERSIONS_MAX_LIMIT);
    const before = params.has('before') ? positiveInt('before', params.get('before')) : undefined;
    const [versions, job] = await Promise.all([this.store.versions.list(name, limit + 1, before), this.store.jobs.get(name)]);
    if (versions.length === 0 && before === undefined && job === null) throw ApiError.notFound(`job '${name}' not found and has no history`);
    const page = versions.slice(0, limit);
    const more = versions.length > limit;
    return { name, exists: job !== null, versions: page, nextBefore: more ? page[page.length - 1].n : null };
  }

  /** One version; 404 naming what is missing. */
  async version(name: string, rawN: string): Promise<JobVersion> {
    checkPathName(name);
    const n = positiveInt('version', rawN);
    const v = await this.store.versions.get(name, n);
    if (v) return v;
    const [latest] = await this.store.versions.list(name, 1);
    if (!latest) throw ApiError.notFound(`job '${name}' has no history`);
    throw ApiError.notFound(`job '${name}' has no version ${n} (its latest is ${latest.n}; older ones may have been dropped, see JOB_VERSIONS_KEPT)`);
  }

  /**
   * Writes version n of the job again, as a new version of kind `restore` by `by`. A check the
   * job no longer passes (a parent deleted since) is a 400 saying so, and nothing is written.
   */
  async restore(name: string, rawN: string, by: string | null): Promise<RestoreResult> {
    const v = await this.version(name, rawN);
    const current = await this.store.jobs.get(name);
    const job = restoredJob(v, current);
    const body = jobToChronosObject(job);
    const stamp = { kind: 'restore' as const, by, note: `restored from version ${v.n}` };
    try {
      if (job.parents !== undefined) await this.chronos.upsertDependency(body, stamp);
      else await this.chronos.upsertIso8601(body, stamp);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'bad_request') throw new UiFieldError('version', `version ${v.n} of '${name}' cannot be restored: ${e.message}`);
      throw e;
    }
    const [latest] = await this.store.versions.list(name, 1);
    return { name, from: v.n, n: latest?.n ?? null };
  }

  /** Deleted jobs, latest delete first (`deleted=1` is required: the one listing answered here). */
  async deleted(params: URLSearchParams): Promise<DeletedJobs> {
    const flag = params.get('deleted');
    if (flag !== '1' && flag !== 'true') throw new UiFieldError('deleted', "deleted must be 1: GET /api/versions lists deleted jobs (a job's versions are at /api/jobs/{name}/versions)");
    const limit = positiveInt('limit', params.get('limit'), 200, DELETED_MAX_LIMIT);
    return { jobs: await this.store.versions.deleted(limit) };
  }
}
