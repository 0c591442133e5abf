/**
 * The worker against the real PostgreSQL, without Mesos: what happens around its start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { parseJob } from '../api/job-schema';
import type { Job } from '../core/types';
import type { Store } from '../ports';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

let db: TestDatabase;
let store: PrismaStore;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_worker');
  store = await createStore({ databaseUrl: db.url });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob(json, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('Worker start', () => {
  it('a job stored while the worker loads is not lost: the change is applied after the load', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // a store whose job list answers only when the test says so (a slow load of 100k jobs)
    const jobs = Object.create(store.jobs) as Store['jobs'];
    jobs.list = async () => {
      const all = await store.jobs.list();
      await gate;
      return all;
    };
    const slow = Object.create(store, { jobs: { value: jobs } }) as Store;
    const worker = new Worker({ store: slow, clock });
    const started = worker.start();
    const late = job({ name: 'posted-during-load', command: 'true', schedule: 'R1/2026-01-01T00:10:00Z/PT1H' }, clock.now());
    await store.jobs.put(late);
    const changed = worker.jobChanged(late, null);
    release();
    await started;
    await changed;
    // it is indexed: when its instant comes, a run is created
    await clock.advanceAsync(11 * 60_000);
    await new Promise((r) => setTimeout(r, 200));
    const runs = await store.runs.list({ jobName: 'posted-during-load' });
    expect(runs.runs.map((r) => r.state)).toEqual(['QUEUED']);
    expect(worker.activity('posted-during-load')).toEqual({ queued: 1, running: 0 });
    worker.stop();
  });
});
