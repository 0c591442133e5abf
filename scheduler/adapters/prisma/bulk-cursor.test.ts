/**
 * The store's bulk reads in chunks (bulk-cursor.ts) against the real local PostgreSQL: every job,
 * in name order, exactly as one statement read them; one snapshot, so a write landing between two
 * chunks is not half seen; a failed statement leaves the pool usable.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import pg from 'pg';
import type { Job } from '../../core/types';
import { bulkCursorReader } from './bulk-cursor';
import { createStore } from './create-store';
import type { PrismaStore } from './store';
import { createTestDatabase, type TestDatabase } from './test-support';

let db: TestDatabase;
let store: PrismaStore;
let pool: pg.Pool;

/** More than two of the job store's chunks (2,000 rows each). */
const N = 4_500;
const job = (i: number) => ({ name: `job-${String(i).padStart(5, '0')}`, command: `echo ${i}`, owner: 'ops@example.com', schedule: 'R/2026-11-25T03:00:00Z/PT1H', fetch: [], uris: [] }) as unknown as Job;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_bulkcursor');
  store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // written in reverse: the list's order comes from the name, not from how the rows were written
  await store.jobs.apply({ put: Array.from({ length: N }, (_, i) => job(N - 1 - i)) });
});

afterAll(async () => {
  await pool?.end();
  await store?.close();
  await db?.drop();
});

test('list() reads every job in name order, as one statement reads them', async () => {
  const listed = await store.jobs.list();
  const whole = await db.query<{ d: string }>('SELECT "data"::text AS d FROM "jobs" ORDER BY "name"');
  expect(listed.length).toBe(N);
  expect(JSON.stringify(listed)).toBe(JSON.stringify(whole.map((r) => JSON.parse(r.d))));
  // changes(null) (a standby's first read) holds the same jobs, in no particular order
  expect((await store.jobs.changes!(null)).put.map((j) => j.name).sort()).toEqual(listed.map((j) => j.name));
});

test('rows come in chunks of one snapshot: a write between two chunks is not seen', async () => {
  const read = bulkCursorReader(pool);
  const names: string[] = [];
  let chunks = 0;
  await read<{ name: string }>('SELECT "name" FROM "jobs" ORDER BY "name"', 1000, async (rows) => {
    if (chunks++ === 0) await store.jobs.apply({ put: [job(99_999)], delete: [job(N - 1).name] });
    for (const r of rows) names.push(r.name);
  });
  expect(chunks).toBe(Math.ceil(N / 1000));
  expect(names).toEqual(Array.from({ length: N }, (_, i) => job(i).name));
  // the next read sees the write
  const after: string[] = [];
  await read<{ name: string }>('SELECT "name" FROM "jobs" ORDER BY "name"', 1000, (rows) => void after.push(...rows.map((r) => r.name)));
  expect(after.at(-1)).toBe(job(99_999).name);
  expect(after).not.toContain(job(N - 1).name);
});

test('a statement PostgreSQL refuses is an error, and the pool goes on', async () => {
  const read = bulkCursorReader(pool);
  await expect(read('SELECT nope FROM "jobs"', 10, () => {})).rejects.toThrow(/nope/);
  for (let i = 0; i < 3; i++) {
    let n = 0;
    await read<{ n: string }>('SELECT count(*)::text AS n FROM "jobs"', 10, (rows) => void (n = Number(rows[0].n)));
    expect(n).toBe(N);
  }
});

test('a row count that fills the last batch exactly, and a short last batch, both read every row once', async () => {
  const read = bulkCursorReader(pool);
  for (const batch of [900, 1000, N, N + 1]) {
    const names: string[] = [];
    let chunks = 0;
    await read<{ name: string }>('SELECT "name" FROM "jobs" ORDER BY "name"', batch, (rows) => {
      chunks++;
      for (const r of rows) names.push(r.name);
    });
    expect(chunks).toBe(Math.ceil(N / batch));
    expect(names.length).toBe(N);
    expect(new Set(names).size).toBe(N);
  }
});

test('a reader that fails while the next batch is on its way: its error, and the pool goes on', async () => {
  const read = bulkCursorReader(pool);
  let chunks = 0;
  await expect(
    read('SELECT "name" FROM "jobs" ORDER BY "name"', 1000, () => {
      if (++chunks === 2) throw new Error('reader failed');
    }),
  ).rejects.toThrow('reader failed');
  expect(chunks).toBe(2);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM "jobs"');
  expect(Number(rows[0].n)).toBeGreaterThan(0);
  let n = 0;
  await read<{ name: string }>('SELECT "name" FROM "jobs"', 1000, (r) => void (n += r.length));
  expect(n).toBe(Number(rows[0].n));
});
