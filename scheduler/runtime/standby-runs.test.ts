/**
 * The standby's unfinished runs (standby-runs.ts, RunStore.listActiveKeeping) against the real
 * PostgreSQL: they follow the runs' creates, status updates, ends and deletes (a write that
 * commits after a later one included), a read after the first reads whole only the runs written
 * since, and a worker that takes over from them holds what one that reads them cold holds.
 */
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import type { Instant, Job, Run, RunState } from '../core/types';
import { parseJob } from '../api/job-schema';
import type { NewRun } from '../ports';
import { TestClock } from '../testing/test-clock';
import { FULL_READ_MS, StandbyRuns } from './standby-runs';
import { Worker } from './worker';

const T0: Instant = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;

const pgTest = useTestStore('sisyphus_standby_runs', { poolSize: 4 });

beforeEach(async () => {
  await pgTest.db.query('TRUNCATE jobs, runs, dependency_edges, job_tombstones RESTART IDENTITY');
});

const newRun = (jobName: string, due: Instant, state: RunState = 'QUEUED'): NewRun => ({
  jobName,
  due,
  attempt: 0,
  taskId: `ct:${due}:0:${jobName}:`,
  arguments: '',
  trigger: 'schedule',
  highPriority: false,
  state,
  queuedAt: due,
});
const create = async (jobName: string, due: Instant): Promise<Run> => (await pgTest.store.runs.create(newRun(jobName, due)))!;
const running = (r: Run) => pgTest.store.runs.update(r.taskId, { state: 'RUNNING', launchedAt: T0, startedAt: T0, agentId: 'agent-1', host: 'h1' });
const standbyOf = () => new StandbyRuns({ runs: pgTest.store.runs, clock: new TestClock(T0), pollMs: 50 });
const keys = (runs: Run[]) => runs.map((r) => `${r.jobName}:${r.state}`);

