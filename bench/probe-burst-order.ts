/**
 * `npx tsx bench/probe-burst-order.ts`: why a repetition of burst (b) is slower than the others.
 * The bench's burst (b) loop (the built app, mesos-local in scale mode, graphile-worker) with each
 * side's run reported alone: runs/s, the CPU of each process tree, the app's GC time (its /metrics),
 * and what PostgreSQL did meanwhile (checkpoints, buffers written by the checkpointer, the bgwriter
 * and the backends; WAL bytes and full-page images). Builds the app as the bench does (BENCH_APP_DIR
 * as there).
 *
 * Environment: PROBE_N (2000), PROBE_REPS (3), PROBE_WARM (20: jobs of the warm-up burst),
 * PROBE_PGBENCH (1: pgbench's 3 × 5 s first, as `--only limit,burst-b`), PROBE_SIDES
 * (sisyphus,graphile: each repetition's order), PROBE_ALTERNATE (0: 1 = the order reversed every
 * other repetition), PROBE_RESTART_APP (0: 1 = a new app after the warm-up, warmed with 20 jobs: the
 * app cold, mesos-local and the REST client warm). `BENCH_APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR'`
 * profiles the app; each line says when (seconds after the first app was spawned) its side ran.
 */
import { graphileBurst, noop } from './lib/peers';
import { pgbench } from './lib/pglimit';
import { childPid, cpuSince, cpuSnapshot, postmasterPid } from './lib/proc';
import { ADMIN_URL, buildApp, createBenchDb, killChildren, startApp, startMesos, type AppProcess } from './lib/services';
import { sisyphusBurst } from './lib/sisyphus';
import pg from 'pg';

const env = (k: string, d: string) => process.env[k] ?? d;
const N = Number(env('PROBE_N', '2000'));
const REPS = Number(env('PROBE_REPS', '3'));
const WARM = Number(env('PROBE_WARM', '20'));
const SIDES = env('PROBE_SIDES', 'sisyphus,graphile').split(',');

interface PgCounters {
  checkpoints: number;
  bufCheckpoint: number;
  bufClean: number;
  bufBackend: number;
  walBytes: number;
  walFpi: number;
}

async function pgCounters(c: pg.Client): Promise<PgCounters> {
  const [b] = (await c.query(`SELECT checkpoints_timed + checkpoints_req AS c, buffers_checkpoint AS bc, buffers_clean AS bl, buffers_backend AS bb FROM pg_stat_bgwriter`)).rows;
  const [w] = (await c.query(`SELECT wal_bytes::bigint AS wb, wal_fpi AS fpi FROM pg_stat_wal`)).rows;
  return { checkpoints: Number(b.c), bufCheckpoint: Number(b.bc), bufClean: Number(b.bl), bufBackend: Number(b.bb), walBytes: Number(w.wb), walFpi: Number(w.fpi) };
}

const diff = (a: PgCounters, b: PgCounters) =>
  `ckpt ${b.checkpoints - a.checkpoints} bufs ckpt/clean/backend ${b.bufCheckpoint - a.bufCheckpoint}/${b.bufClean - a.bufClean}/${b.bufBackend - a.bufBackend} WAL ${((b.walBytes - a.walBytes) / 2 ** 20).toFixed(1)} MiB fpi ${b.walFpi - a.walFpi}`;

let warned = false;
/** Seconds the app spent in GC so far (prom-client's nodejs_gc_duration_seconds, every kind). */
async function gcSeconds(app: AppProcess): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics/prometheus`)).text();
  let sum = 0;
  let found = false;
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*\} ([\d.e+-]+)$/gm)) {
    sum += Number(m[1]);
    found = true;
  }
  if (!found && !warned) {
    warned = true;
    console.log(`no GC figures in /metrics/prometheus: ${text.slice(0, 200)}`);
  }
  return sum;
}

async function main(): Promise<void> {
  await buildApp(); // again only when a source changed
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  if (env('PROBE_PGBENCH', '1') === '1') console.log(`pgbench: ${(await pgbench(5, 3, () => {})).map((p) => Math.round(p.tps)).join(', ')} tps`);
  const db = await createBenchDb();
  const mesos = await startMesos({ scale: { agents: 20, taskDurationMs: 0 } });
  const spawned = performance.now();
  const at = () => ((performance.now() - spawned) / 1000).toFixed(1);
  let app = await startApp({ dbUrl: db.url, master: mesos.url, mesos });
  const shape = { command: 'true', shell: false, cpus: 0.1, mem: 32 };
  try {
    await sisyphusBurst(app, db, WARM, 'warm-', shape, () => {}, 120_000);
    if (env('PROBE_RESTART_APP', '0') === '1') {
      // the app alone cold: mesos-local and the REST client stay warm from the warm-up
      await app.stop();
      app = await startApp({ dbUrl: db.url, master: mesos.url, mesos });
      await sisyphusBurst(app, db, 20, 'rewarm-', shape, () => {}, 120_000);
      console.log(`app restarted after the warm-up (${WARM} jobs) and warmed with 20`);
    }
    const roots = { app: app.pid, mesos: mesos.pid, launcher: childPid(mesos.pid, /launcher-child/), postgres: postmasterPid(), bench: process.pid };
    for (let rep = 0; rep < REPS; rep++) {
      const order = env('PROBE_ALTERNATE', '0') === '1' && rep % 2 === 1 ? [...SIDES].reverse() : SIDES;
      for (const side of order) {
        const p0 = await pgCounters(admin);
        const g0 = await gcSeconds(app);
        const from = at();
        const c0 = cpuSnapshot(roots);
        const rate =
          side === 'sisyphus'
            ? (await sisyphusBurst(app, db, N, `b${rep}-`, shape, () => {})).perSecond
            : (await graphileBurst(N, noop, () => {})).perSecond;
        const cpu = cpuSince(c0, cpuSnapshot(roots));
        const gc = (await gcSeconds(app)) - g0;
        const p1 = await pgCounters(admin);
        const ms = Object.entries(cpu.ms)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${Math.round(v)}`)
          .join(' ');
        console.log(`rep ${rep + 1} ${side.padEnd(8)} [${from}-${at()} s] ${Math.round(rate)} runs/s  cpu ms: ${ms} (wall ${Math.round(cpu.wallMs)}); app GC ${Math.round(gc * 1000)} ms; ${diff(p0, p1)}`);
      }
    }
  } finally {
    await app.stop();
    await mesos.stop();
    await db.drop();
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`probe failed: ${(e as Error).stack ?? e}`);
    killChildren();
    process.exit(1);
  },
);
