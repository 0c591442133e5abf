import { expect, test, vi } from 'vitest';
import { MemoryStore } from '../testing/memory-store';
import { jobFixture } from '../testing/job-fixture';
import { metricsJson } from './metrics-json';

const T0 = Date.UTC(2026, 0, 1);

async function storeWithHistory(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.jobs.put(jobFixture({ name: 'a', successCount: 2 }));
  await store.runs.createMany(
    [0, 1].map((i) => ({ jobName: 'a', due: T0 + i, attempt: 0, taskId: `t${i}`, arguments: '', trigger: 'schedule' as const, highPriority: false, queuedAt: T0 })),
  );
  await store.runs.updateMany([0, 1].map((i) => ({ taskId: `t${i}`, patch: { state: 'FINISHED' as const, startedAt: T0, finishedAt: T0 + 1000 * (i + 1) } })));
  return store;
}

test('scrapes that arrive while one is computed share its answer: the store is read once', async () => {
  const store = await storeWithHistory();
  const list = vi.spyOn(store.runs, 'listActive');
  const bodies = await Promise.all([1, 2, 3, 4].map(() => metricsJson(store)));
  expect(new Set(bodies).size).toBe(1);
  expect(list).toHaveBeenCalledTimes(1);
  expect(JSON.parse(bodies[0]).histograms['jobs.run.time.a']).toMatchObject({ count: 2, min: 1000, max: 2000, mean: 1500 });
});

test('a scrape after the last one ended computes afresh (nothing stale is served)', async () => {
  const store = await storeWithHistory();
  await metricsJson(store);
  await store.jobs.put(jobFixture({ name: 'b', successCount: 0, errorCount: 3 }));
  const body = JSON.parse(await metricsJson(store));
  expect(body.counters['jobs.run.failure.b']).toEqual({ count: 3 });
  expect(body.gauges['jobs.count']).toEqual({ value: 2 });
});
