/**
 * A run's stored timeline (run_events) against the real local PostgreSQL: appended in batches,
 * in order, bounded per run, written with the run's state in one transaction, gone with the job's runs.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { RUN_EVENTS_KEPT, type NewRun, type RunEvent } from '../../ports';
import { useTestStore } from './use-test-store';

const pg = useTestStore(undefined, { poolSize: 4 });

beforeEach(async () => {
  await pg.db.query('TRUNCATE runs, run_events RESTART IDENTITY');
});

const T0 = Date.UTC(2026, 11, 7, 2, 0, 0, 123);

function newRun(jobName: string, n = 0): NewRun {
  return { jobName, due: T0 + n, attempt: 0, taskId: `ct:${T0 + n}:0:${jobName}:`, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: T0 };
}

function update(taskId: string, state: string, at: number, extra: Partial<RunEvent> = {}): RunEvent {
  return { taskId, at, state, reason: null, message: null, source: 'SOURCE_EXECUTOR', agentId: 'a1-S0', mesosAt: null, ...extra };
}

describe('run events', () => {
  test('a failed run keeps its updates in order with their reason, message, source, agent and Mesos time', async () => {
    const run = (await pg.store.runs.create(newRun('transcode')))!;
    const failed = update(run.taskId, 'TASK_FAILED', T0 + 3000, {
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      message: 'Command exited with status 3',
      mesosAt: T0 + 2999.6, // Mesos sends fractional seconds: kept to the ms
    });
    await pg.store.transaction(async (tx) => {
      await tx.runs.updateMany([{ taskId: run.taskId, patch: { state: 'STAGING', launchedAt: T0 + 1000, agentId: 'a1-S0' } }]);
      await tx.runs.addEvents([update(run.taskId, 'OFFERED', T0 + 1000, { source: 'SCHEDULER', message: 'matched to offer o1 from agent-1' })]);
    });
    await pg.store.runs.addEvents([update(run.taskId, 'TASK_STARTING', T0 + 1500), update(run.taskId, 'TASK_RUNNING', T0 + 2000, { source: 'SOURCE_AGENT' }), failed]);

    const events = await pg.store.runs.events(run.taskId);
    expect(events.map((e) => e.state)).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    expect(events[3]).toEqual({ ...failed, mesosAt: T0 + 3000 });
    expect(events[2].source).toBe('SOURCE_AGENT');
    expect(events[0]).toMatchObject({ source: 'SCHEDULER', agentId: 'a1-S0', at: T0 + 1000, mesosAt: null });
  });

  test(`a run keeps its last ${RUN_EVENTS_KEPT} events; other runs of the batch keep theirs`, async () => {
    const flapping = (await pg.store.runs.create(newRun('flapping', 0)))!;
    const quiet = (await pg.store.runs.create(newRun('quiet', 1)))!;
    await pg.store.runs.addEvents([update(quiet.taskId, 'TASK_RUNNING', T0)]);
    for (let round = 0; round < 3; round++) {
      const burst = Array.from({ length: 30 }, (_, i) =>
        update(flapping.taskId, i % 2 ? 'TASK_RUNNING' : 'TASK_UNREACHABLE', T0 + round * 30 + i, { message: `#${round * 30 + i}` }),
      );
      await pg.store.runs.addEvents([...burst, update(quiet.taskId, 'TASK_RUNNING', T0 + round + 1)]);
    }
    const kept = await pg.store.runs.events(flapping.taskId);
    expect(kept).toHaveLength(RUN_EVENTS_KEPT);
    expect(kept[0].message).toBe(`#${90 - RUN_EVENTS_KEPT}`);
    expect(kept[kept.length - 1].message).toBe('#89');
    expect(await pg.store.runs.events(quiet.taskId)).toHaveLength(4);
  });

  test('only the runs named in trim are cut back', async () => {
    const named = (await pg.store.runs.create(newRun('named', 0)))!;
    const unnamed = (await pg.store.runs.create(newRun('unnamed', 1)))!;
    const many = (taskId: string) => Array.from({ length: RUN_EVENTS_KEPT + 5 }, (_, i) => update(taskId, 'TASK_RUNNING', T0 + i));
    await pg.store.runs.addEvents([...many(named.taskId), ...many(unnamed.taskId)], [named.taskId]);
    expect(await pg.store.runs.events(named.taskId)).toHaveLength(RUN_EVENTS_KEPT);
    expect(await pg.store.runs.events(unnamed.taskId)).toHaveLength(RUN_EVENTS_KEPT + 5);
    await pg.store.runs.addEvents([update(unnamed.taskId, 'TASK_FAILED', T0 + 99)], []);
    expect(await pg.store.runs.events(unnamed.taskId)).toHaveLength(RUN_EVENTS_KEPT + 6);
  });

  test('a transaction that fails stores neither the state nor the events', async () => {
    const run = (await pg.store.runs.create(newRun('rollback')))!;
    await expect(
      pg.store.transaction(async (tx) => {
        await tx.runs.updateMany([{ taskId: run.taskId, patch: { state: 'RUNNING' } }]);
        await tx.runs.addEvents([update(run.taskId, 'TASK_RUNNING', T0)]);
        throw new Error('commit fails');
      }),
    ).rejects.toThrow('commit fails');
    expect((await pg.store.runs.getByTaskId(run.taskId))!.state).toBe('QUEUED');
    expect(await pg.store.runs.events(run.taskId)).toEqual([]);
  });

  test("deleting a job's runs deletes their events; an unknown run has none", async () => {
    const run = (await pg.store.runs.create(newRun('gone')))!;
    await pg.store.runs.addEvents([update(run.taskId, 'TASK_RUNNING', T0)]);
    await pg.store.runs.deleteForJob('gone');
    expect(await pg.store.runs.events(run.taskId)).toEqual([]);
    const [{ n }] = await pg.db.query<{ n: string }>('SELECT count(*) AS n FROM run_events');
    expect(Number(n)).toBe(0);
  });

  test('the fenced store writes events as the leader', async () => {
    const run = (await pg.store.runs.create(newRun('fenced')))!;
    await pg.store.raiseEpoch(3);
    await pg.store.fenced(3).runs.addEvents([update(run.taskId, 'TASK_RUNNING', T0)]);
    await expect(pg.store.fenced(2).runs.addEvents([update(run.taskId, 'TASK_FAILED', T0)])).rejects.toThrow();
    expect((await pg.store.runs.events(run.taskId)).map((e) => e.state)).toEqual(['TASK_RUNNING']);
  });
});
