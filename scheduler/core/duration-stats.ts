/**
 * A job's run-duration histogram as Codahale's snapshot reports it (GET /metrics's
 * `jobs.run.time.<job>`): count, min, max, mean, sample standard deviation (n − 1; 0 for one
 * value) and the quantiles of scheduler/core/quantile.ts. All 0 for no durations.
 *
 * The arithmetic is spelled out step by step (sum in ascending order, then divide; squares as
 * products, summed in ascending order) because the store's aggregate (adapters/prisma/run-duration-stats.ts)
 * repeats it in SQL and must give the same doubles.
 */
import { quantile } from './quantile';

export const DURATION_QUANTILES = { p50: 0.5, p75: 0.75, p95: 0.95, p98: 0.98, p99: 0.99, p999: 0.999 } as const;
export type DurationQuantile = keyof typeof DURATION_QUANTILES;

export type DurationStats = { count: number; min: number; max: number; mean: number; stddev: number } & Record<DurationQuantile, number>;

/** The histogram of durations in ms (any order). */
export function durationStats(durations: readonly number[]): DurationStats {
  const v = [...durations].sort((a, b) => a - b);
  const n = v.length;
  let sum = 0;
  for (const x of v) sum += x;
  const mean = n === 0 ? 0 : sum / n;
  let squares = 0;
  for (const x of v) squares += (x - mean) * (x - mean);
  const stats = { count: n, min: n === 0 ? 0 : v[0], max: n === 0 ? 0 : v[n - 1], mean, stddev: n <= 1 ? 0 : Math.sqrt(squares / (n - 1)) };
  const q = Object.fromEntries(Object.entries(DURATION_QUANTILES).map(([k, p]) => [k, quantile(v, p)])) as Record<DurationQuantile, number>;
  return { ...stats, ...q };
}
