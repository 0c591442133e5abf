/**
 * Store transactions over plain pg (pg-tx.ts) against the real local PostgreSQL: the same rows as
 * Prisma's path, all-or-nothing, and a clear error for a query-builder call inside one.
 */
import { beforeEach, expect, test } from 'vitest';
import type { Job } from '../../core/types';
import type { NewRun } from '../../ports';
import type { PgRawDb } from './pg-tx';
import { useTestStore } from './use-test-store';

const pg = useTestStore('sisyphus_pgtx', { poolSize: 4 });

beforeEach(async () => {
  await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
});

const T0 = Date.UTC(2026, 10, 25, 3, 0, 0, 123);
const job = (name: string, extra: Partial<Job> = {}) => ({ name, command: `echo ${name}`, schedule: 'R/2026-11-25T03:00:00Z/PT1H', ...extra }) as Job;
const newRun = (jobName: string, due = T0): NewRun => ({
  jobName,
  due,
  attempt: 0,
  taskId: `ct:${due}:0:${jobName}:`,
  arguments: '',
  trigger: 'schedule',
  highPriority: false,
  state: 'QUEUED',
  queuedAt: due + 5,
  message: null,
});

test('runs created and patched in a transaction read back exactly as outside one', async () => {
  const inside = await pg.store.transaction(async (tx) => {
    const [r] = await tx.runs.createMany([newRun('a')]);
    await tx.runs.updateMany([{ taskId: r.taskId, patch: { state: 'RUNNING', launchedAt: T0 + 10, startedAt: T0 + 20, elementsProcessed: 7 } }]);
    return { created: r, updated: await tx.runs.getByTaskId(r.taskId) };
  });
  const [outside] = await pg.store.runs.createMany([newRun('b')]);
  expect(inside.created).toEqual({ ...outside, id: inside.created.id, jobName: 'a', taskId: inside.created.taskId });
  expect(typeof inside.created.id).toBe('string');
  expect(inside.created.due).toBe(T0);
  expect(inside.created.queuedAt).toBe(T0 + 5);
  expect(await pg.store.runs.getByTaskId(inside.created.taskId)).toEqual(inside.updated);
  expect(inside.updated).toMatchObject({ state: 'RUNNING', launchedAt: T0 + 10, startedAt: T0 + 20, elementsProcessed: 7 });
});

