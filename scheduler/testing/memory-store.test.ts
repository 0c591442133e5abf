/**
 * The in-memory store keeps the contract of the real one: the same cases against both, so a
 * worker test that passes on MemoryStore means what it would mean on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { parseJob } from '../api/job-schema';
import type { Job } from '../core/types';
import type { NotifyKind } from '../core/notify-events';
import type { OutboxEntry } from '../core/notify-route';
import type { NewRun, Store } from '../ports';
import { MemoryStore } from './memory-store';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const job = (name: string, command = 'true'): Job => {
  const r = parseJob({ name, command, schedule: 'R/2030-01-01T00:00:00Z/P1D' }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const run = (jobName: string, due: number, attempt = 0): NewRun => ({
  jobName,
  due,
  attempt,
  taskId: `ct:${due}:${attempt}:${jobName}:`,
  arguments: '',
  trigger: 'manual',
  highPriority: false,
  queuedAt: NOW,
});

let db: TestDatabase;
let prisma: PrismaStore;
beforeAll(async () => {
  db = await createTestDatabase('sisyphus_memory_contract');
  prisma = await createStore({ databaseUrl: db.url });
});
afterAll(async () => {
  await prisma?.close();
  await db?.drop();
});

const stores: Array<[string, () => Promise<Store>]> = [
  ['MemoryStore', async () => new MemoryStore()],
  [
    'PrismaStore (PostgreSQL)',
    async () => {
      await db.query('TRUNCATE jobs, runs, dependency_edges, framework_state, notifications RESTART IDENTITY');
      return prisma;
    },
  ],
];

const notice = (job: string, recipient: string, kind: NotifyKind = 'failed'): OutboxEntry => ({
  channel: 'mail',
  recipient,
  event: { kind, job, at: NOW, owners: [recipient], run: null, detail: 'd' },
});

describe.each(stores)('%s', (_, fresh) => {
  it('the outbox: a due row claims its whole channel and recipient, a lease hides claimed rows until it ends, settle and list', async () => {
    const s = await fresh();
    await s.notifications.add([notice('a', 'x@e.io'), notice('b', 'y@e.io')], NOW, 1_000);
    await s.notifications.add([notice('c', 'x@e.io')], NOW + 500, 1_000);
    expect(await s.notifications.claim(NOW + 999, 60_000, 10)).toEqual([]);
    const claimed = await s.notifications.claim(NOW + 1_000, 60_000, 10);
    // x@e.io's first row is due: its second (not yet due) comes along; y@e.io's too (due at the same instant)
    expect(claimed.map((r) => [r.event.job, r.state, r.nextAt])).toEqual([['a', 'sending', NOW + 61_000], ['b', 'sending', NOW + 61_000], ['c', 'sending', NOW + 61_000]]);
    expect(await s.notifications.claim(NOW + 2_000, 60_000, 10)).toEqual([]);
    await s.notifications.settle([
      { id: claimed[0].id, state: 'sent', attempted: true, at: NOW + 2_000, note: 'n' },
      { id: claimed[1].id, state: 'pending', attempted: true, at: NOW + 2_000, error: 'down', nextAt: NOW + 7_000 },
    ]);
    expect(await s.notifications.sentSince(NOW)).toEqual([{ job: 'a', kind: 'failed', channel: 'mail', recipient: 'x@e.io' }]);
    expect(await s.notifications.sentSince(NOW + 2_001)).toEqual([]);
    expect((await s.notifications.list({ withError: true })).map((r) => [r.event.job, r.state, r.attempts, r.lastError])).toEqual([['b', 'pending', 1, 'down']]);
    expect((await s.notifications.list({ job: 'a' }))[0]).toMatchObject({ state: 'sent', sentAt: NOW + 2_000, note: 'n', attempts: 1 });
    // the lease of c ends: claimed again; b is due again at its retry
    expect((await s.notifications.claim(NOW + 61_000, 60_000, 10)).map((r) => r.event.job)).toEqual(['b', 'c']);
    expect((await s.notifications.list({ limit: 2 })).map((r) => r.event.job)).toEqual(['c', 'b']);
  });

  it('the outbox says which runs already have an event of a kind (the still-running watch asks it)', async () => {
    const s = await fresh();
    const onRun = (taskId: string, kind: NotifyKind, recipient = 'x@e.io'): OutboxEntry => ({ ...notice('a', recipient, kind), event: { ...notice('a', recipient, kind).event, run: { taskId, due: NOW, attempt: 0, state: 'RUNNING', queuedAt: NOW, startedAt: NOW, finishedAt: null, agentId: null, host: null, message: null, reason: null } } });
    await s.notifications.add([onRun('t1', 'still-running'), onRun('t1', 'still-running', 'y@e.io'), onRun('t2', 'failed'), notice('a', 'x@e.io', 'still-running')], NOW, 0);
    expect([...(await s.notifications.notifiedRuns('still-running', ['t1', 't2', 't3']))]).toEqual(['t1']);
    expect([...(await s.notifications.notifiedRuns('failed', ['t1', 't2']))]).toEqual(['t2']);
    expect((await s.notifications.notifiedRuns('still-running', [])).size).toBe(0);
  });

  it('one run per task id and per (job, due, attempt); createMany returns only the new ones', async () => {
    const s = await fresh();
    expect((await s.runs.createMany([run('a', 1), run('a', 2)])).map((r) => r.taskId)).toEqual(['ct:1:0:a:', 'ct:2:0:a:']);
    expect(await s.runs.create(run('a', 1))).toBeNull();
    expect((await s.runs.createMany([run('a', 2), run('a', 3)])).map((r) => r.taskId)).toEqual(['ct:3:0:a:']);
  });

  it('active runs oldest due first; a page newest first, with a cursor to the next', async () => {
    const s = await fresh();
    await s.runs.createMany([run('a', 30), run('a', 10), run('a', 20)]);
    await s.runs.updateMany([{ taskId: 'ct:20:0:a:', patch: { state: 'FINISHED', startedAt: 100, finishedAt: 160 } }]);
    expect((await s.runs.listActive()).map((r) => r.due)).toEqual([10, 30]);
    const first = await s.runs.list({ jobName: 'a', limit: 2 });
    expect(first.runs.map((r) => r.due)).toEqual([30, 20]);
    const second = await s.runs.list({ jobName: 'a', limit: 2, cursor: first.nextCursor! });
    expect(second.runs.map((r) => r.due)).toEqual([10]);
    expect(second.nextCursor).toBeNull();
    expect(await s.runs.durations('a', 10)).toEqual([60]);
  });

  it('settleQueued patches the QUEUED runs of one job only', async () => {
    const s = await fresh();
    await s.runs.createMany([run('a', 1), run('a', 2), run('b', 1)]);
    await s.runs.updateMany([{ taskId: 'ct:2:0:a:', patch: { state: 'RUNNING' } }]);
    expect(await s.runs.settleQueued('a', { state: 'SKIPPED', message: 'skipped: job deleted' })).toBe(1);
    expect((await s.runs.getByTaskId('ct:1:0:a:'))?.state).toBe('SKIPPED');
    expect((await s.runs.getByTaskId('ct:2:0:a:'))?.state).toBe('RUNNING');
    expect((await s.runs.getByTaskId('ct:1:0:b:'))?.state).toBe('QUEUED');
  });

  it('a transaction is all or nothing', async () => {
    const s = await fresh();
    await expect(
      s.transaction(async (tx) => {
        await tx.jobs.put(job('inside'));
        await tx.runs.create(run('inside', 1));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await s.jobs.get('inside')).toBeNull();
    expect(await s.runs.getByTaskId('ct:1:0:inside:')).toBeNull();
  });

  it('jobs: names in code-point order; update replaces only jobs still stored; search as Chronos', async () => {
    const s = await fresh();
    await s.jobs.apply({ put: [job('b', 'ffmpeg'), job('a', 'true'), job('C', 'sleep')] });
    await s.jobs.apply({ update: [job('gone'), { ...job('a'), description: 'x' }] });
    expect((await s.jobs.list()).map((j) => [j.name, j.description])).toEqual([['C', ''], ['a', 'x'], ['b', '']]);
    expect((await s.jobs.search({ name: 'A' })).map((j) => j.name)).toEqual(['a']);
    expect((await s.jobs.search({ command: 'FF' })).map((j) => j.name)).toEqual(['b']);
    expect((await s.jobs.search({ name: 'zzz', any: 'sleep' })).map((j) => j.name)).toEqual(['C']);
    expect((await s.jobs.search({ any: 'nothing' })).map((j) => j.name)).toEqual(['C', 'a', 'b']);
    expect((await s.jobs.search({ limit: 1, offset: 1 })).map((j) => j.name)).toEqual(['a']);
  });

  it('edges and framework state', async () => {
    const s = await fresh();
    await s.edges.resetChild('c', ['a', 'b']);
    await s.edges.set('c', 'a', 2);
    expect((await s.edges.load()).get('c')).toEqual(new Map([['a', 2], ['b', 0]]));
    await s.edges.deleteJob('a');
    expect((await s.edges.load()).get('c')).toEqual(new Map([['b', 0]]));
    expect(await s.framework.getOrSet('k', 'first')).toBe('first');
    expect(await s.framework.getOrSet('k', 'second')).toBe('first');
  });
});
