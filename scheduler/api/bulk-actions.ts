/**
 * POST /api/jobs/bulk: run, disable, enable or delete many jobs, each through the Chronos rules
 * (chronos-service.ts), one failure reported without stopping the others.
 *
 * `{action, names}`: those jobs. `{action, query, expect?}`: every job matching `query` (the search
 * and filters of GET /api/jobs, as strings; paging and sort ignored) at the time of the call, the
 * jobs page's "select all N matching". With `expect`, a different number of matching jobs is
 * refused (field `expect`) and nothing is changed.
 */
import type { ChronosService } from './chronos-service';
import { jobToChronosObject } from './job-json';
import type { JobsSnapshot } from './jobs-snapshot';
import { parseJobPageQuery, type JobsService } from './jobs-service';
import { UiFieldError } from './ui-query';
import type { BulkResult } from './ui-types';

/** Most jobs one request changes. */
const BULK_MAX = 10_000;
const ACTIONS = ['run', 'disable', 'enable', 'delete'] as const;

export interface BulkActionsDeps {
  chronos: ChronosService;
  snapshot: JobsSnapshot;
  jobs: Pick<JobsService, 'matching'>;
}

export class BulkActions {
  constructor(private readonly deps: BulkActionsDeps) {}

  /** `by`: who asked (basic auth), recorded in each changed job's history. */
  async bulk(body: unknown, by: string | null = null): Promise<BulkResult> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as { action?: unknown; names?: unknown; query?: unknown; expect?: unknown };
    if (typeof b.action !== 'string' || !(ACTIONS as readonly string[]).includes(b.action)) {
      throw new UiFieldError('action', `action must be one of ${ACTIONS.join(', ')}`);
    }
    let listed: string[];
    if (b.query !== undefined && b.names === undefined) {
      const raw = b.query;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
        throw new UiFieldError('query', 'query must be an object of string filters (q, status, state, owner, disabled, kind)');
      }
      const query = parseJobPageQuery(raw as Record<string, string>);
      listed = this.deps.jobs.matching((await this.deps.snapshot.get()).entries, query).map((e) => e.job.name);
      if (b.expect !== undefined && b.expect !== listed.length) {
        throw new UiFieldError('expect', `${listed.length} jobs match now, not ${String(b.expect)}: nothing was changed; reload and try again`);
      }
      if (listed.length > BULK_MAX) throw new UiFieldError('query', `${listed.length} jobs match: at most ${BULK_MAX} at once, narrow the search`);
    } else {
      if (!Array.isArray(b.names) || b.names.some((n) => typeof n !== 'string')) {
        throw new UiFieldError('names', 'names must be an array of job names');
      }
      if (b.names.length > BULK_MAX) throw new UiFieldError('names', `at most ${BULK_MAX} names at once`);
      listed = b.names as string[];
    }
    const action = b.action as (typeof ACTIONS)[number];
    const { chronos } = this.deps;
    const names = [...new Set(listed)];
    const out: BulkResult = { ok: [], failed: [] };
    for (const name of names) {
      try {
        if (action === 'run') await chronos.runJob(name);
        else if (action === 'delete') await chronos.deleteJob(name, { by });
        else {
          const job = await chronos.getJob(name);
          const disabled = action === 'disable';
          if (job.disabled !== disabled) {
            const next = { ...jobToChronosObject(job), disabled };
            if (job.parents !== undefined) await chronos.upsertDependency(next, { by });
            else await chronos.upsertIso8601(next, { by });
          }
        }
        out.ok.push(name);
      } catch (e) {
        out.failed.push({ name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (action !== 'run') for (const name of out.ok) this.deps.snapshot.markDirty(name);
    return out;
  }
}
