/**
 * Where a new leader's load goes at scale: N jobs and U RUNNING runs in a fresh bench database,
 * then each part of the worker's load timed alone (jobs query + parse, edges, active runs, a warm
 * standby's read of the unfinished runs after a first one), and the whole Worker.start.
 * `npx tsx bench/probe-takeover-load.ts [N] [U]`.
 */
import { createStore } from '../scheduler/adapters/prisma';
import { Worker } from '../scheduler/runtime/worker';
import { systemClock } from '../scheduler/runtime/system-clock';
import { makeJob, putJobs } from './lib/internal';
import { createBenchDb } from './lib/services';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const u = Number(process.argv[3] ?? 10_000);
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  try {
    const jobs = Array.from({ length: n }, (_, i) =>
      makeJob({
        name: `p-${String(i).padStart(6, '0')}`,
        command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
        schedule: i < u ? 'R1/2026-01-01T00:00:00Z/PT1H' : `R/2100-01-01T00:00:00Z/P${1 + (i % 5)}D`,
        cpus: 0.5,
        mem: 256,
      }),
    );
    await putJobs(store, jobs, 'probe');
    await db.query(
      `INSERT INTO runs (job_name, due, attempt, task_id, trigger, state, queued_at, launched_at, started_at, agent_id, host)
       SELECT 'p-' || lpad(g::text, 6, '0'), '2026-01-01T00:00:00Z', 0, 'ct:1767225600000:0:p-' || lpad(g::text, 6, '0') || ':', 'schedule', 'RUNNING', now(), now(), now(), 'agent-' || (g % 250), 'host'
         FROM generate_series(0, $1 - 1) g`,
      [u],
    );
    const t = async (label: string, fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      console.log(label, Math.round(performance.now() - t0), 'ms');
    };
    for (let rep = 0; rep < 2; rep++) {
      await t('jobs.list', () => store.jobs.list());
      await t('edges.load', () => store.edges.load());
      await t('runs.listActive', () => store.runs.listActive());
      // a warm standby's read (standby-runs.ts): the first reads every run whole, the next only those written since
      const first = await store.runs.listActiveKeeping!(null);
      const held = { runs: new Map(first.runs.map((r) => [r.id, r])), versions: first.versions };
      await t('runs.listActiveKeeping (nothing written since the last read)', () => store.runs.listActiveKeeping!(held));
      await t('Worker.start (whole load)', async () => {
        const w = new Worker({ store, clock: systemClock });
        await w.start();
        w.stop();
      });
    }
  } finally {
    await store.close();
    await db.drop();
  }
}
void main();
