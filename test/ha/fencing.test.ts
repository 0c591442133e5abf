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
import { FencedError, type NewRun } from '../../scheduler/ports';

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