test('a throw inside the transaction leaves nothing behind', async () => {
  await expect(
    pg.store.transaction(async (tx) => {
      await tx.jobs.apply({ put: [job('x'), job('y', { parents: ['x'] })] });
      await tx.edges.resetChild('y', ['x']);
      await tx.runs.createMany([newRun('x')]);
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await pg.store.jobs.count()).toBe(0);
  expect((await pg.store.edges.load()).size).toBe(0);
  expect(await pg.store.runs.listActive()).toEqual([]);
  // and the pool still works
  await pg.store.transaction((tx) => tx.jobs.apply({ put: [job('z')] }));
  expect((await pg.store.jobs.get('z'))?.name).toBe('z');
});

test('jobs, edges and framework state written in a transaction', async () => {
  await pg.store.transaction(async (tx) => {
    await tx.jobs.put(job('p'));
    await tx.jobs.apply({ put: [job('c', { parents: ['p'] })] });
    await tx.edges.resetChild('c', ['p', 'p']);
    await tx.edges.set('c', 'p', 2);
    await tx.framework.setFrameworkId('fw-1');
    expect(await tx.jobs.count()).toBe(2);
    expect(await tx.framework.getFrameworkId()).toBe('fw-1');
  });
  expect((await pg.store.jobs.list()).map((j) => j.name)).toEqual(['c', 'p']);
  expect(await pg.store.edges.load()).toEqual(new Map([['c', new Map([['p', 2]])]]));
  expect(await pg.store.framework.getFrameworkId()).toBe('fw-1');
  await pg.store.transaction(async (tx) => {
    await tx.jobs.apply({ delete: ['c'] });
    await tx.edges.deleteJob('c');
    await tx.framework.setFrameworkId(null);
  });
  expect((await pg.store.jobs.list()).map((j) => j.name)).toEqual(['p']);
  expect((await pg.store.edges.load()).size).toBe(0);
  expect(await pg.store.framework.getFrameworkId()).toBeNull();
});

test('a store read that needs the query builder says so inside a transaction', async () => {
  await expect(pg.store.transaction((tx) => tx.runs.recent('any', 5))).rejects.toThrow(/query builder.*not available inside a store transaction/);
});

test("apply({ update }) replaces stored jobs and never brings back a deleted one (the worker's writes)", async () => {
  await pg.store.jobs.apply({ put: [job('kept'), job('gone')] });
  await pg.store.jobs.apply({ delete: ['gone'] }); // the API deleted it while a run of it was launching
  await pg.store.transaction((tx) => tx.jobs.apply({ update: [job('kept', { description: 'advanced' }), job('gone', { description: 'advanced' })] }));
  expect((await pg.store.jobs.list()).map((j) => [j.name, j.description])).toEqual([['kept', 'advanced']]);
});

test('a batch of status updates or job updates reads its rows by index, however many runs and jobs are stored', async () => {
  // history grows without bound (every run of every job): a batch must not scan it all
  const N = 20_000;
  const jobs = Array.from({ length: N }, (_, i) => job(`j${i}`));
  await pg.store.jobs.apply({ put: jobs });
  const runs = await pg.store.runs.createMany(Array.from({ length: N }, (_, i) => newRun(`j${i % 100}`, T0 + i * 60_000)));
  expect(runs).toHaveLength(N);
  await pg.db.query('ANALYZE jobs');
  await pg.db.query('ANALYZE runs');
  const scans = await pg.store.transaction(async (tx) => {
    // this transaction's table statistics, on its connection (the store's private handle). The view also holds
    // counts of earlier statements on this connection that were not yet flushed (they are flushed between
    // transactions, at most once a second), so the batch's own scans are the difference across it.
    const raw = (tx.runs as unknown as { db: PgRawDb }).db;
    const read = async () =>
      (await raw.$queryRaw`
        SELECT relname, seq_scan::int AS seq, idx_scan::int AS idx FROM pg_stat_xact_user_tables WHERE relname IN ('jobs', 'runs') ORDER BY relname`) as Array<{ relname: string; seq: number; idx: number }>;
    const before = new Map((await read()).map((r) => [r.relname, r]));
    await tx.runs.updateMany([
      { taskId: runs[7].taskId, patch: { state: 'RUNNING', startedAt: T0 + 1 } },
      { taskId: runs[19_000].taskId, patch: { state: 'FINISHED', finishedAt: T0 + 2 } },
    ]);
    await tx.jobs.apply({ update: [{ ...jobs[3], successCount: 1 }, { ...jobs[12_345], errorCount: 2 }] });
    return (await read()).map((r) => ({
      relname: r.relname,
      seq: r.seq - (before.get(r.relname)?.seq ?? 0),
      idx: r.idx - (before.get(r.relname)?.idx ?? 0),
    }));
  });
  expect(scans).toEqual([
    { relname: 'jobs', seq: 0, idx: expect.any(Number) },
    { relname: 'runs', seq: 0, idx: expect.any(Number) },
  ]);
  expect(scans.every((s) => s.idx > 0)).toBe(true);
  expect(await pg.store.runs.getByTaskId(runs[19_000].taskId)).toMatchObject({ state: 'FINISHED', finishedAt: T0 + 2 });
  expect(await pg.store.runs.getByTaskId(runs[7].taskId)).toMatchObject({ state: 'RUNNING', startedAt: T0 + 1 });
  expect((await pg.store.jobs.get('j12345'))?.errorCount).toBe(2);
}, 60_000);
