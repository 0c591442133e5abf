/**
 * GET /metrics in the shape of Chronos's Codahale (Dropwizard) JSON:
 * `{"version":"3.0.0","gauges":{…},"counters":{…},"histograms":{…},"meters":{},"timers":{}}`.
 *
 * - counters `jobs.run.success.<job>` / `jobs.run.failure.<job>`: the job's successCount and
 *   errorCount (JobStore.counters: not the whole jobs; persisted, so they survive a restart, unlike Chronos's in-memory counters);
 * - histograms `jobs.run.time.<job>`: run durations in ms from the run history (finished runs,
 *   start to finish), only for jobs that ever succeeded; same quantile rule as /job/stat
 *   (core/duration-stats.ts), every job's read at once (RunStore.durationStats);
 * - gauges: queue sizes (`jobs.queue.size`, `.high.size`, `.normal.size`), running tasks and the
 *   number of jobs, from the store's active runs.
 * - meters and timers: none yet (Chronos times its REST resources).
 */
import { durationStats, type DurationStats } from '../core/duration-stats';
import type { Store } from '../ports';
import { JsonDouble as D, writeJson, type JsonTree } from './job-json';

export interface MetricsOptions {
  /** Durations sampled per job, newest first. Default 1028 (Codahale's reservoir size). */
  sampleSize?: number;
}

/** A `jobs.run.time.<job>` histogram, Codahale's keys in their order. */
export function histogramTree(s: DurationStats = durationStats([])): JsonTree {
  return {
    count: s.count,
    max: s.max,
    mean: new D(s.mean),
    min: s.min,
    p50: new D(s.p50),
    p75: new D(s.p75),
    p95: new D(s.p95),
    p98: new D(s.p98),
    p99: new D(s.p99),
    p999: new D(s.p999),
    stddev: new D(s.stddev),
  };
}

/** The metrics as a JSON tree (write it with `writeJson`). */
export async function buildMetrics(store: Store, options: MetricsOptions = {}): Promise<JsonTree> {
  const [jobs, active] = await Promise.all([store.jobs.counters(), store.runs.listActive()]);
  const queued = active.filter((r) => r.state === 'QUEUED');
  const high = queued.filter((r) => r.highPriority).length;
  const running = active.length - queued.length;

  const counters: { [k: string]: JsonTree } = {};
  for (const j of jobs) {
    counters[`jobs.run.failure.${j.name}`] = { count: j.errorCount };
    counters[`jobs.run.success.${j.name}`] = { count: j.successCount };
  }

  const ran = jobs.filter((j) => j.successCount > 0);
  const stats = ran.length === 0 ? new Map<string, DurationStats>() : await store.runs.durationStats(options.sampleSize ?? 1028);
  const histograms: { [k: string]: JsonTree } = {};
  for (const j of ran) histograms[`jobs.run.time.${j.name}`] = histogramTree(stats.get(j.name));

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

const inFlight = new WeakMap<Store, Map<number, Promise<string>>>();

/**
 * The metrics as JSON text. Scrapes of one store that arrive while one is being computed get that
 * one's answer (monitoring systems and several dashboards scrape at once): one computation at a time.
 */
export function metricsJson(store: Store, options: MetricsOptions = {}): Promise<string> {
  const sample = options.sampleSize ?? 1028;
  let byStore = inFlight.get(store);
  if (!byStore) inFlight.set(store, (byStore = new Map()));
  const running = byStore.get(sample);
  if (running) return running;
  const p = buildMetrics(store, { sampleSize: sample })
    .then(writeJson)
    .finally(() => byStore.delete(sample));
  byStore.set(sample, p);
  return p;
}
