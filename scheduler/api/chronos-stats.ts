/**
 * Run statistics as Chronos reports them: GET /job/stat/{name} (a duration histogram and the last
 * runs as Chronos's task history) and GET /stats/{pct} (one percentile of every job's durations),
 * with Chronos's quantile (Codahale's), its time and duration formats and its "mean" bug.
 */
import type { DurationQuantile } from '../core/duration-stats';
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

/** The same quantiles in the store's histogram (core/duration-stats.ts). */
const DURATION_KEY_OF: Readonly<Record<StatKey, DurationQuantile>> = {
  '99thPercentile': 'p99',
  '98thPercentile': 'p98',
  '95thPercentile': 'p95',
  '75thPercentile': 'p75',
  median: 'p50',
  mean: 'p50',
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

export interface JobStatsOptions {
  /** Finished runs per job sampled for percentiles (newest first). */
  statSampleSize: number;
  /** Items of /job/stat `taskStatHistory` (Chronos `--job_history_limit`). */
  historyLimit: number;
}

export class JobStats {
  private readonly statSampleSize: number;
  private readonly historyLimit: number;

  constructor(
    private readonly store: Store,
    private readonly jobs: JobSource,
    options: JobStatsOptions,
  ) {
    this.statSampleSize = options.statSampleSize;
    this.historyLimit = options.historyLimit;
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
   * (ties by name); never-run jobs are 0. An unknown key gives []. Every job's histogram comes
   * from one read (RunStore.durationStats, as GET /metrics's): one query per job held the app for
   * seconds at 10,000 jobs.
   */
  async stats(pct: string): Promise<StatEntry[]> {
    if (!(STAT_KEYS as readonly string[]).includes(pct)) return [];
    const key = DURATION_KEY_OF[pct as StatKey];
    const [{ jobs }, byJob] = await Promise.all([this.jobs.all(), this.store.runs.durationStats(this.statSampleSize)]);
    return jobs
      .map((j) => ({ jobNameLabel: j.name, time: (byJob.get(j.name)?.[key] ?? 0) / 1000 }))
      .sort((a, b) => b.time - a.time || (a.jobNameLabel < b.jobNameLabel ? -1 : a.jobNameLabel > b.jobNameLabel ? 1 : 0));
  }
}
