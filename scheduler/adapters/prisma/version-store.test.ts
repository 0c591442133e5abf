/**
 * The job_versions store on the real PostgreSQL and embedded PGlite, beside the in-memory one (the same contract):
 * numbering per job across batches and deletes, each version reading as the job it recorded (the
 * latest through the jobs table, older ones from the snapshot written when they were superseded),
 * pruning to the kept number, and the deleted jobs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJob } from '../../api/job-schema';
import { versionOf } from '../../core/job-version';
import type { Job } from '../../core/types';
import type { Store } from '../../ports';
import { MemoryStore } from '../../testing/memory-store';
import { createStore, type PrismaStore } from './index';
import { createTestDatabase, type TestDatabase } from './test-support';

const AT = Date.parse('2026-12-07T12:00:00Z');
const job = (name: string, command: string): Job => {
  const r = parseJob({ name, command, schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: AT });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

let db: TestDatabase;
let prisma: PrismaStore;
/** The embedded default (no DATABASE_URL) runs the same SQL. */
let pglite: PrismaStore;
const dataDir = mkdtempSync(path.join(tmpdir(), 'sisyphus-versions-'));

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_version_store');
  prisma = await createStore({ databaseUrl: db.url, poolSize: 2, versionsKept: 3 });
  pglite = await createStore({ databaseUrl: '', dataDir, versionsKept: 3 });
}, 120_000);
afterAll(async () => {
  await prisma?.close();
  await pglite?.close();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A job write and its versions in one transaction, as the job writes do. */
async function write(store: Store, changes: Array<[Job | null, Job | null]>): Promise<number[]> {
  return store.transaction(async (tx) => {
    for (const [previous, next] of changes) {
      if (next) await tx.jobs.put(next);
      else await tx.jobs.delete(previous!.name);
    }
    return tx.versions.add(changes.map(([previous, next]) => versionOf(previous, next, { by: 'ops' }, AT)));
  });
}

describe.each([
  ['PostgreSQL', () => prisma as Store],
  ['PGlite', () => pglite as Store],
  ['memory', () => new MemoryStore({ versionsKept: 3 }) as Store],
])('job versions (%s)', (_, storeOf) => {
  it('numbers per job, even twice in one batch; every version reads as the job it recorded', async () => {
    const store = storeOf();
    const [a1, a2, a3] = [job('vs-a', 'one'), job('vs-a', 'two'), job('vs-a', 'three')];
    expect(await write(store, [[null, a1], [a1, a2]])).toEqual([1, 2]);
    expect(await write(store, [[a2, a3]])).toEqual([3]);
    expect((await store.versions.get('vs-a', 1))?.job.command).toBe('one');
    expect((await store.versions.get('vs-a', 2))?.job.command).toBe('two');
    expect((await store.versions.get('vs-a', 3))).toMatchObject({ kind: 'update', by: 'ops', job: { command: 'three' } });
    expect((await store.versions.list('vs-a', 10)).map((v) => [v.n, v.kind, v.job.command])).toEqual([
      [3, 'update', 'three'],
      [2, 'update', 'two'],
      [1, 'create', 'one'],
    ]);
  });

  it('keeps the last 3 versions of a job; a deleted job keeps its history and is listed until re-created', async () => {
    const store = storeOf();
    let prev: Job | null = null;
    for (let i = 1; i <= 5; i++) {
      const next = job('vs-b', `v${i}`);
      await write(store, [[prev, next]]);
      prev = next;
    }
    expect((await store.versions.list('vs-b', 10)).map((v) => v.n)).toEqual([5, 4, 3]);
    await write(store, [[prev, null]]);
    const [deleted] = (await store.versions.deleted(10)).filter((d) => d.name === 'vs-b');
    expect(deleted).toMatchObject({ n: 6, by: 'ops', job: { command: 'v5' } });
    // the version before the delete still reads as the job it was
    expect((await store.versions.get('vs-b', 5))?.job.command).toBe('v5');
    await write(store, [[null, job('vs-b', 'again')]]);
    expect((await store.versions.deleted(10)).map((d) => d.name)).not.toContain('vs-b');
    expect((await store.versions.list('vs-b', 1))[0]).toMatchObject({ n: 7, kind: 'create', job: { command: 'again' } });
    expect((await store.versions.get('vs-b', 5))?.job.command).toBe('v5');
  });
});

describe('job versions under concurrent writers (PostgreSQL)', () => {
  it('ten transactions changing one job at once take ten different numbers', async () => {
    const first = job('vs-race', 'c0');
    await write(prisma, [[null, first]]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => write(prisma, [[first, job('vs-race', `c${i + 1}`)]])),
    );
    expect(results.flat().sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
