/**
 * `npx tsx bench/probe-burst.ts [N]`: a profiling aid, not a benchmark (no peer, no ratio).
 *
 * The burst (b) pipeline in one process without Next.js: N immediate jobs through the Chronos
 * service (16 in flight) on a throwaway PostgreSQL database and mesos-local in scale mode, until
 * every run is FINISHED. Prints POST latency, CPU per run, and how long the worker's serial
 * chain spent in each step (writes.flush = the API's job writes, due.tick, offers, updates) — the chain
 * is where a burst queues. Add `node --cpu-prof --import tsx` to see where the CPU goes.
 */
import pg from 'pg';
import { startLocalCluster } from '../scheduler/testing/local-cluster';
import { pool } from './lib/util';

const N = Number(process.argv[2] ?? 1000);
const timings = new Map<string, number[]>();

function timed(obj: object, method: string, label: string): void {
  const o = obj as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const f = o[method].bind(obj);
  o[method] = async (...a: unknown[]) => {
    const s = performance.now();
    try {
      return await f(...a);
    } finally {
      const list = timings.get(label) ?? [];
      list.push(performance.now() - s);
      timings.set(label, list);
    }
  };
}

/** PROBE_SQL=1: every statement sent through pg, counted and timed by its first words. */
const sql = new Map<string, number[]>();
if (process.env.PROBE_SQL) {
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: typeof query }).query = function (this: unknown, ...a: unknown[]) {
    const text = typeof a[0] === 'string' ? a[0] : ((a[0] as { text?: string })?.text ?? '?');
    const label = text.replace(/\s+/g, ' ').trim().split(' ').slice(0, 4).join(' ').slice(0, 40);
    const s = performance.now();
    const done = () => {
      const list = sql.get(label) ?? [];
      list.push(performance.now() - s);
      sql.set(label, list);
    };
    // pool.query passes a callback (the fenced one-statement writes go that way)
    const cb = a[a.length - 1];
    if (typeof cb === 'function') a[a.length - 1] = (...r: unknown[]) => (done(), (cb as (...x: unknown[]) => unknown)(...r));
    const r = query.apply(this, a);
    if (r instanceof Promise) void r.finally(done).catch(() => {});
    return r;
  };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  // PROBE_FENCED=1: the worker writes through a fenced store, as the server's leader does
  const c = await startLocalCluster({ dbPrefix: 'sisyphus_probe', mesos: { scale: { agents: 20, taskDurationMs: 0 } }, fenced: !!process.env.PROBE_FENCED });
  try {
    // the worker's parts (worker.ts wires them); a part renamed or gone is left out of the table
    const w = c.scheduler.worker as unknown as Record<string, object | undefined>;
    const parts: Array<[object | undefined, string, string]> = [
      [w.writes, 'flush', 'writes.flush'],
      [w.due, 'tick', 'due.tick'],
      [w.launches, 'handleOffers', 'launches.handleOffers'],
      [w.updates, 'handleUpdates', 'updates.handleUpdates'],
    ];
    for (const [obj, m, label] of parts) if (obj && typeof (obj as Record<string, unknown>)[m] === 'function') timed(obj, m, label);
    timed(c.store, 'transaction', 'store.transaction');
    const tableWrites = () =>
      c.store.prisma.$queryRawUnsafe<{ t: string; i: bigint; u: bigint; d: bigint }[]>(
        `SELECT relname AS t, n_tup_ins AS i, n_tup_upd AS u, n_tup_del AS d FROM pg_stat_user_tables`,
      );
    const commits = async () =>
      Number((await c.store.prisma.$queryRawUnsafe<{ c: bigint }[]>(`SELECT xact_commit AS c FROM pg_stat_database WHERE datname = current_database()`))[0].c);
    await new Promise((r) => setTimeout(r, 1200)); // pg_stat is flushed about once a second
    const writes0 = await tableWrites();
    const commits0 = await commits();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const lat: number[] = [];
    await pool(N, 16, async (i) => {
      const s = performance.now();
      await c.api.upsertIso8601({ name: `probe-${i}`, command: 'true', shell: false, schedule: 'R1//PT1S', cpus: 0.1, mem: 32 });
      lat.push(performance.now() - s);
    });
    const submitted = performance.now() - t0;
    lat.sort((a, b) => a - b);
    for (;;) {
      const [row] = await c.store.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM runs WHERE state = 'FINISHED'`);
      if (Number(row.n) >= N) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const all = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(`${N} jobs submitted in ${(submitted / 1000).toFixed(2)} s (POST p50 ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms)`);
    console.log(`all FINISHED in ${(all / 1000).toFixed(2)} s = ${Math.round((N / all) * 1000)} runs/s; CPU ${((cpu.user + cpu.system) / 1000 / N).toFixed(2)} ms per run`);
    await new Promise((r) => setTimeout(r, 1500));
    const writes1 = await tableWrites();
    const perRun = (x: bigint, y: bigint | undefined) => (Number(x - (y ?? 0n)) / N).toFixed(2);
    console.log(`commits per run ${((await commits()) - commits0) / N} (the probe's own polls included)`);
    for (const w of writes1) {
      const b = writes0.find((x) => x.t === w.t);
      if (w.i + w.u + w.d === (b ? b.i + b.u + b.d : 0n)) continue;
      console.log(`row writes per run ${w.t.padEnd(16)} insert ${perRun(w.i, b?.i)}  update ${perRun(w.u, b?.u)}  delete ${perRun(w.d, b?.d)}`);
    }
    for (const [k, a] of [...sql].sort((x, y) => y[1].length - x[1].length)) {
      const sum = a.reduce((x, y) => x + y, 0);
      console.log(`sql ${k.padEnd(42)} ${(a.length / N).toFixed(3)} per run  mean ${(sum / a.length).toFixed(1)} ms  total ${(sum / 1000).toFixed(2)} s`);
    }
    for (const [k, a] of timings) {
      a.sort((x, y) => x - y);
      const sum = a.reduce((x, y) => x + y, 0);
      console.log(`${k.padEnd(22)} ${String(a.length).padStart(5)} calls  p50 ${pct(a, 0.5).toFixed(1).padStart(6)} ms  p99 ${pct(a, 0.99).toFixed(1).padStart(6)} ms  total ${(sum / 1000).toFixed(2)} s`);
    }
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
