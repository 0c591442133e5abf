/**
 * The timeline draws a run when it ran, and names the instant it ran for: a backfill run for a
 * night a month ago, queued this morning, is in this morning's window (a read by due instant alone
 * missed it), once, and its label says "for 2026-11-03 00:00 UTC, backfill". Over the in-memory
 * store and PostgreSQL (RunStore.queuedLate and its partial index).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeTimeline, purposeOf, spanOf } from './model';
import { createStore, type PrismaStore } from '../../../scheduler/adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../../../scheduler/adapters/prisma/test-support';
import { formatTaskId } from '../../../scheduler/core/taskid';
import type { RunTrigger } from '../../../scheduler/core/types';
import type { Store } from '../../../scheduler/ports';
import { MemoryStore } from '../../../scheduler/testing/memory-store';
import { TestClock } from '../../../scheduler/testing/test-clock';
import { RunsService } from '../../../scheduler/api/runs-service';

const H = 3_600_000;
const NOW = Date.parse('2026-12-07T09:00:00Z');
const NOV3 = Date.parse('2026-11-03T00:00:00Z');
const NIGHT = Date.parse('2026-12-06T02:00:00Z');
/** This morning, 05:00–09:00. */
const FROM = NOW - 4 * H;

let db: TestDatabase | undefined;
let pg: PrismaStore | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
  pg = await createStore({ databaseUrl: db.url, poolSize: 2 });
});
afterAll(async () => {
  await pg?.close();
  await db?.drop();
});

describe.each([
  { name: 'memory', store: (): Store => new MemoryStore() },
  { name: 'postgres', store: (): Store => pg! },
])('timeline of late runs ($name)', ({ store: make }) => {
  let store: Store;
  let svc: RunsService;
  beforeEach(async () => {
    store = make();
    if (store === pg) await db!.query('TRUNCATE runs RESTART IDENTITY');
    svc = new RunsService({ store, clock: new TestClock(NOW) });
  });

  const mk = async (job: string, due: number, queuedAt: number, trigger: RunTrigger, intendedDue?: number) => {
    const taskId = formatTaskId(due, 0, job, '');
    await store.runs.create({ jobName: job, due, attempt: 0, taskId, arguments: '', trigger, highPriority: false, queuedAt, intendedDue });
    await store.runs.update(taskId, { state: 'FINISHED', startedAt: queuedAt + 1000, finishedAt: queuedAt + 61_000 });
    return taskId;
  };

  it('draws a backfill run, and a run downstream of a rerun of an old night, when they ran, naming the instant they ran for', async () => {
    const backfill = await mk('transcode', NOV3, NOW - H, 'backfill');
    const downstream = await mk('publish', NOW - 2 * H, NOW - 2 * H, 'dependency', NIGHT);
    const scheduled = await mk('transcode', NOW - 3 * H, NOW - 3 * H, 'schedule');
    // queued long after its instant, but before the window (and its lookback): not drawn
    await mk('transcode', NOV3 + 86_400_000, FROM - 7 * H, 'backfill');

    const page = await svc.timeline(new URLSearchParams({ from: String(FROM), to: String(NOW) }));
    const runs = decodeTimeline(page);
    expect(runs.map((r) => r.taskId).sort()).toEqual([backfill, downstream, scheduled].sort());
    const by = (t: string) => runs.find((r) => r.taskId === t)!;
    // the bar is at when it ran
    expect(spanOf(by(backfill), NOW)).toEqual({ waitFrom: NOW - H, waitTo: NOW - H + 1000, runFrom: NOW - H + 1000, runTo: NOW - H + 61_000 });
    // its label names the instant it is for, and why it ran
    expect(purposeOf(by(backfill), 'UTC')).toBe('for 2026-11-03 00:00 UTC, backfill');
    expect(purposeOf(by(downstream), 'UTC')).toBe('for 2026-12-06 02:00 UTC, dependency');
    expect(purposeOf(by(scheduled), 'UTC')).toBeNull();
  });

  it('sends a late run once, with the first page, whatever the cursor pages read by due', async () => {
    // due inside the lookback, queued 7 h after it: both reads find it
    const late = await mk('transcode', FROM - 3 * H, FROM + 4 * 60_000, 'backfill');
    for (let i = 0; i < 3; i++) await mk(`s${i}`, FROM + i * H, FROM + i * H, 'schedule');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: URLSearchParams = new URLSearchParams({ from: String(FROM), to: String(NOW), limit: '2', ...(cursor ? { cursor } : {}) });
      const page = await svc.timeline(q);
      seen.push(...decodeTimeline(page).map((r) => r.taskId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.filter((t) => t === late)).toHaveLength(1);
    expect(seen).toHaveLength(4);
  });
});
