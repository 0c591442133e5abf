/**
 * The embedded path (no DATABASE_URL): PGlite in a temporary data directory, end to end, and
 * persistence across a reopen. PGlite's first open runs initdb in WebAssembly (a few seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import type { Job } from '../../core/types';
import { createStore, pgliteDir } from './create-store';
import { loadMigrations } from './migrate';

const dataDir = mkdtempSync(path.join(tmpdir(), 'sisyphus-pglite-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const job = { name: 'embedded.job', command: 'echo Embedded', schedule: 'R/2024-01-01T00:00:00Z/PT1H' } as Job;
const DUE = Date.UTC(2024, 0, 1, 0, 0, 0, 7);

// PGlite's initdb is CPU-bound WebAssembly: ~5 s on an idle 2-CPU machine, several times that
// when the machine is busy, hence the generous timeout.
test('embedded PGlite: migrate, store jobs and runs, and keep them across a reopen', { timeout: 120_000 }, async () => {
  // databaseUrl '' forces the embedded path even when DATABASE_URL is set in the environment.
  const first = await createStore({ databaseUrl: '', dataDir });
  try {
    await first.jobs.put(job);
    expect(await first.jobs.get(job.name)).toEqual(job);
    expect((await first.jobs.search({ command: 'EMBED' })).map((j) => j.name)).toEqual([job.name]);
    const run = await first.runs.create({
      jobName: job.name,
      due: DUE,
      attempt: 0,
      taskId: `ct:${DUE}:0:${job.name}:`,
      arguments: '',
      trigger: 'schedule',
      highPriority: false,
      queuedAt: DUE + 1,
    });
    expect(run).toMatchObject({ due: DUE, state: 'QUEUED' });
    expect(await first.runs.create({ ...run!, state: 'QUEUED' })).toBeNull();
    await first.runs.updateMany([{ taskId: run!.taskId, patch: { state: 'RUNNING', startedAt: DUE + 2 } }]);
    // a run's timeline (jsonb insert, the grouped trim with an array parameter) on PGlite too
    const ev = (i: number) => ({ taskId: run!.taskId, at: DUE + i, state: 'TASK_RUNNING', reason: null, message: `#${i}`, source: 'SOURCE_AGENT', agentId: 'a1', mesosAt: DUE + i + 0.4 });
    await first.runs.addEvents(Array.from({ length: 55 }, (_, i) => ev(i)));
    const events = await first.runs.events(run!.taskId);
    expect(events).toHaveLength(50);
    expect(events[0]).toEqual({ ...ev(5), mesosAt: DUE + 5 });
    await first.edges.set('c', 'p', 2);
    await first.framework.setFrameworkId('fw-embedded');
    await first.transaction(async (tx) => {
      await tx.jobs.apply({ put: [{ ...job, name: 'second' }] });
    });
    const trgm = await first.prisma.$queryRaw<{ indexdef: string }[]>`
      SELECT indexdef FROM pg_indexes WHERE indexname = 'jobs_name_search_idx'`;
    expect(trgm[0].indexdef).toMatch(/gin_trgm_ops/);
  } finally {
    await first.close();
  }

  const reopened = await createStore({ databaseUrl: '', dataDir });
  try {
    expect(await reopened.jobs.get(job.name)).toEqual(job);
    expect(await reopened.jobs.count()).toBe(2);
    expect(await reopened.runs.listActive()).toMatchObject([
      { taskId: `ct:${DUE}:0:${job.name}:`, state: 'RUNNING', startedAt: DUE + 2 },
    ]);
    // the runs list (one json_agg query, array parameter) reads the same on PGlite
    expect((await reopened.runs.list({ states: ['RUNNING'], from: DUE, to: DUE + 1 })).runs).toEqual(await reopened.runs.listActive());
    expect(await reopened.edges.load()).toEqual(new Map([['c', new Map([['p', 2]])]]));
    expect(await reopened.framework.getFrameworkId()).toBe('fw-embedded');
    const applied = await reopened.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM _prisma_migrations`;
    expect(Number(applied[0].n)).toBe(loadMigrations().length);
    // the notifications outbox's SQL (claim with SKIP LOCKED, row-value IN) runs on PGlite too
    await reopened.notifications.add([{ channel: 'slack', recipient: '', event: { kind: 'failed', job: job.name, at: DUE, owners: [], run: null, detail: 'd' } }], DUE, 0);
    const [claimed] = await reopened.notifications.claim(DUE, 1_000, 10);
    expect(claimed).toMatchObject({ channel: 'slack', state: 'sending', nextAt: DUE + 1_000 });
    await reopened.notifications.settle([{ id: claimed.id, state: 'sent', attempted: true, at: DUE + 5 }]);
    expect(await reopened.notifications.sentSince(DUE)).toEqual([{ job: job.name, kind: 'failed', channel: 'slack', recipient: '' }]);
    const run = { taskId: 't-long', due: DUE, attempt: 0, state: 'RUNNING' as const, queuedAt: DUE, startedAt: DUE, finishedAt: null, agentId: null, host: null, message: null, reason: null };
    await reopened.notifications.add([{ channel: 'slack', recipient: '', event: { kind: 'still-running', job: job.name, at: DUE, owners: [], run, detail: 'd' } }], DUE, 0);
    expect([...(await reopened.notifications.notifiedRuns('still-running', ['t-long', 't-other']))]).toEqual(['t-long']);
  } finally {
    await reopened.close();
  }
  expect(pgliteDir({ dataDir })).toBe(path.join(dataDir, 'pglite'));
});
