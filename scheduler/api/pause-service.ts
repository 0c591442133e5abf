/**
 * POST /api/jobs/{name}/pause and /resume: pause a job (with `downstream`, everything downstream
 * of it; with `prefix`, every job whose name starts with {name}) until an instant or for a
 * duration, with a note; resume it early. The rules are core/pause.ts; each job is written with
 * only its pause (and, on resume, its schedule) changed, every other field taken from the job as
 * the worker holds it when the write happens, so a pause never undoes a concurrent change.
 *
 * Bad input: 400 naming the field (`until`, `for`, `note`, `downstream`, `prefix`), nothing changed.
 */
import { DependencyGraph } from '../core/dag';
import { versionOf, type ChangeStamp } from '../core/job-version';
import { parsePauseRequest, pauseOf, pauseTargets, resumedJob, type JobPause } from '../core/pause';
import type { Job } from '../core/types';
import type { Clock, SchedulerRuntime, Store } from '../ports';
import { checkPathName } from './chronos-request';
import { ApiError } from './errors';
import { JobSource } from './job-source';
import { UiFieldError } from './ui-query';

export interface PauseResult {
  /** The jobs changed, by name. */
  jobs: string[];
  /** The pause they now have (null after a resume). */
  pause: JobPause | null;
}

export class PauseService {
  private readonly jobs: JobSource;

  constructor(
    private readonly deps: { store: Store; runtime: SchedulerRuntime; clock: Clock },
  ) {
    this.jobs = new JobSource(deps.store, deps.runtime);
  }

  async pause(name: string, body: unknown, by: string): Promise<PauseResult> {
    checkPathName(name);
    const now = this.deps.clock.now();
    const r = parsePauseRequest(body, now);
    if (!r.ok) throw new UiFieldError(r.error.field, `${r.error.field}: ${r.error.message}`);
    const targets = await this.targets(name, r.value);
    const pause = pauseOf(r.value, by, now);
    const note = `paused until ${pause.until}${pause.note ? `: ${pause.note}` : ''}`;
    for (const job of targets) await this.write({ ...job, pause }, ['pause'], { kind: 'pause', by: by || null, note });
    return { jobs: targets.map((j) => j.name), pause };
  }

  /** `by`: the basic-auth user, "" when the API is open (recorded in each job's history). */
  async resume(name: string, body: unknown, by = ''): Promise<PauseResult> {
    checkPathName(name);
    const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    for (const field of ['downstream', 'prefix']) {
      if (b[field] !== undefined && b[field] !== null && typeof b[field] !== 'boolean') throw new UiFieldError(field, `${field}: must be true or false`);
    }
    const targets = (await this.targets(name, { downstream: b.downstream === true, prefix: b.prefix === true })).filter((j) => j.pause);
    const now = this.deps.clock.now();
    for (const job of targets) await this.write(resumedJob(job, now), ['pause', 'schedule'], { kind: 'resume', by: by || null, note: 'resumed early' });
    return { jobs: targets.map((j) => j.name), pause: null };
  }

  private async targets(name: string, opts: { downstream: boolean; prefix: boolean }): Promise<Job[]> {
    if (!opts.downstream && !opts.prefix) {
      const job = await this.jobs.named(name);
      if (!job) throw ApiError.notFound(`Job '${name}' not found`);
      return [job];
    }
    const { jobs: all } = await this.jobs.all();
    const byName = new Map(all.map((j) => [j.name, j]));
    const graph = new DependencyGraph();
    for (const j of all) if (!j.parents) graph.upsertJob(j.name, []);
    for (const j of all) if (j.parents) graph.upsertJob(j.name, j.parents.filter((p) => byName.has(p)));
    const names = pauseTargets(name, opts, all.map((j) => j.name), (n) => graph.descendants(n));
    if (names.length === 0) throw ApiError.notFound(opts.prefix ? `No job name starts with '${name}'` : `Job '${name}' not found`);
    return names.map((n) => byName.get(n)!);
  }

  /**
   * Stores the job with only `changed` taken from it (the rest as the worker holds it then), and
   * its version (`stamp`: pause or resume, who, why) in the same transaction.
   */
  private async write(job: Job, changed: readonly (keyof Job)[], stamp: ChangeStamp): Promise<void> {
    const keep = (Object.keys(job) as (keyof Job)[]).filter((k) => !changed.includes(k));
    if (await this.deps.runtime.storeJob?.(job, keep, stamp)) return;
    const previous = await this.deps.store.jobs.get(job.name);
    await this.deps.store.transaction(async (tx) => {
      await tx.jobs.put(job);
      await tx.versions.add([versionOf(previous, job, stamp, this.deps.clock.now())]);
    });
    await this.deps.runtime.jobChanged(job, previous);
  }
}
