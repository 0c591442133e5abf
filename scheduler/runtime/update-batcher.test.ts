/**
 * Status updates stored in batches (update-batcher.ts): under a stream of updates, a short task's
 * updates that come one after the other are stored together, so each task costs one transaction,
 * not one per update, and every update is still on the run's timeline and acknowledged only once
 * stored; after a quiet spell a lone update is stored at once, not after the gather window.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Offer, OfferResource } from '../core/types';
import type { RunRecord, Store } from '../ports';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = '2026-01-01T00:00:00Z';

const offer: Offer = {
  id: 'o-1',
  agentId: 'agent-1',
  hostname: 'agent-1',
  resources: (['cpus', 'mem', 'disk'] as const).map((name): OfferResource => ({ name, type: 'SCALAR', scalar: 100_000, role: '*', reserved: false })),
  attributes: [],
};

/** 50 short jobs due at 00:00:01, launched on one offer: the worker, its store, and the task ids. */
async function launched(): Promise<{ worker: Worker; memory: MemoryStore; clock: TestClock; ids: string[]; transactions: () => number }> {
  const clock = new TestClock(START);
  const memory = new MemoryStore();
  for (let i = 0; i < 50; i++) {
    const r = parseJob({ name: `short-${i}`, command: 'true', cpus: 0.1, mem: 16, disk: 0, schedule: 'R/2026-01-01T00:00:01Z/PT1H' }, { now: clock.now() });
    if (!r.ok) throw new Error(r.error.message);
    await memory.jobs.put(r.value);
  }
  // atomic writes: transactions, and records (RunStore.record: one statement over PostgreSQL)
  let transactions = 0;
  const runs = new Proxy(memory.runs, {
    get: (t, key, receiver) =>
      key === 'record'
        ? (c: RunRecord) => {
            transactions++;
            return t.record(c);
          }
        : (Reflect.get(t, key, receiver) as unknown),
  });
  const store = new Proxy(memory, {
    get: (t, key, receiver) =>
      key === 'transaction'
        ? (fn: Parameters<Store['transaction']>[0]) => {
            transactions++;
            return t.transaction(fn);
          }
        : key === 'runs'
          ? runs
          : (Reflect.get(t, key, receiver) as unknown),
  });
  const worker = new Worker({ store, clock });
  const queued = worker.events.next('queue', (q) => q.normal === 50, 5_000);
  await worker.start();
  await clock.advanceAsync(2_000);
  await queued;
  const decision = await worker.onOffers([offer]);
  const ids = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
  expect(ids).toHaveLength(50);
  return { worker, memory, clock, ids, transactions: () => transactions };
}

describe('status updates of short tasks', () => {
  it('under a stream of updates, RUNNING and FINISHED of 50 tasks, in two chunks of the event stream, are stored in one atomic write', async () => {
    const { worker, memory, ids, transactions } = await launched();
    // the stream: every task's STARTING, just stored (the clock stands still)
    await Promise.all(ids.map((taskId) => worker.onUpdate({ taskId, state: 'TASK_STARTING', agentId: 'agent-1' })));
    const before = transactions();
    const stored: Promise<void>[] = [];
    for (const taskId of ids) stored.push(worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1' }));
    await new Promise<void>((resolve) => setImmediate(resolve)); // the next chunk of the event stream
    for (const taskId of ids) stored.push(worker.onUpdate({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' }));
    await Promise.all(stored);
    expect(transactions() - before).toBe(1);
    const runs = (await memory.runs.list({ limit: 100 })).runs;
    expect(runs.map((r) => r.state)).toEqual(Array(50).fill('FINISHED'));
    expect((await memory.runs.events(ids[0])).map((e) => e.state)).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect((await memory.jobs.list()).map((j) => j.successCount)).toEqual(Array(50).fill(1));
    worker.stop();
  });

  it('after a quiet spell, a lone update is stored without waiting for the gather window', async () => {
    const { worker, memory, clock, ids } = await launched();
    await worker.onUpdate({ taskId: ids[0], state: 'TASK_RUNNING', agentId: 'agent-1' });
    await new Promise<void>((resolve) => setImmediate(resolve)); // that batch's step has ended
    clock.advance(60_000); // nothing heard for a minute
    // timers never fire from here: an update held for company would never be stored
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      let stored = false;
      void worker.onUpdate({ taskId: ids[1], state: 'TASK_RUNNING', agentId: 'agent-1' }).then(() => {
        stored = true;
      });
      for (let turn = 0; turn < 200 && !stored; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(stored).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    expect((await memory.runs.getByTaskId(ids[1]))?.state).toBe('RUNNING');
    worker.stop();
  });
});
