/**
 * The run store's reads for the run page and the timeline on PostgreSQL: a job's runs for one
 * instant (RunStore.forInstant) and the runs queued long after their due instant
 * (RunStore.queuedLate), each answered through its partial index on a table of many runs.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { Instant } from '../../core/types';
import type { NewRun } from '../../ports';
import { useTestStore } from './use-test-store';

const pg = useTestStore(undefined, { poolSize: 2 });

beforeEach(async () => {
  await pg.db.query('TRUNCATE runs RESTART IDENTITY');
});

const T0: Instant = Date.UTC(2024, 2, 10, 9, 30, 0, 123);
const MIN = 60_000;

function newRun(jobName: string, due: Instant, attempt = 0, extra: Partial<NewRun> = {}): NewRun {
  return { jobName, due, attempt, taskId: `ct:${due}:${attempt}:${jobName}:`, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: due + 5, ...extra };
}

describe('runs', () => {
  test("forInstant: a job's runs for one instant (due then, or naming it), first created first, through the partial index", async () => {
    const DAY = 24 * 60 * MIN;
    await pg.store.runs.createMany([
      newRun('a', T0, 0),
      newRun('a', T0 + 5 * MIN, 1, { trigger: 'retry', intendedDue: T0 }),
      newRun('a', T0 + DAY, 0),
      newRun('a', T0 + 7 * DAY, 0, { trigger: 'dependency', intendedDue: T0 }),
      newRun('a', T0 + 2 * DAY, 0, { trigger: 'retry', intendedDue: T0 + DAY }),
      newRun('b', T0, 0),
    ]);
    const at = async (job: string, t: Instant) => (await pg.store.runs.forInstant(job, t)).map((r) => `${(r.due - T0) / MIN}:${r.attempt}`);
    expect(await at('a', T0)).toEqual(['0:0', '5:1', `${(7 * DAY) / MIN}:0`]);
    expect(await at('a', T0 + DAY)).toEqual([`${DAY / MIN}:0`, `${(2 * DAY) / MIN}:0`]);
    expect(await at('a', T0 + 1)).toEqual([]);
    // a job with years of minutely runs: the instant's runs are found by index, not by reading the job's runs
    await pg.db.query(`INSERT INTO runs (job_name, due, attempt, task_id, trigger, state, queued_at)
      SELECT 'a', 'epoch'::timestamptz + g * interval '1 minute', 0, 'ct:' || g || ':0:a:', 'schedule', 'FINISHED', 'epoch'::timestamptz + g * interval '1 minute'
        FROM generate_series(1, 20000) AS g`);
    await pg.db.query('ANALYZE runs');
    const plan = await pg.db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT * FROM runs WHERE job_name = 'a' AND ((due = now() AND intended_due IS NULL) OR intended_due = now())`,
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on runs_job_name_intended_due_idx/);
  });

  test('queuedLate: runs queued more than 6 h after their due instant, in a queue-time window, newest first, through the partial index', async () => {
    const H = 60 * MIN;
    await pg.store.runs.createMany([
      newRun('a', T0, 0, { queuedAt: T0 + 10 * H, trigger: 'backfill' }),
      newRun('a', T0 + H, 0, { queuedAt: T0 + 11 * H, trigger: 'manual' }),
      newRun('b', T0 + 2 * H, 0, { queuedAt: T0 + 8 * H + 1, trigger: 'backfill' }),
      newRun('a', T0 + 9 * H, 0, { queuedAt: T0 + 9 * H }), // on time
      newRun('a', T0 + 5 * H, 0, { queuedAt: T0 + 11 * H - 1, trigger: 'manual' }), // just under 6 h late
    ]);
    const dues = async (f: Parameters<typeof pg.store.runs.queuedLate>[0]) => (await pg.store.runs.queuedLate(f)).map((r) => `${r.jobName}@${(r.due - T0) / H}`);
    expect(await dues({ from: T0, limit: 10 })).toEqual(['a@1', 'a@0', 'b@2']);
    expect(await dues({ from: T0 + 9 * H, to: T0 + 11 * H, limit: 10 })).toEqual(['a@0']);
    expect(await dues({ from: T0, jobName: 'b', limit: 10 })).toEqual(['b@2']);
    expect(await dues({ from: T0, states: ['FAILED'], limit: 10 })).toEqual([]);
    expect(await dues({ from: T0, limit: 1 })).toEqual(['a@1']);
    await pg.db.query(`INSERT INTO runs (job_name, due, attempt, task_id, trigger, state, queued_at)
      SELECT 'c', 'epoch'::timestamptz + g * interval '1 minute', 0, 'ct:' || g || ':0:c:', 'schedule', 'FINISHED', 'epoch'::timestamptz + g * interval '1 minute'
        FROM generate_series(1, 20000) AS g`);
    await pg.db.query('ANALYZE runs');
    const plan = await pg.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM runs WHERE "queued_at" - "due" > interval '6 hours' AND queued_at >= now()`);
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/runs_queued_late_idx/);
  });
});
