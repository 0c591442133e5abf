/**
 * GET /metrics in the shape of Chronos's Codahale (Dropwizard) JSON:
 * `{"version":"3.0.0","gauges":{…},"counters":{…},"histograms":{…},"meters":{},"timers":{}}`.
 *
 * - counters `jobs.run.success.<job>` / `jobs.run.failure.<job>`: the job's successCount and
 *   errorCount (persisted, so they survive a restart, unlike Chronos's in-memory counters);
 * - histograms `jobs.run.time.<job>`: run durations in ms from the run history (finished runs,
 *   start to finish), only for jobs that ever succeeded; same quantile rule as /job/stat;
 * - gauges: queue sizes (`jobs.queue.size`, `.high.size`, `.normal.size`), running tasks and the
 *   number of jobs, from the store's active runs.
 * - meters and timers: none yet (Chronos times its REST resources).
 */
import type { Job } from '../core/types';
import type { Store } from '../ports';
import { quantile } from './chronos-stats';
import { JsonDouble as D, writeJson, type JsonTree } from './job-json';

export interface MetricsOptions {
  /** Durations sampled per job, newest first. Default 1028 (Codahale's reservoir size). */
  sampleSize?: number;
  /** Jobs whose durations are read at once. Default 16. */
  concurrency?: number;
}

export function histogramTree(durations: readonly number[]): JsonTree {
  const v = [...durations].sort((a, b) => a - b);
  const n = v.length;
  const mean = n === 0 ? 0 : v.reduce((s, x) => s + x, 0) / n;
  const variance = n <= 1 ? 0 : v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return {
    count: n,
    max: n === 0 ? 0 : v[n - 1],
    mean: new D(mean),
    min: n === 0 ? 0 : v[0],
    p50: new D(quantile(v, 0.5)),
    p75: new D(quantile(v, 0.75)),
    p95: new D(quantile(v, 0.95)),
    p98: new D(quantile(v, 0.98)),
    p99: new D(quantile(v, 0.99)),
    p999: new D(quantile(v, 0.999)),
    stddev: new D(Math.sqrt(variance)),
  };
}

async function durationsOf(store: Store, jobs: Job[], sample: number, concurrency: number): Promise<number[][]> {
  const out = new Array<number[]>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await store.runs.durations(jobs[i].name, sample);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return out;
}

/** The metrics as a JSON tree (write it with `writeJson`). */
export async function buildMetrics(store: Store, options: MetricsOptions = {}): Promise<JsonTree> {
  const [jobs, active] = await Promise.all([store.jobs.list(), store.runs.listActive()]);
  const queued = active.filter((r) => r.state === 'QUEUED');
  const high = queued.filter((r) => r.highPriority).length;
  const running = active.length - queued.length;

  const counters: { [k: string]: JsonTree } = {};
  for (const j of jobs) {
    counters[`jobs.run.failure.${j.name}`] = { count: j.errorCount };
    counters[`jobs.run.success.${j.name}`] = { count: j.successCount };
  }

  const ran = jobs.filter((j) => j.successCount > 0);
  const durations = await durationsOf(store, ran, options.sampleSize ?? 1028, options.concurrency ?? 16);
  const histograms: { [k: string]: JsonTree } = {};
  ran.forEach((j, i) => {
    histograms[`jobs.run.time.${j.name}`] = histogramTree(durations[i]);
  });

  return {
    version: '3.0.0',
    gauges: {
      'jobs.count': { value: jobs.length },
      'jobs.queue.high.size': { value: high },
      'jobs.queue.normal.size': { value: queued.length - high },
      'jobs.queue.size': { value: queued.length },
      'jobs.running.size': { value: running },
    },
    counters,
    histograms,
    meters: {},
    timers: {},
  };
}

export async function metricsJson(store: Store, options?: MetricsOptions): Promise<string> {
  return writeJson(await buildMetrics(store, options));
}
