/**
 * A deadlock between two honest writers (the API deleting a job while the worker records its runs)
 * must not fail either: PostgreSQL aborts one, the store runs it again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NewRun } from '../../ports';
import { StoreDataError } from '../../ports';
import { CONFLICT_ATTEMPTS, retryingConflicts } from './conflict-retry';
import { createStore } from './create-store';
import type { PrismaStore } from './store';
import { createTestDatabase, type TestDatabase } from './test-support';

const coded = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('retryingConflicts', () => {
  test('runs a transaction aborted as a deadlock or serialization failure again, up to the limit', async () => {
    let calls = 0;
    const ok = await retryingConflicts(async () => {
      calls++;
      if (calls === 1) throw coded('40P01');
      if (calls === 2) throw coded('40001');
      return 'committed';
    });
    expect(ok).toBe('committed');
    expect(calls).toBe(3);

    calls = 0;
    await expect(retryingConflicts(async () => {
      calls++;
      throw coded('40P01');
    })).rejects.toThrow('sqlstate 40P01');
    expect(calls).toBe(CONFLICT_ATTEMPTS);
  });

  test('any other error is thrown at once', async () => {
    for (const e of [coded('23505'), coded('08006'), new Error('plain')]) {
      let calls = 0;
      await expect(retryingConflicts(async () => {
        calls++;
        throw e;
      })).rejects.toBe(e);
      expect(calls).toBe(1);
    }
  });
});

describe('Store.transaction on PostgreSQL', () => {
  let db: TestDatabase;
  let store: PrismaStore;

  beforeAll(async () => {
    db = await createTestDatabase('sisyphus_conflict');
    store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const run = (jobName: string): NewRun => ({ jobName, due: 1_000, attempt: 0, taskId: `ct:1000:0:${jobName}:`, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: 1_000 });

  /** Resolves once `n` callers have arrived. */
  function barrier(n: number): () => Promise<void> {
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((r) => (release = r));
    return () => {
      if (++arrived === n) release();
      return all;
    };
  }

  test('two transactions that lock the same rows in opposite orders both commit', async () => {
    const [a, b] = await store.runs.createMany([run('dl-a'), run('dl-b')]);
    const both = barrier(2);
    const attempts = { first: 0, second: 0 };
    const write = (who: 'first' | 'second', one: string, two: string) =>
      store.transaction(async (tx) => {
        attempts[who]++;
        await tx.runs.updateMany([{ taskId: one, patch: { message: who } }]);
        if (attempts[who] === 1) await both(); // each holds its first row: the next update deadlocks
        await tx.runs.updateMany([{ taskId: two, patch: { message: who } }]);
      });
    await Promise.all([write('first', a!.taskId, b!.taskId), write('second', b!.taskId, a!.taskId)]);
    // PostgreSQL aborted one of them; it ran again after the other committed, so its writes are last
    expect(attempts.first + attempts.second).toBe(3);
    const again = attempts.first === 2 ? 'first' : 'second';
    const rows = await db.query<{ message: string }>('SELECT message FROM runs ORDER BY task_id');
    expect(rows.map((r) => r.message)).toEqual([again, again]);
  }, 30_000);

  test('a refused write is not run again', async () => {
    let calls = 0;
    await expect(store.transaction(async (tx) => {
      calls++;
      await tx.jobs.apply({ put: [] });
      await db.query('SELECT 1');
      throw Object.assign(new Error('duplicate key'), { code: '23505' });
    })).rejects.toBeInstanceOf(StoreDataError);
    expect(calls).toBe(1);
  });
});
