/**
 * Fencing on the real PostgreSQL: the stored leader epoch only grows; a store fenced by an older
 * epoch refuses every write (FencedError) and leaves nothing behind; a raise waits for a fenced
 * transaction in flight, so no write of an older leader commits after a newer leader's raise; a
 * transaction that never ends (its leader frozen) is cut after the raise's stall time instead of
 * holding the takeover for as long as that leader stays frozen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../../scheduler/adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import pg from 'pg';
import { FencedError, type NewRun, type RunRecord } from '../../scheduler/ports';
import { jobFixture } from '../../scheduler/testing/job-fixture';

let db: TestDatabase;
let store: PrismaStore;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_fence');
  store = await createStore({ databaseUrl: db.url, poolSize: 4 });
});
afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const run = (n: number): NewRun => ({
  jobName: 'j',
  due: 1_700_000_000_000 + n * 1000,
  attempt: 0,
  taskId: `ct:${1_700_000_000_000 + n * 1000}:0:j:`,
  arguments: '',
  trigger: 'schedule',
  highPriority: false,
  queuedAt: 1_700_000_000_000,
});

describe('leader epoch fencing', () => {
  it('raise only grows the stored epoch', async () => {
    expect(await store.storedEpoch()).toBe(0);
    expect(await store.raiseEpoch(3)).toBe(3);
    expect(await store.raiseEpoch(2)).toBe(3);
    expect(await store.raiseEpoch(5)).toBe(5);
    expect(await store.storedEpoch()).toBe(5);
  });

  it('an older leader can write nothing; the current one can', async () => {
    const fenced: FencedError[] = [];
    const old = store.fenced(4, (e) => fenced.push(e));
    const cur = store.fenced(5);
    await expect(old.runs.createMany([run(1)])).rejects.toBeInstanceOf(FencedError);
    await expect(old.runs.updateMany([{ taskId: run(1).taskId, patch: { state: 'RUNNING' } }])).rejects.toThrow(/fenced/);
    await expect(old.framework.setFrameworkId('fw-old')).rejects.toBeInstanceOf(FencedError);
    await expect(old.edges.set('c', 'p', 1)).rejects.toBeInstanceOf(FencedError);
    await expect(old.transaction(async (tx) => tx.runs.create(run(2)))).rejects.toBeInstanceOf(FencedError);
    expect(fenced.length).toBe(5);
    expect(fenced[0].storedEpoch).toBe(5);
    // reads still work for the old one
    expect(await old.runs.listActive()).toEqual([]);
    // the current leader writes
    expect(await cur.runs.createMany([run(1)])).toHaveLength(1);
    await cur.framework.setFrameworkId('fw-5');
    expect(await store.framework.getFrameworkId()).toBe('fw-5');
    // nothing of the old one is there
    expect((await store.runs.listActive()).map((r) => r.taskId)).toEqual([run(1).taskId]);
  });

  it('a raise waits for a fenced transaction in flight; after it, the old epoch is refused', async () => {
    const old = store.fenced(5);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const tx = old.transaction(async (t) => {
      inside();
      await gate;
      await t.runs.create(run(3));
    });
    await entered;
    let raised = false;
    const raise = store.raiseEpoch(6).then((v) => {
      raised = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(raised).toBe(false); // blocked on the share lock
    release();
    await tx; // committed under epoch 5, before the raise
    expect(await raise).toBe(6);
    await expect(old.runs.create(run(4))).rejects.toBeInstanceOf(FencedError);
    expect(await store.runs.getByTaskId(run(3).taskId)).not.toBeNull();
    expect(await store.runs.getByTaskId(run(4).taskId)).toBeNull();
  });

  it('a raise cuts a fenced transaction that never ends (a frozen old leader): nothing of it commits', async () => {
    const old = store.fenced(6);
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let thaw!: () => void;
    const frozen = new Promise<void>((r) => (thaw = r));
    const tx = old.transaction(async (t) => {
      await t.runs.create(run(5)); // written, not committed
      inside();
      await frozen; // the process is frozen here; only the database can end this transaction
    });
    const outcome = tx.then(
      () => 'committed',
      (e: Error) => `failed: ${e.message}`,
    );
    await entered;
    const cut: number[][] = [];
    const direct = await createStore({ databaseUrl: db.url, poolSize: 2, onRaiseCut: (p) => cut.push(p) });
    try {
      const t0 = Date.now();
      expect(await direct.raiseEpoch(7, 200)).toBe(7);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(cut).toHaveLength(1);
    } finally {
      await direct.close();
      if (cut.length === 0) thaw(); // a failed check must not leave the transaction (and afterAll) hanging
    }
    await expect(old.runs.create(run(6))).rejects.toBeInstanceOf(FencedError);
    expect(await store.runs.getByTaskId(run(5).taskId)).toBeNull();
    expect(await store.storedEpoch()).toBe(7);
    thaw(); // the old leader wakes up: its commit fails, its write is gone
    expect(await outcome).toMatch(/^failed: /);
    expect(await store.runs.getByTaskId(run(5).taskId)).toBeNull();
  });
});

/**
 * The writes that are one statement (RunStore.record, createMany) run outside a transaction, the
 * fence in the statement itself (fencing.ts statementFence): the same guarantees, per statement.
 */
