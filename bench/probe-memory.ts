/**
 * Where the app's memory goes, phase by phase (issue 18 goal 4): the real app (server/main.ts, as
 * the bench starts it) over a fresh database, N jobs POSTed over REST, GET /v1/scheduler/jobs,
 * a restart over the N jobs and the list again. After each phase the app writes its
 * process.memoryUsage() and V8 heap spaces (a preload answering SIGUSR2); the tree's RSS is
 * sampled every 100 ms for the peak of each phase.
 *
 *   npx tsx bench/probe-memory.ts [--jobs 100000] [--snapshot phase,phase] [--node-args '...'] [--tsx]
 *
 * --preload N writes N more jobs to the database before the first start (fast; no POSTs).
 * --tsx runs server/main.ts under `node --import tsx` instead of the compiled server.
 *
 * --snapshot writes a V8 heap snapshot at the end of the named phases (start, seeded, listed,
 * restarted, relisted) to /tmp/sisyphus-memprobe/ (each snapshot costs about the heap's size again).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createStore } from '../scheduler/adapters/prisma';
import { makeJob, putJobs } from './lib/internal';
import { buildApp, createBenchDb, startApp, startMesos, type AppProcess } from './lib/services';
import { pool, progress, say, sleep } from './lib/util';
// @ts-expect-error: plain JS module (no types)
import { buildServerBundle } from '../scripts/lib/server-bundle.mjs';

const argv = process.argv.slice(2);
const get = (k: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};
const N = Number(get('--jobs') ?? 100_000);
const tsx = argv.includes('--tsx');
const snapAt = new Set((get('--snapshot') ?? '').split(',').filter(Boolean));
const OUT_DIR = '/tmp/sisyphus-memprobe';
fs.mkdirSync(OUT_DIR, { recursive: true });
const out = path.join(OUT_DIR, `probe-${process.pid}.jsonl`);
const preload = path.join(OUT_DIR, 'preload.cjs');
fs.writeFileSync(
  preload,
  `const fs = require('node:fs'); const v8 = require('node:v8'); const out = process.env.MEMPROBE_OUT;
if (out) process.on('SIGUSR2', () => {
  const mu = process.memoryUsage(); const hs = v8.getHeapStatistics(); const code = v8.getHeapCodeStatistics();
  const M = (b) => Math.round(b / 1048576);
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, M(s.space_used_size)]));
  fs.appendFileSync(out, JSON.stringify({ rss: M(mu.rss), heapTotal: M(mu.heapTotal), heapUsed: M(mu.heapUsed), external: M(mu.external), arrayBuffers: M(mu.arrayBuffers), malloced: M(hs.malloced_memory), code: M(code.code_and_metadata_size + code.bytecode_and_metadata_size), spaces }) + '\\n');
  if (fs.existsSync(out + '.snap')) { fs.unlinkSync(out + '.snap'); v8.writeHeapSnapshot(out + '.' + Date.now() + '.heapsnapshot'); }
});
`,
);

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function request(method: string, url: string, body?: string): Promise<{ status: number; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    const req = http.request(url, { method, agent, headers }, (res) => {
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (text.length < 300) text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Row {
  phase: string;
  peakMiB: number;
  endMiB: number;
  seconds: number;
  inside: Record<string, unknown>;
}
const rows: Row[] = [];

/** Runs `work` with the RSS sampled every 100 ms; then asks the app for its own figures. */
async function phase(name: string, app: AppProcess, work: () => Promise<void>): Promise<void> {
  let peak = app.rssMiB();
  const tick = setInterval(() => (peak = Math.max(peak, app.rssMiB())), 100);
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(tick);
  }
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, app.rssMiB());
  if (snapAt.has(name)) fs.writeFileSync(`${out}.snap`, '');
  const before = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0;
  process.kill(app.pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    const lines = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length > before && !fs.existsSync(`${out}.snap`)) {
      rows.push({ phase: name, peakMiB: Math.round(peak), endMiB: Math.round(app.rssMiB()), seconds: Math.round(seconds * 10) / 10, inside: JSON.parse(lines[lines.length - 1]) });
      say(`${name}: peak ${Math.round(peak)} MiB, end ${JSON.stringify(rows[rows.length - 1].inside)}`);
      return;
    }
    await sleep(100);
  }
  throw new Error(`the app wrote no memory figures for ${name} within 60 s (is the preload loaded?)`);
}

