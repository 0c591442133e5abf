/**
 * `npx tsx bench/probe-burst-reps.ts [N] [REPS]`: the first burst against the next ones, in one
 * process (no Next.js, no peers): REPS bursts of N immediate jobs, each timed, on one database.
 */
import { startLocalCluster } from '../scheduler/testing/local-cluster';
import { pool } from './lib/util';

const N = Number(process.argv[2] ?? 500);
const REPS = Number(process.argv[3] ?? 3);

async function burst(c: Awaited<ReturnType<typeof startLocalCluster>>, prefix: string, n: number): Promise<string> {
  const t0 = performance.now();
  await pool(n, 16, async (i) => {
    await c.api.upsertIso8601({ name: `${prefix}${i}`, command: 'true', shell: false, schedule: 'R1//PT1H', epsilon: 'PT1H', cpus: 0.1, mem: 32 });
  });
  const posted = performance.now() - t0;
  for (;;) {
    const [row] = await c.store.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM runs WHERE state = 'FINISHED' AND job_name LIKE '${prefix}%'`);
    if (Number(row.n) >= n) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const all = performance.now() - t0;
  return `POSTs ${(posted / 1000).toFixed(2)} s, all ${(all / 1000).toFixed(2)} s = ${Math.round((n / all) * 1000)} runs/s`;
}

async function main(): Promise<void> {
  const c = await startLocalCluster({ dbPrefix: 'sisyphus_probe', mesos: { scale: { agents: 20, taskDurationMs: 0 } } });
  try {
    // PREGROW=n: n finished jobs' rows written straight into the tables first (the database grown, the process still cold)
    const grow = Number(process.env.PREGROW ?? 0);
    if (grow > 0) {
      const q = (sql: string) => c.store.prisma.$executeRawUnsafe(sql);
      await q(`INSERT INTO jobs (name, command, data, version, updated_at) SELECT 'g-' || i, 'true', jsonb_build_object('name', 'g-' || i, 'command', 'true'), 1, now() FROM generate_series(1, ${grow}) i`);
      await q(`INSERT INTO job_versions (job_name, n, kind, at, diff) SELECT 'g-' || i, 1, 'create', now(), '[]' FROM generate_series(1, ${grow}) i`);
      await q(`INSERT INTO runs (job_name, due, attempt, task_id, arguments, trigger, high_priority, state, queued_at) SELECT 'g-' || i, now(), 0, 'ct:g:' || i, '', 'immediate', false, 'FINISHED', now() FROM generate_series(1, ${grow}) i`);
      await q(`INSERT INTO run_events (task_id, at, state, source) SELECT 'ct:g:' || i, now(), s, 'SCHEDULER' FROM generate_series(1, ${grow}) i, unnest(ARRAY['OFFERED','TASK_STARTING','TASK_RUNNING','TASK_FINISHED']) s`);
      await q(`UPDATE runs SET state = 'FINISHED' WHERE job_name LIKE 'g-%'`);
      await q('ANALYZE');
    }
    console.log(`warm-up (20): ${await burst(c, 'warm-', 20)}`);
    for (let r = 0; r < REPS; r++) console.log(`burst ${r + 1} (${N}): ${await burst(c, `b${r}-`, N)}`);
  } finally {
    await c.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`probe failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
