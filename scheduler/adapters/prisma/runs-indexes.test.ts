/**
 * The indexes of `runs` against the status-update path (migration 20261207170000_runs_hot_updates):
 * an update short of a run's end changes no indexed column, so PostgreSQL stores it as a HOT
 * update (no index written), and the unfinished runs are still found, before and after the upgrade.
 */
import { describe, expect, test } from 'vitest';
import type { RunState } from '../../core/types';
import type { NewRun, Store } from '../../ports';
import { createStore } from './create-store';
import { loadMigrations, migratePostgres } from './migrate';
import type { TestDatabase } from './test-support';
import { useFreshDatabases } from './use-test-store';

const T0 = Date.UTC(2026, 11, 7, 12);
const HOT_MIGRATION = '20261207170000_runs_hot_updates';

const freshDb = useFreshDatabases();

const newRun = (i: number, state: RunState = 'QUEUED'): NewRun => ({
  jobName: `j${i}`, due: T0 + i, attempt: 0, taskId: `ct:${T0 + i}:0:j${i}:`, arguments: '', trigger: 'schedule',
  highPriority: false, queuedAt: T0 + i, state,
});

async function withStore(db: TestDatabase, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await createStore({ databaseUrl: db.url, poolSize: 1 });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

/** Waits for the server's table statistics to count `updates` updates of runs (they are flushed within a second or so). */
async function runUpdates(db: TestDatabase, updates: number): Promise<{ all: number; hot: number }> {
  for (;;) {
    const [r] = await db.query<{ all: string; hot: string }>(
      `SELECT n_tup_upd::text AS all, n_tup_hot_upd::text AS hot FROM pg_stat_user_tables WHERE relname = 'runs'`,
    );
    if (Number(r.all) >= updates) return { all: Number(r.all), hot: Number(r.hot) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('runs indexes and status updates', () => {
  test('launch, STARTING and RUNNING of a run write no index of runs (HOT updates); its end does', async () => {
    const db = await freshDb();
    const runs = Array.from({ length: 10 }, (_, i) => newRun(i));
    type Patch = Parameters<Store['runs']['updateMany']>[0][number]['patch'];
    const all = (patch: Patch) => runs.map((r) => ({ taskId: r.taskId, patch }));
    // each store's session reports its statistics when it closes
    await withStore(db, async (store) => {
      await store.runs.createMany(runs);
      await store.transaction((tx) => tx.runs.updateMany(all({ state: 'STAGING', launchedAt: T0 + 100, agentId: 'agent-1', host: 'host-1' })));
      await store.transaction((tx) => tx.runs.updateMany(all({ state: 'STARTING', startedAt: T0 + 200, message: 'starting' })));
      await store.transaction((tx) => tx.runs.updateMany(all({ state: 'RUNNING', reason: 'REASON_X' })));
    });
    expect(await runUpdates(db, 30)).toEqual({ all: 30, hot: 30 });
    await withStore(db, async (store) => {
      await store.transaction((tx) => tx.runs.updateMany(all({ state: 'FINISHED', finishedAt: T0 + 300 })));
      expect(await store.runs.listActive()).toEqual([]);
    });
    expect(await runUpdates(db, 40)).toEqual({ all: 40, hot: 30 });
  }, 30_000);

  test('a database migrated before the change finds the same unfinished runs after it', async () => {
    const db = await freshDb();
    const before = loadMigrations().filter((m) => m.name < HOT_MIGRATION);
    await migratePostgres(db.url, before);
    const states: RunState[] = ['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED'];
    for (const [i, state] of states.entries()) {
      const terminal = i >= 5;
      await db.query(
        `INSERT INTO runs (job_name, due, attempt, task_id, trigger, state, queued_at, finished_at)
         VALUES ($1, to_timestamp($2 / 1000.0), 0, $3, 'schedule', $4, now(), $5)`,
        // one unfinished run with a finish time (none should exist): it stays unfinished
        [`j${i}`, T0 - i * 1000, `t${i}`, state, terminal || state === 'RUNNING' ? new Date(T0) : null],
      );
    }
    const store = await createStore({ databaseUrl: db.url, poolSize: 1 });
    try {
      const [{ n }] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM _prisma_migrations WHERE migration_name = $1`, [HOT_MIGRATION]);
      expect(n).toBe('1');
      expect((await store.runs.listActive()).map((r) => r.state)).toEqual(['KILLING', 'RUNNING', 'STARTING', 'STAGING', 'QUEUED']);
      expect((await store.runs.list({ states: ['RUNNING', 'QUEUED'] })).runs.map((r) => r.taskId)).toEqual(['t0', 't3']);
      expect((await store.runs.list({ states: ['RUNNING', 'FINISHED'] })).runs.map((r) => r.taskId)).toEqual(['t3', 't5']);
    } finally {
      await store.close();
    }
  }, 30_000);
});