async function main(): Promise<void> {
  // --app-dir: a built copy to serve as it is (its server bundle made again); else the bench's copy
  const given = get('--app-dir');
  const appDir = given ?? (await buildApp());
  if (given) await buildServerBundle(given);
  const db = await createBenchDb();
  const mesos = await startMesos({ scale: { agents: 10, taskDurationMs: 0 } });
  const pre = Number(get('--preload') ?? 0);
  if (pre > 0) {
    const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
    const jobs = Array.from({ length: pre }, (_, i) =>
      makeJob({ name: `pre-job-${String(i).padStart(7, '0')}`, command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`, schedule: 'R/2100-01-01T00:00:00Z/P1D', cpus: 0.5, mem: 256, description: `nightly transcode ${i}` }),
    );
    await putJobs(store, jobs, 'memprobe');
    await store.close();
  }
  const env = { MEMPROBE_OUT: out, NODE_OPTIONS: `--require ${preload}` };
  const extra = get('--node-args');
  if (extra) process.env.BENCH_APP_NODE_ARGS = extra;
  let app: AppProcess | null = null;
  try {
    app = await startApp({ dbUrl: db.url, master: mesos.url, mesos, env, appDir, tsx });
    await phase('start', app, async () => {});
    const a = app;
    await phase('seeded', a, async () => {
      let done = 0;
      await pool(N, 16, async (i) => {
        const body = JSON.stringify({
          name: `scale-job-${String(i).padStart(7, '0')}`,
          command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
          schedule: 'R/2100-01-01T00:00:00Z/P1D',
          epsilon: 'PT1H',
          cpus: 0.5,
          mem: 256,
          owner: 'bench@example.com',
          description: `nightly transcode ${i}`,
        });
        const r = await request('POST', `${a.url}/v1/scheduler/iso8601`, body);
        if (r.status !== 204) throw new Error(`POST iso8601 answered ${r.status}: ${r.text}`);
        if (++done % 5000 === 0) progress(`memprobe: ${done}/${N} POSTed, RSS ${Math.round(a.rssMiB())} MiB`);
      });
    });
    const list = async (p: AppProcess) => {
      for (let i = 0; i < 3; i++) {
        const r = await request('GET', `${p.url}/v1/scheduler/jobs`);
        if (r.status !== 200) throw new Error(`GET /jobs answered ${r.status}`);
        progress(`memprobe: GET /jobs ${(r.bytes / 1e6).toFixed(1)} MB`);
      }
    };
    await phase('listed', a, () => list(a));
    await app.stop();
    app = null;
    const t0 = performance.now();
    app = await startApp({ dbUrl: db.url, master: mesos.url, mesos, env, appDir, tsx });
    say(`restart over ${N} jobs: ${Math.round(performance.now() - t0)} ms until subscribed (+1 s)`);
    const b = app;
    await phase('restarted', b, async () => {});
    await phase('relisted', b, () => list(b));
    await phase('searched', b, async () => {
      for (let i = 0; i < 20; i++) await request('GET', `${b.url}/v1/scheduler/jobs/search?name=job-0${i % 10}&limit=100`);
    });
  } finally {
    await app?.stop();
    await mesos.stop();
    await db.drop();
  }
  console.log('\nphase      peak  end  heapUsed heapTotal external arrayBuf malloced code  old  new  code-space large  s');
  for (const r of rows) {
    const m = r.inside as { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; malloced: number; code: number; spaces: Record<string, number> };
    const s = m.spaces;
    console.log(
      [r.phase.padEnd(10), r.peakMiB, r.endMiB, m.heapUsed, m.heapTotal, m.external, m.arrayBuffers, m.malloced, m.code, s.old_space, s.new_space, s.code_space, s.large_object_space, r.seconds]
        .map((v) => String(v).padStart(5))
        .join(' '),
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`memprobe failed: ${(e as Error)?.stack ?? e}`);
    process.exit(1);
  },
);