describe('the standby follows the unfinished runs', () => {
  it('creates, status updates, ends and deletes; a read after the first reads whole only what was written since', async () => {
    const [a, b, c] = [await create('a', T0), await create('b', T0 + MIN), await create('c', T0 + 2 * MIN)];
    await running(b);
    const standby = standbyOf();
    expect(await standby.catchUp()).toBe(3); // the first read: every run
    expect(standby.size).toBe(3);
    expect(await standby.catchUp()).toBe(0); // nothing written since

    await running(a);
    await pgTest.store.runs.update(c.taskId, { state: 'FINISHED', finishedAt: T0 + 3 * MIN });
    await create('d', T0 - MIN); // due first
    const e = await create('e', T0 + 4 * MIN);
    expect(await pgTest.store.runs.withdraw([e.taskId])).toEqual([e.taskId]);

    const handed = await standby.takeRuns();
    expect(handed!.caughtUp).toBe(2); // a (RUNNING now) and d (new); b is the one read before
    expect(handed!.runs).toEqual(await pgTest.store.runs.listActive());
    expect(keys(handed!.runs)).toEqual(['d:QUEUED', 'a:RUNNING', 'b:RUNNING']);

    // handed over: it starts again from a read of every run
    expect(standby.warm).toBe(false);
    expect(await standby.catchUp()).toBe(3);
  });

  it('sees a write that commits after a later one it has already read', async () => {
    const early = await create('early', T0);
    const standby = standbyOf();
    await standby.catchUp();
    // a transaction opened first (the older transaction id) writes, and commits last
    const slow = new pg.Client({ connectionString: pgTest.db.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`UPDATE runs SET state = 'RUNNING', launched_at = now() WHERE task_id = $1`, [early.taskId]);
      await create('fast', T0 + MIN);
      expect(await standby.catchUp()).toBe(1);
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    const handed = await standby.takeRuns();
    expect(keys(handed!.runs)).toEqual(['early:RUNNING', 'fast:QUEUED']);
    expect(handed!.runs).toEqual(await pgTest.store.runs.listActive());
  });

  it('reads whole a run not held or held in another version, not one whose write was rolled back; every run again after an hour', async () => {
    await create('a', T0);
    const b = await create('b', T0 + MIN);
    const first = await pgTest.store.runs.listActiveKeeping!(null);
    expect(first.read).toBe(2);
    const held = { runs: new Map(first.runs.map((r) => [r.id, r])), versions: first.versions };
    const again = await pgTest.store.runs.listActiveKeeping!(held);
    expect(again.read).toBe(0);
    expect(again.runs[1]).toBe(held.runs.get(b.id)); // the very object held
    // a write rolled back leaves the version held
    const tx = new pg.Client({ connectionString: pgTest.db.url });
    await tx.connect();
    try {
      await tx.query('BEGIN');
      await tx.query(`UPDATE runs SET state = 'RUNNING' WHERE task_id = $1`, [b.taskId]);
      await tx.query('ROLLBACK');
    } finally {
      await tx.end();
    }
    expect((await pgTest.store.runs.listActiveKeeping!(held)).read).toBe(0);
    await running(b);
    const changed = await pgTest.store.runs.listActiveKeeping!(held);
    expect(changed.read).toBe(1);
    expect(keys(changed.runs)).toEqual(['a:QUEUED', 'b:RUNNING']);
    // a holder missing a run: that run read whole, not lost
    const partial = { runs: new Map([...held.runs].slice(0, 1)), versions: held.versions };
    const missing = await pgTest.store.runs.listActiveKeeping!(partial);
    expect(missing.read).toBe(1);
    expect(missing.runs).toEqual(await pgTest.store.runs.listActive());

    const clock = new TestClock(T0);
    const standby = new StandbyRuns({ runs: pgTest.store.runs, clock, pollMs: 50 });
    expect(await standby.catchUp()).toBe(2);
    clock.set(T0 + FULL_READ_MS);
    expect(await standby.catchUp()).toBe(0);
    clock.set(T0 + FULL_READ_MS + 1);
    expect(await standby.catchUp()).toBe(2);
  });

  it('hands over nothing before its first read (the worker then reads the runs itself)', async () => {
    expect(await standbyOf().takeRuns()).toBeNull();
  });
});

describe('a takeover from the standby holds what a cold load holds', () => {
  function job(name: string): Job {
    const r = parseJob({ name, command: `echo ${name}`, owner: 'ops@example.com', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: T0, kind: 'iso8601' });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  }

  /** A worker loaded at T0 (warm: from a standby that followed); each job's activity, and whether it has work. */
  async function loaded(warm: boolean, names: string[]): Promise<{ activity: unknown[]; work: boolean; caughtUp: number | null }> {
    const clock = new TestClock(T0);
    let caughtUp: number | null = null;
    let source: (() => Promise<Run[] | null>) | undefined;
    if (warm) {
      const standby = new StandbyRuns({ runs: pgTest.store.runs, clock, pollMs: 50 });
      await standby.catchUp();
      // the old leader's last writes, after the standby's last read
      const late = (await pgTest.store.runs.getByTaskId(newRun('r2', T0).taskId))!;
      await running(late);
      source = async () => {
        const h = await standby.takeRuns();
        caughtUp = h?.caughtUp ?? null;
        return h?.runs ?? null;
      };
    }
    const w = new Worker({ store: pgTest.store, clock, runSource: source, retryDelayMs: 60_000 });
    await w.start();
    const activity = names.map((n) => ({ n, ...w.activity(n) }));
    const work = w.hasWork();
    w.stop();
    return { activity, work, caughtUp };
  }

  it('the same runs queued, delayed and in flight', async () => {
    const names = ['r1', 'r2', 'q1', 'later'];
    await pgTest.store.jobs.apply({ put: names.map(job) });
    const setUp = async () => {
      await pgTest.db.query('TRUNCATE runs RESTART IDENTITY');
      await running(await create('r1', T0 - MIN));
      await create('r2', T0); // RUNNING after the standby's last read (warm)
      await create('q1', T0 - MIN);
      await create('later', T0 + 10 * MIN);
    };
    await setUp();
    const warm = await loaded(true, names);
    await setUp();
    await running((await pgTest.store.runs.getByTaskId(newRun('r2', T0).taskId))!);
    const cold = await loaded(false, names);
    expect(warm.caughtUp).toBe(1);
    expect(warm.activity).toEqual(cold.activity);
    expect(warm.activity).toEqual([
      { n: 'r1', queued: 0, running: 1 },
      { n: 'r2', queued: 0, running: 1 },
      { n: 'q1', queued: 1, running: 0 },
      { n: 'later', queued: 1, running: 0 },
    ]);
    expect(warm.work).toBe(cold.work);
  });
});