describe('leader epoch fencing of one-statement writes', () => {
  const launch = (n: number, at: number): RunRecord => ({
    updates: [{ taskId: run(n).taskId, patch: { state: 'STAGING', launchedAt: at, agentId: 'a1', host: 'h1' } }],
    events: [{ taskId: run(n).taskId, at, state: 'OFFERED', reason: null, message: null, source: 'SCHEDULER', agentId: 'a1', mesosAt: null }],
    jobs: [{ name: 'j', set: { schedule: `R/2030-01-0${n}T00:00:00Z/PT1H` }, unset: [] }],
  });
  const stateOf = async (n: number) => (await store.runs.getByTaskId(run(n).taskId))?.state;
  const scheduleOf = async () => (await store.jobs.get('j'))?.schedule;

  it('an older leader writes nothing of a record or a run insert; the current one writes all of it', async () => {
    const epoch = await store.storedEpoch();
    await store.jobs.put(jobFixture({ name: 'j', schedule: 'R/2030-01-01T00:00:00Z/PT1H' }));
    const cur = store.fenced(epoch);
    const old = store.fenced(epoch - 1);
    expect(await cur.runs.createMany([run(7)])).toHaveLength(1);
    await expect(old.runs.createMany([run(8)])).rejects.toBeInstanceOf(FencedError);
    expect(await store.runs.getByTaskId(run(8).taskId)).toBeNull();
    // a run already stored: nothing new, and no refusal
    expect(await cur.runs.createMany([run(7)])).toEqual([]);

    await expect(old.runs.record(launch(7, 1_700_000_001_000))).rejects.toBeInstanceOf(FencedError);
    expect(await stateOf(7)).toBe('QUEUED');
    expect(await store.runs.events(run(7).taskId)).toEqual([]);
    expect(await scheduleOf()).toBe('R/2030-01-01T00:00:00Z/PT1H');

    await cur.runs.record(launch(7, 1_700_000_001_000));
    expect(await store.runs.getByTaskId(run(7).taskId)).toMatchObject({ state: 'STAGING', launchedAt: 1_700_000_001_000, agentId: 'a1', host: 'h1' });
    expect((await store.runs.events(run(7).taskId)).map((e) => e.state)).toEqual(['OFFERED']);
    expect(await scheduleOf()).toBe('R/2030-01-07T00:00:00Z/PT1H');
    // inside a fenced transaction too (a status-update batch that writes more than a record)
    await cur.transaction((tx) => tx.runs.record({ updates: [{ taskId: run(7).taskId, patch: { state: 'RUNNING' } }], events: [], jobs: [] }));
    expect(await stateOf(7)).toBe('RUNNING');
  });

  it('a raise committed while the statement waits for the epoch\'s lock refuses it; a raise waits for a statement in flight', async () => {
    const epoch = await store.storedEpoch();
    const cur = store.fenced(epoch);
    await cur.runs.createMany([run(9), run(10)]);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      // a newer leader's raise, not committed yet: the statement waits for it at its fence
      await other.query('BEGIN');
      await other.query(`UPDATE "framework_state" SET "value" = $1 WHERE "key" = 'leader_epoch'`, [String(epoch + 1)]);
      const refused = cur.runs.record(launch(9, 1_700_000_002_000)).then(
        () => 'written',
        (e: unknown) => (e instanceof FencedError ? `fenced by ${e.storedEpoch}` : String(e)),
      );
      await new Promise((r) => setTimeout(r, 300));
      await other.query('COMMIT');
      expect(await refused).toBe(`fenced by ${epoch + 1}`);
      expect(await stateOf(9)).toBe('QUEUED');
      expect(await store.runs.events(run(9).taskId)).toEqual([]);

      // the statement holds the epoch's lock until it commits: here it waits for a run row another
      // session holds, and a raise meanwhile waits for it
      const next = store.fenced(epoch + 1);
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM "runs" WHERE "task_id" = $1 FOR UPDATE`, [run(10).taskId]);
      const written = next.runs.record(launch(10, 1_700_000_003_000));
      await new Promise((r) => setTimeout(r, 300));
      let raised = false;
      const raise = store.raiseEpoch(epoch + 2, 60_000).then((v) => ((raised = true), v));
      await new Promise((r) => setTimeout(r, 300));
      expect(raised).toBe(false);
      await other.query('COMMIT');
      await written; // committed under epoch + 1, before the raise
      expect(await raise).toBe(epoch + 2);
      expect(await stateOf(10)).toBe('STAGING');
      await expect(next.runs.record(launch(9, 1_700_000_004_000))).rejects.toBeInstanceOf(FencedError);
    } finally {
      await other.end();
    }
  });
});
