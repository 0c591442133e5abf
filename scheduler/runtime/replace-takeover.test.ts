/**
 * concurrencyPolicy Replace across a leader change (issue 17 point 1): the leader stores the
 * replacing run, then dies before its kill reaches Mesos. The next leader, hearing of the old run
 * (the reconciliation answer after it subscribes), kills it with the reason, and the replacement
 * launches once it has ended. In-memory store, TestClock, a framework that records kills.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource } from '../core/types';
import type { FrameworkDriver } from '../ports';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = Date.parse('2026-06-01T00:30:00Z');
const T0100 = Date.parse('2026-06-01T01:00:00Z');
const T0200 = Date.parse('2026-06-01T02:00:00Z');

const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'sleep 7200', cpus: 0.1, mem: 16, ...json }, { now: START });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

/** A framework whose kills are recorded (`lost`: the leader died, its kills never reach Mesos). */
const framework = (lost = false) => {
  const kills: string[] = [];
  const fw: FrameworkDriver = { workArrived: () => {}, kill: async (taskId) => void (lost || kills.push(taskId)) };
  return { fw, kills };
};

const launchedIds = (worker: Worker, decision: Awaited<ReturnType<Worker['onOffers']>>) =>
  decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));

async function replacementStoredThenLeaderDied(store: MemoryStore, clock: TestClock, name: string) {
  const first = new Worker({ store, clock });
  first.attachFramework(framework(true).fw);
  await first.start();
  await first.storeJob(job({ name, schedule: 'R/2026-06-01T01:00:00Z/PT1H', concurrencyPolicy: 'Replace' }), []);
  await clock.advanceAsync(T0100 - START + 60_000); // 01:01
  await first.idle();
  const [old] = launchedIds(first, await first.onOffers([offer('o-1')]));
  await first.onUpdate({ taskId: old, state: 'TASK_RUNNING', agentId: 'agent-1' });
  await clock.advanceAsync(T0200 - clock.now() + 1_000); // 02:00: the replacement is stored, the kill is lost
  await first.idle();
  first.stop();
  return old;
}

describe('concurrencyPolicy Replace across a leader change', () => {
  it('the next leader kills the replaced run when the master answers its reconciliation; the replacement then launches', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    const old = await replacementStoredThenLeaderDied(store, clock, 'nightly');
    const stored = (await store.runs.list({ jobName: 'nightly' })).runs;
    expect(stored.map((r) => [r.due, r.state]).sort()).toEqual([
      [T0100, 'RUNNING'],
      [T0200, 'QUEUED'],
    ]);

    const second = new Worker({ store, clock });
    const { fw, kills } = framework();
    second.attachFramework(fw);
    await second.start();
    expect(kills).toEqual([]);
    await second.onUpdate({ taskId: old, state: 'TASK_RUNNING', agentId: 'agent-1', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(kills).toEqual([old]);
    // nothing launches beside it while it is being killed (the job is not concurrent)
    expect(launchedIds(second, await second.onOffers([offer('o-2')]))).toEqual([]);
    // a second update of the same run does not kill it twice
    await second.onUpdate({ taskId: old, state: 'TASK_RUNNING', agentId: 'agent-1' });
    expect(kills).toEqual([old]);

    await second.onUpdate({ taskId: old, state: 'TASK_KILLED', agentId: 'agent-1', message: 'Command terminated with signal Terminated' });
    const killed = await store.runs.getByTaskId(old);
    expect(killed?.state).toBe('KILLED');
    expect(killed?.message).toMatch(/^killed: replaced by the run due at 2026-06-01T02:00:00\.000Z \(concurrencyPolicy Replace\)/);
    const launched = launchedIds(second, await second.onOffers([offer('o-3')]));
    expect(launched).toHaveLength(1);
    expect((await store.runs.getByTaskId(launched[0]))?.due).toBe(T0200);
    second.stop();
  });

  it('a Queue job keeps its running run across the same leader change (the waiting run waits)', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    const first = new Worker({ store, clock });
    first.attachFramework(framework(true).fw);
    await first.start();
    await first.storeJob(job({ name: 'queued', schedule: 'R/2026-06-01T01:00:00Z/PT1H', concurrent: false }), []);
    await clock.advanceAsync(T0100 - START + 60_000);
    await first.idle();
    const [old] = launchedIds(first, await first.onOffers([offer('o-1')]));
    await first.onUpdate({ taskId: old, state: 'TASK_RUNNING', agentId: 'agent-1' });
    await clock.advanceAsync(T0200 - clock.now() + 1_000);
    await first.idle();
    first.stop();

    const second = new Worker({ store, clock });
    const { fw, kills } = framework();
    second.attachFramework(fw);
    await second.start();
    await second.onUpdate({ taskId: old, state: 'TASK_RUNNING', agentId: 'agent-1', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(kills).toEqual([]);
    expect((await store.runs.list({ jobName: 'queued' })).runs.map((r) => r.state).sort()).toEqual(['QUEUED', 'RUNNING']);
    second.stop();
  });
});
