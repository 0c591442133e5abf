/**
 * The backfill store keeps one contract in memory, on PostgreSQL and on embedded PGlite (what
 * `npm start` uses without DATABASE_URL): the same cases against each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { backfillItems } from '../core/backfill-plan';
import type { NewBackfill, Store } from '../ports';
import { MemoryStore } from './memory-store';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const N1 = Date.parse('2026-12-01T02:00:00Z');
const N2 = Date.parse('2026-12-02T02:00:00Z');
const jobs = [
  { name: 'a', parents: [] },
  { name: 'b', parents: ['a'] },
];
const backfill = (job: string): NewBackfill => ({ job, from: N1 - 1000, to: N2 + 1000, downstream: true, concurrency: 2, force: false, jobs, disabled: ['off'], createdAt: NOW });

let db: TestDatabase;
let prisma: PrismaStore;
let embedded: PrismaStore | null = null;
const dataDir = mkdtempSync(path.join(tmpdir(), 'sisyphus-backfill-pglite-'));
beforeAll(async () => {
  db = await createTestDatabase('sisyphus_backfill_contract');
  prisma = await createStore({ databaseUrl: db.url });
});
afterAll(async () => {
  await prisma?.close();
  await embedded?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<Store>]> = [
  ['MemoryStore', async () => new MemoryStore()],
  [
    'PrismaStore (PostgreSQL)',
    async () => {
      await db.query('TRUNCATE backfills, backfill_items RESTART IDENTITY');
      return prisma;
    },
  ],
  [
    'PrismaStore (embedded PGlite)',
    // databaseUrl '' forces the embedded path even when DATABASE_URL is set
    async () => (embedded ??= await createStore({ databaseUrl: '', dataDir })),
  ],
];

describe.each(stores)('%s', (_, fresh) => {
  it('create, items, counts, list newest first and open only, state moves only from the states named', { timeout: 120_000 }, async () => {
    const s = await fresh();
    const items = backfillItems(jobs, [N1, N2], false, (j, due) => (j === 'a' && due === N1 ? 0 : null));
    const first = await s.backfills.create(backfill('a'), items);
    expect(first).toMatchObject({ job: 'a', from: N1 - 1000, to: N2 + 1000, state: 'running', concurrency: 2, downstream: true, force: false, jobs, disabled: ['off'], createdAt: NOW, total: 4 });
    expect(first.counts).toEqual({ pending: 3, running: 0, succeeded: 0, failed: 0, skipped: 1, blocked: 0, cancelled: 0 });
    expect(await s.backfills.items(first.id)).toEqual(items);

    await s.backfills.updateItems(first.id, [{ seq: 1, state: 'running', taskId: 'ct:1:0:b:' }, { seq: 2, state: 'failed', note: 'FAILED: exit 1' }], NOW + 5);
    const after = await s.backfills.items(first.id);
    expect(after[1]).toMatchObject({ state: 'running', taskId: 'ct:1:0:b:', note: null });
    expect(after[2]).toMatchObject({ state: 'failed', taskId: null, note: 'FAILED: exit 1' });
    // a change that leaves taskId out keeps it
    await s.backfills.updateItems(first.id, [{ seq: 1, state: 'succeeded' }], NOW + 6);
    expect((await s.backfills.items(first.id))[1]).toMatchObject({ state: 'succeeded', taskId: 'ct:1:0:b:' });
    expect((await s.backfills.get(first.id))!.updatedAt).toBe(NOW + 6);

    const second = await s.backfills.create(backfill('b'), []);
    expect((await s.backfills.list({})).map((b) => b.id)).toEqual([second.id, first.id]);
    expect((await s.backfills.list({ job: 'a' })).map((b) => b.id)).toEqual([first.id]);
    expect(await s.backfills.setState(first.id, 'running', ['paused'], NOW + 7)).toBe(false);
    expect(await s.backfills.setState(first.id, 'done', ['running', 'paused'], NOW + 7)).toBe(true);
    expect((await s.backfills.list({ open: true })).map((b) => b.id)).toEqual([second.id]);
    expect(await s.backfills.get('12345')).toBeNull();
    expect(await s.backfills.get('not-a-number')).toBeNull();
  });
});
