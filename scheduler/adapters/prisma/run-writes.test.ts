/**
 * RunStore.record on the real PostgreSQL: run changes, their events and their jobs' field changes
 * in one statement, all of it or nothing (fencing of the same statement: test/ha/fencing.test.ts).
 */
import { describe, expect, test } from 'vitest';
import type { NewRun, RunRecord } from '../../ports';
import { jobFixture } from '../../testing/job-fixture';
import { useTestStore } from './use-test-store';

const pg = useTestStore(undefined, { poolSize: 2 });
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0, 7);

const newRun = (jobName: string, i: number): NewRun => ({
  jobName,
  due: T0 + i,
  attempt: 0,
  taskId: `ct:${T0 + i}:0:${jobName}:`,
  arguments: '',
  trigger: 'immediate',
  highPriority: false,
  queuedAt: T0,
});

const launched = (runs: NewRun[], message: string | null = null): RunRecord => ({
  updates: runs.map((r) => ({ taskId: r.taskId, patch: { state: 'STAGING', launchedAt: T0 + 100, agentId: 'a1', host: 'h1' } })),
  events: runs.map((r) => ({ taskId: r.taskId, at: T0 + 100, state: 'OFFERED', reason: null, message, source: 'SCHEDULER', agentId: 'a1', mesosAt: null })),
  jobs: [...new Set(runs.map((r) => r.jobName))].map((name) => ({ name, set: { schedule: 'R0/2026-01-01T00:00:00Z/PT1H' }, unset: [] })),
});

describe('RunStore.record', () => {
  test('stores the runs’ changes, their events and their jobs’ field changes; the rest of each row stays', async () => {
    const { store } = pg;
    await store.jobs.put(jobFixture({ name: 'a', owner: 'ops@example.com', schedule: 'R1//PT1H' }));
    const runs = [newRun('a', 1), newRun('a', 2)];
    expect(await store.runs.createMany(runs)).toHaveLength(2);
    await store.runs.record(launched(runs));
    for (const r of runs) {
      expect(await store.runs.getByTaskId(r.taskId)).toMatchObject({ state: 'STAGING', launchedAt: T0 + 100, agentId: 'a1', host: 'h1', due: r.due });
      expect((await store.runs.events(r.taskId)).map((e) => [e.state, e.at])).toEqual([['OFFERED', T0 + 100]]);
    }
    expect(await store.jobs.get('a')).toMatchObject({ schedule: 'R0/2026-01-01T00:00:00Z/PT1H', owner: 'ops@example.com' });
    // nothing to write: nothing written, no error
    await store.runs.record({ updates: [], events: [], jobs: [] });
  });

  test('a part the database refuses leaves nothing of the others behind', async () => {
    const { store } = pg;
    await store.jobs.put(jobFixture({ name: 'b', schedule: 'R1//PT1H' }));
    const runs = [newRun('b', 1)];
    await store.runs.createMany(runs);
    // PostgreSQL's text cannot hold NUL: the events' insert fails, and with it the statement
    await expect(store.runs.record(launched(runs, 'bad \u0000 byte'))).rejects.toThrow();
    expect((await store.runs.getByTaskId(runs[0].taskId))?.state).toBe('QUEUED');
    expect(await store.runs.events(runs[0].taskId)).toEqual([]);
    expect((await store.jobs.get('b'))?.schedule).toBe('R1//PT1H');
  });
});
