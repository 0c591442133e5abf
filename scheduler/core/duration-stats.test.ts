import fc from 'fast-check';
import { expect, test } from 'vitest';
import { durationStats } from './duration-stats';
import { quantile } from './quantile';

/** The histogram's figures as GET /metrics computed them before (reduce, `** 2`). */
function former(durations: readonly number[]) {
  const v = [...durations].sort((a, b) => a - b);
  const n = v.length;
  const mean = n === 0 ? 0 : v.reduce((s, x) => s + x, 0) / n;
  const variance = n <= 1 ? 0 : v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const q = (p: number) => quantile(v, p);
  return {
    count: n, min: n === 0 ? 0 : v[0], max: n === 0 ? 0 : v[n - 1], mean, stddev: Math.sqrt(variance),
    p50: q(0.5), p75: q(0.75), p95: q(0.95), p98: q(0.98), p99: q(0.99), p999: q(0.999),
  };
}

test('the same doubles as the former computation for any durations', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.nat(10), fc.nat(90_000_000)), { maxLength: 1100 }), (d) => {
      expect(durationStats(d)).toEqual(former(d));
    }),
    { numRuns: 300 },
  );
});

test('no durations: all zero', () => {
  expect(durationStats([])).toEqual({ count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p75: 0, p95: 0, p98: 0, p99: 0, p999: 0 });
});
