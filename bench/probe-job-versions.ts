/**
 * `npx tsx bench/probe-job-versions.ts [N] [reps] [--http]`: what recording a job's version costs
 * the write path. N job creates through the Chronos service (16 in flight, as burst (a) posts them;
 * with --http, as POST /v1/scheduler/iso8601 over a local socket into the route handler the
 * server calls, server/node-web.ts converting as in server/main.ts)
 * into the worker (no Mesos: the jobs are due in 2100, so nothing runs), on a fresh PostgreSQL
 * database each repetition, alternating two sides so both see the same machine load:
 *   - with:    the product as it is (each batch of writes also inserts its versions);
 *   - without: the same, with the store's `versions.add` a no-op (the write path before history).
 * Prints the median wall time of the N creates and the POST latency percentiles of each side.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { POST as isoPOST } from '../app/v1/scheduler/iso8601/route';
import { readBody, sendResponse, toRequest } from '../server/node-web';
import { createStore, type PrismaStore } from '../scheduler/adapters/prisma';
import { setServicesForTesting } from '../scheduler/api/context';
import { createTestDatabase } from '../scheduler/adapters/prisma/test-support';
import { ChronosService } from '../scheduler/api/chronos-service';
import type { Store } from '../scheduler/ports';
import { assemble } from '../scheduler/runtime/assemble';
import { systemClock } from '../scheduler/runtime/system-clock';
import { pool } from './lib/util';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] ?? 1000);
const REPS = Number(positional[1] ?? 3);
const HTTP = process.argv.includes('--http');

/** A local HTTP server answering POST /v1/scheduler/iso8601 with the route handler. */
async function serve(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req, 1 << 20);
      const origin = `http://${req.headers.host ?? 'localhost'}`;
      await sendResponse(req, res, await isoPOST(toRequest(req, res, body, origin)));
    })().catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/scheduler/iso8601`, close: () => new Promise((r) => server.close(() => r())) };
}
const IN_FLIGHT = 16;

/** The store with version recording switched off (the write path as it was before). */
function withoutVersions(store: PrismaStore): Store {
  const noop = { add: async () => [], list: async () => [], get: async () => null, deleted: async () => [] };
  return {
    jobs: store.jobs,
    runs: store.runs,
    edges: store.edges,
    framework: store.framework,
    notifications: store.notifications,
    backfills: store.backfills,
    versions: noop,
    transaction: (fn) => store.transaction((tx) => fn({ ...tx, versions: noop })),
    close: () => store.close(),
  };
}

async function round(side: 'with' | 'without', rep: number): Promise<{ wallMs: number; lat: number[]; versions: number }> {
  const db = await createTestDatabase(`sisyphus_probe_versions_${side}_${rep}`);
  const real = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const store = side === 'with' ? real : withoutVersions(real);
  const scheduler = await assemble({ store, clock: systemClock, master: null });
  const chronos = new ChronosService({ store, runtime: scheduler.worker, clock: systemClock });
  setServicesForTesting({ store, runtime: scheduler.worker });
  const server = HTTP ? await serve() : null;
  const create = async (body: object) => {
    if (!server) return chronos.upsertIso8601(body);
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 204) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  };
  const lat: number[] = [];
  const t0 = performance.now();
  await pool(N, IN_FLIGHT, async (i) => {
    const s = performance.now();
    await create({ name: `probe-${i}`, command: '/bin/true', schedule: 'R/2100-01-01T00:00:00Z/P1D', owner: 'ops@example.com' });
    lat.push(performance.now() - s);
  });
  const wallMs = performance.now() - t0;
  const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_versions');
  await server?.close();
  setServicesForTesting(null);
  await scheduler.stop();
  await real.close();
  await db.drop();
  return { wallMs, lat: lat.sort((a, b) => a - b), versions: n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  const res: Record<'with' | 'without', Array<{ wallMs: number; lat: number[]; versions: number }>> = { with: [], without: [] };
  for (let r = 0; r < REPS; r++) {
    // alternate which side goes first
    const order: Array<'with' | 'without'> = r % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
    for (const side of order) res[side].push(await round(side, r));
  }
  console.log(`${N} job creates${HTTP ? ' (POST /v1/scheduler/iso8601 over HTTP)' : ' (Chronos service calls)'}, ${IN_FLIGHT} in flight, ${REPS} repetitions per side (median):`);
  // each repetition's two sides ran back to back: their ratio cancels most of the machine's load
  const ratios = res.with.map((w, i) => w.wallMs / res.without[i].wallMs);
  for (const side of ['without', 'with'] as const) {
    const rs = res[side];
    const wall = median(rs.map((x) => x.wallMs));
    const p50 = median(rs.map((x) => pct(x.lat, 0.5)));
    const p99 = median(rs.map((x) => pct(x.lat, 0.99)));
    console.log(
      `  ${side.padEnd(8)} versions: ${String(rs[0].versions).padStart(5)} rows  wall ${wall.toFixed(0)} ms (${((N / wall) * 1000).toFixed(0)} creates/s)  POST p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms`,
    );
  }
  console.log(`  with / without, per repetition: median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
