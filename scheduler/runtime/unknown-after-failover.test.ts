/**
 * TASK_UNKNOWN after a master failover (found on real Apache Mesos, test/mesos/): the new master
 * answers reconciliation with TASK_UNKNOWN for a task whose agent has not re-registered yet, and
 * the agent reports it RUNNING a moment later. Settling the run LOST at once retried it: the job
 * ran twice. A started run is now kept for `unknownGraceMs`; unheard of after that, it is LOST.
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import { parseJob } from '../api/job-schema';
import type { Offer, OfferResource } from '../core/types';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const pg = useTestStore('sisyphus_unknown');

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 4), res('mem', 4096), res('disk', 4096)], attributes: [] };
};
const unknown = (taskId: string) => ({ taskId, state: 'TASK_UNKNOWN', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', message: 'Reconciliation: Task is unknown', agentId: 'agent-1' });

async function startedRun(name: string) {
  await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
  const clock = new TestClock('2026-01-01T00:00:00Z');
  const worker = new Worker({ store: pg.store, clock, retryDelayMs: 1_000, unknownGraceMs: 60_000 });
  await worker.start();
  const parsed = parseJob({ name, command: 'sleep 60', schedule: 'R/2030-01-01T00:00:00Z/P1D', retries: 2, cpus: 0.1, mem: 16 }, { now: clock.now() });
  if (!parsed.ok) throw new Error(parsed.error.message);
  await worker.storeJob(parsed.value, []);
  const taskId = await worker.runNow(worker.jobsView()!.get(name)!, '');
  await worker.onOffers([offer('o-1')]);
  await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1' });
  return { clock, worker, taskId };
}

const runsOf = async (name: string) => (await pg.store.runs.list({ jobName: name })).runs;

describe('a started run the master calls TASK_UNKNOWN', () => {
  it('is kept while its agent re-registers: RUNNING again, then FINISHED, launched once', async () => {
    const { clock, worker, taskId } = await startedRun('survivor');
    await worker.onUpdate(unknown(taskId));
    expect((await runsOf('survivor')).map((r) => r.state)).toEqual(['RUNNING']);
    await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1', reason: 'REASON_AGENT_REREGISTERED', source: 'SOURCE_MASTER' });
    await clock.advanceAsync(120_000); // the grace timer was cancelled: nothing settles it
    await worker.onUpdate({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' });
    expect((await runsOf('survivor')).map((r) => [r.taskId, r.state])).toEqual([[taskId, 'FINISHED']]);
    worker.stop();
  });

  it('is settled LOST, and retried, once nothing is heard of it within the grace', async () => {
    const { clock, worker, taskId } = await startedRun('gone');
    await worker.onUpdate(unknown(taskId));
    const lost = worker.events.next('run', (e) => e.run.taskId === taskId && e.run.state === 'LOST', 5_000);
    await clock.advanceAsync(60_000);
    const { run } = await lost;
    expect(run.message).toMatch(/unknown to the Mesos master for 60 s/);
    await worker.idle();
    const runs = await runsOf('gone');
    expect(runs.map((r) => [r.attempt, r.state]).sort()).toEqual([
      [0, 'LOST'],
      [1, 'QUEUED'],
    ]);
    worker.stop();
  });

  it('a run never started (STAGING) is LOST at once: its launch may never have reached Mesos', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock, unknownGraceMs: 60_000 });
    await worker.start();
    const parsed = parseJob({ name: 'staged', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', cpus: 0.1, mem: 16 }, { now: clock.now() });
    if (!parsed.ok) throw new Error(parsed.error.message);
    await worker.storeJob(parsed.value, []);
    const taskId = await worker.runNow(worker.jobsView()!.get('staged')!, '');
    await worker.onOffers([offer('o-1')]);
    await worker.onUpdate(unknown(taskId));
    expect((await pg.store.runs.getByTaskId(taskId))!.state).toBe('LOST');
    worker.stop();
  });
});
