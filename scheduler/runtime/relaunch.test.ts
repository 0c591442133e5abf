/**
 * A launch Mesos refused for its offers alone (TASK_DROPPED, REASON_INVALID_OFFERS: the offers were
 * rescinded or expired before the ACCEPT arrived) in the worker, over the in-memory store: the task
 * never ran, so the run is launched again with the same attempt and no retry spent, a bounded
 * number of times; a refusal after that, or a drop for any other reason, is a failure as before.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource, Run } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = Date.parse('2026-06-01T00:00:00Z');

const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', ...json }, { now: START });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

let offers = 0;
const offer = (): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id: `o-${++offers}`, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

async function setUp(name: string) {
  const clock = new TestClock(START);
  const store = new MemoryStore();
  // no retries at all: any relaunch is one that spends none
  await store.jobs.put(job({ name, schedule: 'R/2027-01-01T00:00:00Z/P1D', retries: 0 }));
  const worker = new Worker({ store, clock });
  await worker.start();
  await worker.runNow(worker.jobsView()!.get(name)!, '');
  const runs = async (): Promise<Run[]> => (await store.runs.list({ jobName: name })).runs.sort((a, b) => Number(a.id) - Number(b.id));
  /** Launches the queued run and has Mesos refuse it; returns the refused task id. */
  const launchAndDrop = async (reason: string): Promise<string> => {
    await clock.advanceAsync(1); // a relaunch is due 1 ms after the refused run at the earliest
    const decision = await worker.onOffers([offer()]);
    expect(decision.launches).toHaveLength(1);
    const taskId = (decision.launches[0].taskInfos[0] as { task_id: { value: string } }).task_id.value;
    await worker.onUpdate({ taskId, state: 'TASK_DROPPED', reason, message: 'Task launched with invalid offers: Offer o-1 is no longer valid', source: 'SOURCE_MASTER' });
    return taskId;
  };
  return { clock, store, worker, runs, launchAndDrop };
}

describe('a launch Mesos refused for its offers', () => {
  it('is launched again at once with the same attempt, up to 3 times, counting nothing; the 4th refusal is a failure', async () => {
    const t = await setUp('nightly');
    for (let i = 1; i <= 3; i++) {
      await t.launchAndDrop('REASON_INVALID_OFFERS');
      const runs = await t.runs();
      expect(runs).toHaveLength(i + 1);
      const next = runs[i];
      expect(next).toMatchObject({ state: 'QUEUED', attempt: 0, trigger: 'retry', intendedDue: START });
      expect(next.taskId).not.toBe(runs[i - 1].taskId);
      expect(next.message).toMatch(/^launched again: Mesos refused the previous launch/);
      expect(runs[i - 1]).toMatchObject({ state: 'DROPPED', reason: 'REASON_INVALID_OFFERS' });
      expect((await t.store.jobs.get('nightly'))).toMatchObject({ errorCount: 0, lastError: '' });
    }
    await t.launchAndDrop('REASON_INVALID_OFFERS');
    const runs = await t.runs();
    expect(runs).toHaveLength(4); // no fifth run: retries 0, the refusal counted
    expect(runs.every((r) => r.state === 'DROPPED')).toBe(true);
    expect(await t.store.jobs.get('nightly')).toMatchObject({ errorCount: 1, errorsSinceLastSuccess: 1 });
    t.worker.stop();
  });

  it('a run dropped for another reason takes the failure path at once', async () => {
    const t = await setUp('other');
    await t.launchAndDrop('REASON_TASK_INVALID');
    expect((await t.runs()).map((r) => r.state)).toEqual(['DROPPED']);
    expect(await t.store.jobs.get('other')).toMatchObject({ errorCount: 1 });
    t.worker.stop();
  });
});
