/**
 * Seeds the UI benchmark's database: the generated jobs (seed-data.ts) with the Chronos counters
 * their runs give them, their dependency edges and exactly R runs (trimmed at random), written
 * through pg with multi-row INSERT … SELECT FROM unnest(…) (10,000 rows a statement).
 */
import pg from 'pg';
import { loadMigrations, migratePostgres } from '../../../scheduler/adapters/prisma/migrate';
import { fmt, progress, rng } from '../util';
import { makeJobs, makeRuns } from './seed-data';

export interface SeedInfo {
  jobs: number;
  runs: number;
  heavyJob: string;
  heavyRuns: number;
  focusJob: string;
  editJob: string;
  searchQuery: string;
  liveJobs: string[];
}

/** Seeds jobs, edges and runs into a migrated database through plain pg. */
export async function seedUi(dbUrl: string, nJobs: number, nRuns: number, now: number): Promise<SeedInfo> {
  const rand = rng(5);
  progress('ui seed: building jobs');
  const { jobs, focusJob, heavy, live } = makeJobs(nJobs, now, rand);
  progress('ui seed: building runs');
  let runs = makeRuns(jobs, now, rand);
  if (runs.length > nRuns) {
    // drop at random down to exactly nRuns (keeps the spread over the week)
    for (let i = runs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [runs[i], runs[j]] = [runs[j], runs[i]];
    }
    runs = runs.slice(0, nRuns);
  }
  runs.sort((a, b) => a.due - b.due || a.attempt - b.attempt);
  // the jobs' Chronos bookkeeping from their runs
  const byName = new Map(jobs.map((s) => [s.job.name, s.job]));
  for (const r of runs) {
    const j = byName.get(r.job)!;
    const at = new Date(r.finished).toISOString();
    if (r.state === 'FINISHED') {
      j.successCount++;
      j.lastSuccess = at;
      j.errorsSinceLastSuccess = 0;
    } else if (r.state === 'FAILED' || r.state === 'LOST') {
      j.errorCount++;
      j.lastError = at;
      j.errorsSinceLastSuccess++;
    }
  }

  await migratePostgres(dbUrl, loadMigrations());
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const B = 2000;
    for (let i = 0; i < jobs.length; i += B) {
      const batch = jobs.slice(i, i + B).map((s) => s.job);
      await c.query(
        `INSERT INTO jobs (name, command, data, version, updated_at)
         SELECT e->>'name', coalesce(e->>'command', ''), e, 1, now() FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(batch)],
      );
      progress(`ui seed: jobs ${fmt(Math.min(jobs.length, i + B))}/${fmt(jobs.length)}`);
    }
    const edges = jobs.flatMap((s) => (s.parents ?? []).map((p) => [s.job.name, p]));
    for (let i = 0; i < edges.length; i += 10_000) {
      const e = edges.slice(i, i + 10_000);
      await c.query(`INSERT INTO dependency_edges (child, parent, count) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`, [
        e.map((x) => x[0]),
        e.map((x) => x[1]),
        e.map(() => 0),
      ]);
    }
    const R = 10_000;
    const iso = (t: number) => new Date(t).toISOString();
    for (let i = 0; i < runs.length; i += R) {
      const b = runs.slice(i, i + R);
      await c.query(
        `INSERT INTO runs (job_name, due, attempt, task_id, arguments, trigger, high_priority, state, queued_at, launched_at, started_at, finished_at, agent_id, host, message, reason)
         SELECT j, d, a, t, '', tr, false, s, d, l, st, f, h, h, m, r
           FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $12::text[])
             AS x(j, d, a, t, tr, s, l, st, f, h, m, r)`,
        [
          b.map((r) => r.job),
          b.map((r) => iso(r.due)),
          b.map((r) => r.attempt),
          b.map((r) => `ct:${r.due}:${r.attempt}:${r.job}:`),
          b.map((r) => r.trigger),
          b.map((r) => r.state),
          b.map((r) => iso(r.launched)),
          b.map((r) => iso(r.started)),
          b.map((r) => iso(r.finished)),
          b.map((r) => r.host),
          b.map((r) => r.message),
          b.map((r) => r.reason),
        ],
      );
      progress(`ui seed: runs ${fmt(Math.min(runs.length, i + R))}/${fmt(runs.length)}`);
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  const heavyRuns = runs.filter((r) => r.job === heavy[0]).length;
  const editJob = jobs.find((s) => s.parents && s.parents.length > 1)?.job.name ?? jobs[jobs.length - 1].job.name;
  return { jobs: jobs.length, runs: runs.length, heavyJob: heavy[0], heavyRuns, focusJob, editJob, searchQuery: 'backup-ops', liveJobs: live };
}
