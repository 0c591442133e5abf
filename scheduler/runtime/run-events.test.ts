/**
 * A run's stored timeline through the worker, against the real PostgreSQL: the offer match and each
 * status update as it came; an agent flapping for hours leaves the run's last RUN_EVENTS_KEPT; the
 * master's answers to reconciliation that only confirm a state are not stored; an update Mesos sends
 * again before its ACK (the same uuid) is one event.
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import { parseJob } from '../api/job-schema';
import type { Offer, OfferResource } from '../core/types';
import { RUN_EVENTS_KEPT } from '../ports';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const pg = useTestStore('sisyphus_run_events');

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1.example', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

describe('the worker stores each run its timeline', () => {
  it('offered, then every update; a flapping agent leaves the last 50; reconciliation answers that change nothing are not kept', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    const parsed = parseJob({ name: 'flappy', command: 'sleep 1000', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: clock.now() });
    if (!parsed.ok) throw new Error(parsed.error.message);
    await pg.store.jobs.put(parsed.value);
    await worker.start();
    const taskId = await worker.runNow(parsed.value, '');
    const decision = await worker.onOffers([offer('o-1')]);
    expect(decision.launches).toHaveLength(1);
    await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1', source: 'SOURCE_EXECUTOR' });
    await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' });
    const first = await pg.store.runs.events(taskId);
    expect(first.map((e) => [e.state, e.source, e.agentId])).toEqual([
      ['OFFERED', 'SCHEDULER', 'agent-1'],
      ['TASK_RUNNING', 'SOURCE_EXECUTOR', 'agent-1'],
    ]);
    expect(first[0].message).toBe('matched to offer o-1 from agent-1.example');

    // the agent flaps for hours: unreachable, back, unreachable…
    for (let i = 0; i < 70; i++) {
      await clock.advanceAsync(60_000);
      await worker.onUpdate({ taskId, state: i % 2 ? 'TASK_RUNNING' : 'TASK_UNREACHABLE', agentId: 'agent-1', source: 'SOURCE_MASTER', message: `flap ${i}` });
    }
    await worker.onUpdate({ taskId, state: 'TASK_FAILED', agentId: 'agent-1', source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED', message: 'Executor terminated' });
    const kept = await pg.store.runs.events(taskId);
    expect(kept).toHaveLength(RUN_EVENTS_KEPT);
    expect(kept[kept.length - 1]).toMatchObject({ state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT', at: clock.now() });
    expect(kept[kept.length - 2].message).toBe('flap 69');
    expect((await pg.store.runs.getByTaskId(taskId))!.state).toBe('FAILED');
    worker.stop();
  });

  it('an update sent again before its ACK (same uuid) is one event, each copy settled once stored', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    const parsed = parseJob({ name: 'resent', command: 'sleep 1000', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: clock.now() });
    if (!parsed.ok) throw new Error(parsed.error.message);
    await pg.store.jobs.put(parsed.value);
    await worker.start();
    const taskId = await worker.runNow(parsed.value, '');
    expect((await worker.onOffers([offer('o-1')])).launches).toHaveLength(1);
    const update = (state: string, uuid: string) => ({ taskId, state, agentId: 'agent-1', source: 'SOURCE_EXECUTOR', uuid });
    // STARTING and its copy in one batch, then RUNNING; the copies of both come after they are stored
    await Promise.all([worker.onUpdate(update('TASK_STARTING', 'u-1')), worker.onUpdate(update('TASK_STARTING', 'u-1')), worker.onUpdate(update('TASK_RUNNING', 'u-2'))]);
    await worker.onUpdate(update('TASK_STARTING', 'u-1'));
    await worker.onUpdate(update('TASK_RUNNING', 'u-2'));
    expect((await pg.store.runs.events(taskId)).map((e) => e.state)).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING']);
    expect((await pg.store.runs.getByTaskId(taskId))!.state).toBe('RUNNING');
    // a new update of the run is stored as before, and the end settles it
    await worker.onUpdate(update('TASK_FINISHED', 'u-3'));
    await worker.onUpdate(update('TASK_FINISHED', 'u-3'));
    expect((await pg.store.runs.events(taskId)).map((e) => e.state)).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    expect((await pg.store.runs.getByTaskId(taskId))!.state).toBe('FINISHED');
    worker.stop();
  });
});
