/**
 * The Chronos upserts (POST|PUT /iso8601, POST|PUT /dependency) and their dry run for the UI's
 * editor (POST /api/validate; its schedule and zone errors are in plain words, core/schedule-problem.ts,
 * while the Chronos endpoints keep Chronos's own sentences). Everything is validated before the one store write, so on any error
 * nothing is stored:
 * - the job schema (job-schema.ts), the schedule and zone (scheduler/core/spec.ts), or the parents
 *   (they exist, no cycle: only the ancestors of the new parents are read);
 * - where Chronos is broken we are right (a cycle, an unknown parent or an empty parent list is a
 *   400 on create and on update, naming the cycle or the parents; an unknown scheduleTimeZone is a
 *   400 instead of silently becoming GMT);
 * - an update that leaves the run bookkeeping out keeps the stored one;
 * - the runtime is told after the store write (it follows the store, never the other way round).
 */
import { DependencyGraph } from '../core/dag';
import { versionOf, type ChangeStamp } from '../core/job-version';
import { scheduleProblems } from '../core/schedule-problem';
import { parseScheduleSpec } from '../core/spec';
import { textIssues } from '../core/text';
import type { Job } from '../core/types';
import type { Clock, SchedulerRuntime, Store } from '../ports';
import { ApiError } from './errors';
import { fieldOfPath, formatJobError, jobInputSchema, parseJob, urisAndFetchOnCreate, type JobFieldError } from './job-schema';
import type { JobSource } from './job-source';

/** Bookkeeping fields an update keeps from the stored job when the body leaves them out. */
const BOOKKEEPING_KEYS = [
  'successCount',
  'errorCount',
  'lastSuccess',
  'lastError',
  'errorsSinceLastSuccess',
] as const;

/** The 400 text of a job field error. Chronos's own sentences are not prefixed with the field. */
function jobErrorMessage(e: JobFieldError): string {
  if (e.message.startsWith('Tried to add both uri')) return e.message;
  return formatJobError(e);
}

export class JobUpserts {
  constructor(
    private readonly store: Store,
    private readonly runtime: SchedulerRuntime,
    private readonly clock: Clock,
    private readonly jobs: JobSource,
  ) {}

  /** POST /iso8601: create or replace a scheduled job (a dependency job becomes scheduled). */
  upsertIso8601(body: unknown, stamp: ChangeStamp = {}): Promise<void> {
    return this.upsert(body, 'iso8601', stamp);
  }

  /** POST /dependency: create or replace a dependency job (a scheduled job becomes dependent). */
  upsertDependency(body: unknown, stamp: ChangeStamp = {}): Promise<void> {
    return this.upsert(body, 'dependency', stamp);
  }

  /** Validates completely, then stores the job with one write, then tells the runtime. */
  async validateUpsert(body: unknown, kind: 'iso8601' | 'dependency'): Promise<{ job: Job; previous: Job | null; kept: (keyof Job)[] }> {
    const now = this.clock.now();
    const parsed = parseJob(body, { now, kind });
    if (!parsed.ok) throw ApiError.badRequest(jobErrorMessage(parsed.error));
    let job = parsed.value;
    const previous = await this.jobs.named(job.name);
    const both = previous === null ? urisAndFetchOnCreate(job) : null;
    if (both) throw ApiError.badRequest(jobErrorMessage(both));

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
      // The pause is set only by pause and resume (catch-up-pause-fields.ts): an upsert keeps it.
      if (previous.pause !== undefined) kept.pause = previous.pause;
      job = { ...job, ...kept };
      return { job, previous, kept: [...(Object.keys(kept) as (keyof Job)[]), ...(kept.pause ? [] : ['pause' as const])] };
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
        const field = fieldOfPath(issue.path);
        if (seen.has(field)) continue;
        seen.add(field);
        out.push({ field, message: issue.message });
      }
      // The schedule and zone too, so the editor's summary names every field at once.
      const b = body as Record<string, unknown>;
      const scheduled = kind === 'iso8601' || (kind === undefined && b.parents === undefined);
      if (scheduled && typeof b.schedule === 'string' && b.schedule.trim() !== '' && !seen.has('schedule')) {
        const zone = typeof b.scheduleTimeZone === 'string' && !seen.has('scheduleTimeZone') ? b.scheduleTimeZone : '';
        out.push(...scheduleProblems(b.schedule, zone, this.clock.now()).filter((p) => !seen.has(p.field)));
      }
      return out;
    }
    const now = this.clock.now();
    const parsed = parseJob(body, { now, kind });
    if (!parsed.ok) return [parsed.error];
    const job = parsed.value;
    const both = (await this.jobs.named(job.name)) === null ? urisAndFetchOnCreate(job) : null;
    if (both) return [both];
    if (job.parents === undefined) return scheduleProblems(job.schedule ?? '', job.scheduleTimeZone ?? '', now);
    try {
      await this.checkParents(job);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'bad_request') throw e;
      return [{ field: 'parents', message: e.message }];
    }
    return [];
  }

  private async upsert(body: unknown, kind: 'iso8601' | 'dependency', stamp: ChangeStamp): Promise<void> {
    const { job, previous, kept } = await this.validateUpsert(body, kind);
    // The running worker stores it in its own order (one transaction for concurrent requests);
    // without one, the job is stored here and a worker loads it when it starts. Either way its
    // version is recorded in the same transaction.
    if (await this.runtime.storeJob?.(job, kept, stamp)) return;
    await this.store.transaction(async (tx) => {
      await tx.jobs.put(job);
      await tx.versions.add([versionOf(previous, job, stamp, this.clock.now())]);
    });
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
  private async checkParents(job: Job): Promise<void> {
    const parents = job.parents ?? [];
    if (parents.length === 0) throw ApiError.badRequest('parents: must not be empty');
    if (parents.includes(job.name)) {
      throw ApiError.badRequest(
        `Dependency cycle: ${job.name} -> ${job.name} (a job cannot be its own parent)`,
      );
    }
    const known = new Map<string, Job>();
    const fetched = await Promise.all(parents.map((p) => this.jobs.named(p)));
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
      const got = await Promise.all(names.map((n) => this.jobs.named(n)));
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
}
