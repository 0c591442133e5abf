/**
 * Throwaway PostgreSQL databases for the adapter's tests: one fresh database per test file on the
 * local server (SISYPHUS_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres), so
 * test files running in parallel never see each other's rows. Not used by the product.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testDatabaseServerUrl } from '../../config';

export const ADMIN_URL = testDatabaseServerUrl();

export interface TestDatabase {
  name: string;
  url: string;
  /** A plain pg client on the test database, for introspection and raw checks. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function admin(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 20_000 });
  try {
    await client.connect();
  } catch (e) {
    const where = ADMIN_URL.replace(/\/\/[^@]*@/, '//');
    throw new Error(
      `PostgreSQL is not reachable at ${where} (${(e as Error).message}); start it with: pg_ctlcluster 15 main start`,
    );
  }
  return client;
}

export async function createTestDatabase(prefix = 'sisyphus_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const a = await admin();
  try {
    await a.query(`CREATE DATABASE "${name}"`);
  } finally {
    await a.end();
  }
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  let client: pg.Client | null = null;
  return {
    name,
    url,
    async query(sql, params) {
      if (!client) {
        client = new pg.Client({ connectionString: url });
        client.on('notice', () => {});
        await client.connect();
      }
      return (await client.query(sql, params)).rows;
    },
    async drop() {
      if (client) await client.end().catch(() => {});
      const b = await admin();
      try {
        await b.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await b.end();
      }
    },
  };
}
