/**
 * RunStore.durationStats in PostgreSQL gives GET /metrics the same histograms, to the last digit of
 * the JSON, as the per-job computation it replaced (each job's `durations` sorted and reduced in JS).
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { RunState } from '../../core/types';
import { quantile } from '../../core/quantile';
import { histogramTree } from '../../api/metrics-json';
import { JsonDouble as D, writeJson, type JsonTree } from '../../api/job-json';
import { useTestStore } from './use-test-store';

const pg = useTestStore('sisyphus_duration_stats');

/** The histogram as GET /metrics computed it before (per job, in JS). */
function formerHistogram(durations: readonly number[]): JsonTree {
  const v = [...durations].sort((a, b) => a - b);
  const n = v.length;
  const mean = n === 0 ? 0 : v.reduce((s, x) => s + x, 0) / n;
  const variance = n <= 1 ? 0 : v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const q = (p: number) => new D(quantile(v, p));
  return {
    count: n, max: n === 0 ? 0 : v[n - 1], mean: new D(mean), min: n === 0 ? 0 : v[0],
    p50: q(0.5), p75: q(0.75), p95: q(0.95), p98: q(0.98), p99: q(0.99), p999: q(0.999), stddev: new D(Math.sqrt(variance)),
  };
}

const T0 = Date.UTC(2026, 0, 1);
const run = fc.record({
  job: fc.integer({ min: 0, max: 3 }),
  due: fc.integer({ min: 0, max: 40 }),
  state: fc.constantFrom<RunState>('FINISHED', 'FINISHED', 'FINISHED', 'FAILED', 'RUNNING'),
  duration: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 0, max: 40 * 86_400_000 })),
});

let round = 0;
test('every job histogram equals the former per-job computation, for any history and sample size', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(run, { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), async (runs, limit) => {
      const r = round++;
      const name = (j: number) => `r${r}-job${j}`;
      await pg.store.runs.createMany(
        runs.map((x, i) => ({ jobName: name(x.job), due: T0 + x.due * 60_000, attempt: i, taskId: `t-${r}-${i}`, arguments: '', trigger: 'schedule' as const, highPriority: false, queuedAt: T0 })),
      );
      await pg.store.runs.updateMany(
        runs.map((x, i) => ({ taskId: `t-${r}-${i}`, patch: { state: x.state, startedAt: T0 + i, finishedAt: x.state === 'RUNNING' ? null : T0 + i + x.duration } })),
      );
      const stats = await pg.store.runs.durationStats(limit);
      for (let j = 0; j <= 3; j++) {
        const former = writeJson(formerHistogram(await pg.store.runs.durations(name(j), limit)));
        expect(writeJson(histogramTree(stats.get(name(j))))).toBe(former);
      }
    }),
    { numRuns: 40 },
  );
});

test('a sample of 0 reads nothing', async () => {
  expect((await pg.store.runs.durationStats(0)).size).toBe(0);
});
