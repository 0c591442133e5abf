/**
 * A test file's own PostgreSQL database and store over it (test-support.ts): created before the
 * file's first test, closed and dropped after its last; or, with useFreshDatabases, a new database
 * per test, all dropped after the last. Not used by the product.
 *
 *   const pg = useTestStore('sisyphus_prepared');
 *   it('…', async () => { await pg.store.jobs.put(…); await pg.db.query('SELECT …'); });
 */
import { afterAll, beforeAll } from 'vitest';
import { createStore, type CreateStoreOptions } from './create-store';
import type { PrismaStore } from './store';
import { createTestDatabase, type TestDatabase } from './test-support';

export interface TestStore {
  /** The throwaway database (a plain pg client on it for raw checks); set once the file's tests run. */
  readonly db: TestDatabase;
  /** The store over it, migrated; set once the file's tests run. */
  readonly store: PrismaStore;
}

/** Registers the file's beforeAll/afterAll; `options`: the store's, besides the database URL. */
export function useTestStore(prefix?: string, options: Omit<CreateStoreOptions, 'databaseUrl'> = {}): TestStore {
  let db: TestDatabase | undefined;
  let store: PrismaStore | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(prefix);
    store = await createStore({ ...options, databaseUrl: db.url });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });
  const unset = (what: string): never => {
    throw new Error(`useTestStore: the ${what} exists only while the file's tests run (after beforeAll)`);
  };
  return {
    get db() {
      return db ?? unset('database');
    },
    get store() {
      return store ?? unset('store');
    },
  };
}

/**
 * For a file whose tests each want a database of their own (migrations from nothing, upgrades):
 * registers the file's afterAll and returns the maker; every database it made is dropped then.
 *
 *   const freshDb = useFreshDatabases();
 *   it('…', async () => { const db = await freshDb(); … });
 */
export function useFreshDatabases(prefix?: string): () => Promise<TestDatabase> {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });
  return async () => {
    const db = await createTestDatabase(prefix);
    dbs.push(db);
    return db;
  };
}
