/**
 * Quantiles of durations, for Chronos's stats (scheduler/api/chronos-stats.ts) and the "still
 * running" limit (notify-long-run.ts). A quantile of sorted values, as Codahale's snapshot computes it (linear interpolation at
 * position q × (n + 1), clamped to the first and last value). 0 for no values.
 */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = q * (n + 1);
  const index = Math.floor(pos);
  if (index < 1) return sorted[0];
  if (index >= n) return sorted[n - 1];
  const lower = sorted[index - 1];
  const upper = sorted[index];
  return lower + (pos - index) * (upper - lower);
}
