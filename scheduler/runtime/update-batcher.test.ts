/**
 * Status updates stored in batches (update-batcher.ts): under a stream of updates, a short task's
 * updates that come one after the other are stored together, so each task costs one transaction,
 * not one per update, and every update is still on the run's timeline and acknowledged only once
 * stored; after a quiet spell a lone update is stored at once, not after the gather window.
 */
import { describe, expect, it, vi } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Offer, OfferResource } from '../core/types';
import type { Store } from '../ports';
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
  let transactions = 0;
  const store = new Proxy(memory, {
    get: (t, key, receiver) =>
      key === 'transaction'
        ? (fn: Parameters<Store['transaction']>[0]) => {
            transactions++;
            return t.transaction(fn);
          }
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
  it('under a stream of updates, RUNNING and FINISHED of 50 tasks, in two chunks of the event stream, are stored in one transaction', async () => {
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

describe('status updates during a long offer round', () => {
  it('an update that has waited seconds while a round is recorded in chunks is stored, then settles, before the round ends', async () => {
    const clock = new TestClock(START);
    const memory = new MemoryStore();
    for (let i = 0; i < 1000; i++) {
      const r = parseJob({ name: `many-${i}`, command: 'true', cpus: 0.1, mem: 16, disk: 0, schedule: 'R/2026-01-01T00:00:01Z/PT1H' }, { now: clock.now() });
      if (!r.ok) throw new Error(r.error.message);
      await memory.jobs.put(r.value);
    }
    const worker = new Worker({ store: memory, clock });
    const queued = worker.events.next('queue', (q) => q.normal === 1000, 5_000);
    await worker.start();
    await clock.advanceAsync(2_000);
    await queued;
    // ten agents of 100 tasks each: chunks of about 500
    const offers: Offer[] = Array.from({ length: 10 }, (_, a) => ({
      ...offer,
      id: `o-${a}`,
      agentId: `agent-${a}`,
      hostname: `agent-${a}`,
      resources: (['cpus', 'mem', 'disk'] as const).map((name): OfferResource => ({ name, type: 'SCALAR', scalar: name === 'cpus' ? 10 : 100_000, role: '*', reserved: false })),
    }));
    const log: string[] = [];
    let first: string | null = null;
    let stateWhenSettled: string | undefined;
    const accepted: Promise<void>[] = [];
    let agent = '';
    const round = worker.onOffers(offers, (launches) => {
      log.push(`chunk of ${launches.reduce((n, l) => n + l.taskInfos.length, 0)}`);
      if (first) {
        // the same task's next update, handed over while a later chunk is recorded: stored after the first
        if (accepted.length === 1) accepted.push(worker.onUpdate({ taskId: first, state: 'TASK_RUNNING', agentId: agent }));
        return;
      }
      first = (launches[0].taskInfos[0] as { task_id: { value: string } }).task_id.value;
      agent = launches[0].agentId;
      const taskId = first;
      accepted.push(
        worker.onUpdate({ taskId, state: 'TASK_STARTING', agentId: agent }).then(async () => {
          log.push('update settled');
          stateWhenSettled = (await memory.runs.getByTaskId(taskId))?.state;
        }),
      );
      clock.advance(5_000); // a slow round: the update has waited seconds when the next chunk comes
    });
    await round;
    log.push('round done');
    await Promise.all(accepted);
    expect(log.filter((l) => l.startsWith('chunk')).length).toBeGreaterThan(1);
    expect(log.indexOf('update settled')).toBeLessThan(log.indexOf('round done'));
    expect(log.indexOf('update settled')).toBeLessThan(log.lastIndexOf(log.filter((l) => l.startsWith('chunk')).at(-1)!));
    expect(stateWhenSettled).toBe('STARTING'); // stored before it settled (the framework acknowledges then)
    const runs = (await memory.runs.list({ limit: 2000 })).runs;
    expect(runs.filter((r) => r.state === 'STAGING')).toHaveLength(999);
    expect(runs.filter((r) => r.state === 'RUNNING').map((r) => r.taskId)).toEqual([first]);
    expect((await memory.runs.events(first!)).map((e) => e.state)).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING']);
    worker.stop();
  });
});
