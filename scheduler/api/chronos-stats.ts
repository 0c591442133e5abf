/**
 * Run statistics as Chronos reports them: GET /job/stat/{name} (a duration histogram and the last
 * runs as Chronos's task history) and GET /stats/{pct} (one percentile of every job's durations),
 * with Chronos's quantile (Codahale's), its time and duration formats and its "mean" bug.
 */
import { quantile } from '../core/quantile';
import type { Job, Run, RunState } from '../core/types';
import type { Store } from '../ports';
import { jobNotFound, type JobSource } from './job-source';

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

/** Codahale's quantile (scheduler/core/quantile.ts), re-exported for the stats' importers. */
export { quantile };

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

export interface JobStatsOptions {
  /** Finished runs per job sampled for percentiles (newest first). */
  statSampleSize: number;
  /** Items of /job/stat `taskStatHistory` (Chronos `--job_history_limit`). */
  historyLimit: number;
  /** Jobs whose durations /stats fetches at once. */
  statsConcurrency: number;
}

export class JobStats {
  private readonly statSampleSize: number;
  private readonly historyLimit: number;
  private readonly statsConcurrency: number;

  constructor(
    private readonly store: Store,
    private readonly jobs: JobSource,
    options: JobStatsOptions,
  ) {
    this.statSampleSize = options.statSampleSize;
    this.historyLimit = options.historyLimit;
    this.statsConcurrency = options.statsConcurrency;
  }

  /** GET /job/stat/{name}: duration histogram (ms) and the last runs. */
  async jobStat(name: string): Promise<JobStat> {
    const job = await this.jobs.lookup(name);
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
    const { jobs } = await this.jobs.all();
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
}
