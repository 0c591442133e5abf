/**
 * The job page: GET /api/jobs/{name} (the job, its row, its schedule in words, its children, the
 * duration percentiles of its last 1,000 runs, its current run) and GET /api/jobs/{name}/next (its
 * next runs, scheduler/core/preview.ts).
 */
import { describeSchedule } from '../core/describe';
import { markPaused } from '../core/pause';
import { MAX_PREVIEW, nextRuns } from '../core/preview';
import type { Run, RunState } from '../core/types';
import type { Clock, Store } from '../ports';
import { quantile } from './chronos-stats';
import { ApiError } from './errors';
import { jobToChronosObject } from './job-json';
import { entryOf, type JobsSnapshot } from './jobs-snapshot';
import type { JobsService } from './jobs-service';
import type { LiveScheduler } from './live-scheduler';
import type { QueueReasons } from './queue-reason';
import { runRow } from './run-row';
import { UiFieldError } from './ui-query';
import type { JobDetail, PreviewRun } from './ui-types';

/** Runs that started and ended without success (a LOST or DROPPED one may never have run to an end). */
const ENDED_IN_FAILURE: RunState[] = ['FAILED', 'ERROR'];

export interface JobDetailServiceDeps {
  store: Store;
  clock: Clock;
  live: LiveScheduler;
  snapshot: JobsSnapshot;
  jobs: Pick<JobsService, 'row'>;
  reasons: QueueReasons;
}

export class JobDetailService {
  constructor(private readonly deps: JobDetailServiceDeps) {}

  async jobDetail(name: string): Promise<JobDetail> {
    const { store } = this.deps;
    const job = await store.jobs.get(name);
    if (!job) throw ApiError.notFound(`job '${name}' not found`);
    const now = this.deps.clock.now();
    const [snap, finished, failed, last] = await Promise.all([
      this.deps.snapshot.get(),
      store.runs.durations(name, 1000),
      // failed runs finished too: their durations count (a job that always fails is not "no runs yet")
      store.runs.durations(name, 1000, ENDED_IN_FAILURE),
      this.currentRun(name),
    ]);
    const children = snap.entries.filter((e) => e.job.parents?.includes(name)).map((e) => e.job.name);
    const sorted = [...finished, ...failed].sort((a, b) => a - b);
    const n = sorted.length;
    return {
      job: jobToChronosObject(job),
      row: this.deps.jobs.row(entryOf(job), now),
      scheduleText: job.parents !== undefined ? `after ${job.parents.join(', ')} succeeded` : describeSchedule(job.schedule ?? '', job.scheduleTimeZone, now),
      children,
      stats: {
        count: n,
        failed: failed.length,
        p50: n ? quantile(sorted, 0.5) : null,
        p95: n ? quantile(sorted, 0.95) : null,
        p99: n ? quantile(sorted, 0.99) : null,
        mean: n ? sorted.reduce((s, x) => s + x, 0) / n : null,
      },
      currentRun: last ? runRow(last) : null,
      queueReason: last ? this.deps.reasons.of(last) : null,
    };
  }

  /** The job's next `n` runs (those inside its pause flagged `paused`); none for a dependent or disabled job. */
  async jobNext(name: string, n = 10): Promise<PreviewRun[]> {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) throw new UiFieldError('n', `n must be an integer from 0 to ${MAX_PREVIEW}`);
    const job = await this.deps.store.jobs.get(name);
    if (!job) throw ApiError.notFound(`job '${name}' not found`);
    if (!job.schedule || job.disabled) return [];
    const now = this.deps.clock.now();
    const r = nextRuns(job.schedule, job.scheduleTimeZone ?? '', now, n, { legacy: true });
    // instants inside a pause are shown, flagged `paused`: they will not run
    return r.ok ? markPaused(r.value, job.pause, now) : [];
  }

  /** The job's run in flight or queued in this worker, else its latest stored run. */
  private async currentRun(name: string): Promise<Run | null> {
    const w = this.deps.live.current()?.worker;
    if (w) {
      const live = w.inflightRuns().find((r) => r.jobName === name) ?? w.queuedRuns().find((r) => r.jobName === name);
      if (live) return live;
    }
    const [latest] = await this.deps.store.runs.recent(name, 1);
    return latest ?? null;
  }
}
