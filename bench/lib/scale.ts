/**
 * Scale: N jobs defined, the real app (the server (`server/main.ts`)) over them. Resident memory of the server
 * process tree, latency of GET /v1/scheduler/jobs and /jobs/search, and the UI jobs page's first
 * render in Chromium when the page lists jobs (otherwise "not measured", with the reason).
 *
 * The app starts over N − R jobs written to the database, then the last R are POSTed to it (16 in
 * flight), so the peak covers seeding through the API too (issue 18: "seeding and listing
 * included"); then the listing, the searches and the UI; then a restart over the N jobs (its time
 * until the framework subscribed, its RSS then and its peak on the way).
 *
 * The N − R are written through the store's own bulk write (`store.jobs.apply({ put })`, the path
 * the worker and the Chronos bulk import use: the same rows, columns and triggers as a POST), each
 * job parsed by the API's schema, 5,000 per statement, made as they are written (1,000,000 jobs as
 * objects would cost the bench process GiBs). POSTs run at 100–150/s here, so at a million only
 * `--scale-posted` (default 2,000 above 100,000 jobs) go through the API.
 */
import fs from 'node:fs';
import http from 'node:http';
import { createStore } from '../../scheduler/adapters/prisma';
import { makeJob } from './internal';
import { treeRssMiB } from './proc';
import { createBenchDb, startApp, startMesos, type AppProcess } from './services';
import { percentile, pool, progress, waitFor } from './util';

export interface ScaleResult {
  jobs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  /** Jobs POSTed to the running app (the rest written to the database before it started). */
  posted?: number;
  /** RSS once the POSTs are done, and the peak while they went on. */
  rssPostedMiB?: number;
  /** The first start over the N − R seeded jobs: process start until the framework subscribed, RSS peak on the way. */
  start?: { ms: number; rssPeakMiB: number };
  /** A restart over the N jobs: process start until the framework subscribed, RSS then and its peak on the way. */
  restart?: { ms: number; rssMiB: number; rssPeakMiB?: number };
  /** How the jobs got into the database, and how long it took. */
  seeding?: { note: string; seconds: number };
  list: { p50: number; p99: number; samples: number; bytes: number };
  search: { p50: number; p99: number; samples: number };
  ui: { measured: boolean; firstRenderMs: number | null; samples?: number[]; note: string };
}

/** Keep-alive, as a Chronos client library keeps its session (the burst's client too). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** GET `url`, the whole body read (counted, not kept): the time until its last byte. */
function timed(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ms: performance.now() - t0, bytes, status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** POST `body` (JSON); the status and the start of the answer. */
function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: postAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text = (text + c.toString()).slice(0, 300)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const postAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export async function scale(n: number, listSamples: number, searchSamples: number, posted = 0): Promise<ScaleResult> {
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  const mesos = await startMesos({ scale: { agents: 10, taskDurationMs: 0 } });
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  try {
    const rest = Math.min(n, Math.max(0, posted));
    const t0Seed = performance.now();
    for (let i = 0; i < n - rest; i += SEED_CHUNK) {
      const chunk = Array.from({ length: Math.min(SEED_CHUNK, n - rest - i) }, (_, k) => scaleJob(i + k, n));
      await store.jobs.apply({ put: chunk });
      if ((i / SEED_CHUNK) % 10 === 9 || i + SEED_CHUNK >= n - rest) {
        const done = Math.min(n - rest, i + SEED_CHUNK);
        progress(`scale: seeded ${done.toLocaleString()}/${(n - rest).toLocaleString()} jobs (${Math.round(done / ((performance.now() - t0Seed) / 1000))}/s)`);
      }
    }
    const seedSeconds = (performance.now() - t0Seed) / 1000;
    await store.close();
    await db.query('VACUUM ANALYZE jobs'); // as a database that has lived with its rows would be
    progress(`scale: starting the app over ${(n - rest).toLocaleString()} jobs`);
    const jobs = { name: (i: number) => scaleJob(i, n).name, at: (i: number) => scaleJob(i, n) };
    const first = await startTimed(db.url, mesos.url);
    app = first.app;
    const rssStart = app.rssMiB();
    let peak = Math.max(rssStart, first.rssPeakMiB);
    if (rest > 0) {
      const a = app;
      const tick = setInterval(() => (peak = Math.max(peak, a.rssMiB())), 100);
      let done = 0;
      try {
        await pool(rest, 16, async (k) => {
          const r = await post(`${a.url}/v1/scheduler/iso8601`, JSON.stringify(jobs.at(n - rest + k)));
          if (r.status !== 204) throw new Error(`POST /v1/scheduler/iso8601 answered ${r.status}: ${r.text}`);
          if (++done % 1000 === 0) progress(`scale: POSTed ${done.toLocaleString()}/${rest.toLocaleString()} jobs, RSS ${Math.round(a.rssMiB())} MiB`);
        });
      } finally {
        clearInterval(tick);
      }
    }
    const rssPosted = app.rssMiB();
    peak = Math.max(peak, rssPosted);
    const list: number[] = [];
    let bytes = 0;
    for (let i = 0; i < listSamples; i++) {
      const r = await timed(`${app.url}/v1/scheduler/jobs`);
      if (r.status !== 200) throw new Error(`GET /v1/scheduler/jobs answered ${r.status}`);
      list.push(r.ms);
      bytes = r.bytes;
      peak = Math.max(peak, app.rssMiB());
      progress(`scale: GET /v1/scheduler/jobs ${i + 1}/${listSamples} (${Math.round(r.ms)} ms, ${(r.bytes / 1e6).toFixed(1)} MB)`);
    }
    const search: number[] = [];
    const queries = ['name=scale-job-0424', 'command=media/4242.mov', 'name=nothing-like-this&any=preset%203', 'name=job-09&limit=100', 'command=transcode&offset=50000&limit=10'];
    for (let i = 0; i < searchSamples; i++) {
      const r = await timed(`${app.url}/v1/scheduler/jobs/search?${queries[i % queries.length]}`);
      if (r.status !== 200) throw new Error(`GET /jobs/search answered ${r.status}`);
      search.push(r.ms);
      if (i % 10 === 0) peak = Math.max(peak, app.rssMiB());
      progress(`scale: GET /jobs/search ${i + 1}/${searchSamples}`);
    }
    peak = Math.max(peak, app.rssMiB());
    const ui = await uiFirstRender(app.url, jobs.name(n - 1));
    peak = Math.max(peak, app.rssMiB());
    await app.stop();
    app = null;
    progress(`scale: restarting the app over ${n.toLocaleString()} jobs`);
    let restart: ScaleResult['restart'];
    try {
      const again = await startTimed(db.url, mesos.url);
      app = again.app;
      restart = { ms: again.ms, rssMiB: app.rssMiB(), rssPeakMiB: again.rssPeakMiB };
      peak = Math.max(peak, again.rssPeakMiB, restart.rssMiB);
    } catch (e) {
      progress(`scale: restart not measured: ${(e as Error).message}`);
    }
    return {
      jobs: n,
      rssStartMiB: rssStart,
      rssPeakMiB: peak,
      start: { ms: first.ms, rssPeakMiB: first.rssPeakMiB },
      seeding: {
        note: `${fmtN(n - rest)} jobs written before the app started through the store's bulk write (store.jobs.apply, ${fmtN(SEED_CHUNK)} per statement, each parsed by the API's job schema) at ${fmtN(Math.round((n - rest) / seedSeconds))}/s, then VACUUM ANALYZE; ${fmtN(rest)} POSTed to the running app`,
        seconds: seedSeconds,
      },
      posted: rest,
      rssPostedMiB: rssPosted,
      restart,
      list: { p50: percentile(list, 0.5), p99: percentile(list, 0.99), samples: list.length, bytes },
      search: { p50: percentile(search, 0.5), p99: percentile(search, 0.99), samples: search.length },
      ui,
    };
  } finally {
    await app?.stop();
    await mesos.stop();
    await store.close().catch(() => {});
    await db.drop();
  }
}

const SEED_CHUNK = 5000;
const fmtN = (x: number) => x.toLocaleString('en-US');

/** Job i of n: names sort as their numbers (zero-padded to n's width, six digits at least). */
function scaleJob(i: number, n: number) {
  return makeJob({
    name: `scale-job-${String(i).padStart(Math.max(6, String(n - 1).length), '0')}`,
    command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
    schedule: 'R/2100-01-01T00:00:00Z/P1D',
    cpus: 0.5,
    mem: 256,
    description: `nightly transcode ${i}`,
  });
}

/**
 * Starts the app and waits until its own framework subscribed (its /metrics; the master may still
 * count a stopped one's framework) and its scheduler loaded every job (sisyphus_scheduler_loaded;
 * the framework subscribes while the worker loads): the time from the spawn, and the RSS peak on
 * the way (every 100 ms).
 */
async function startTimed(dbUrl: string, master: string): Promise<{ app: AppProcess; ms: number; rssPeakMiB: number }> {
  const t0 = performance.now();
  let peak = 0;
  let pid = 0;
  const tick = setInterval(() => {
    if (pid) peak = Math.max(peak, treeRssMiB(pid));
  }, 100);
  try {
    const app = await startApp({ dbUrl, master, settleMs: 0, readyTimeoutMs: 600_000, onSpawn: (p) => (pid = p) });
    // the framework subscribes while the worker loads: started = subscribed and every job loaded
    const ready = async () => {
      const text = await (await fetch(`${app.url}/metrics`, { headers: { accept: 'text/plain' } })).text();
      return /^sisyphus_subscriptions_total\{[^}]*\} [1-9]/m.test(text) && /^sisyphus_scheduler_loaded 1$/m.test(text);
    };
    await waitFor('the app to subscribe and load every job', ready, 600_000, 100);
    const ms = performance.now() - t0;
    peak = Math.max(peak, app.rssMiB());
    return { app, ms, rssPeakMiB: peak };
  } finally {
    clearInterval(tick);
  }
}

/**
 * First render of /jobs in headless Chromium: navigation start until a job row is on screen. One
 * unmeasured visit first (the server loads the page's code on its first request, once per
 * process), then `reps` visits, each in a fresh browser context (cold cache); the median counts.
 */
async function uiFirstRender(base: string, someJob: string, reps = 3): Promise<ScaleResult['ui']> {
  const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!exe) return { measured: false, firstRenderMs: null, note: 'no Chromium on this machine' };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
  const samples: number[] = [];
  try {
    for (let rep = -1; rep < reps; rep++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const t0 = performance.now();
        const resp = await page.goto(`${base}/jobs`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        if (!resp || resp.status() !== 200) return { measured: false, firstRenderMs: null, note: `GET /jobs answered ${resp?.status()}` };
        try {
          await page.waitForFunction(
            () => document.querySelector('table tbody tr, [role="row"]:not(:first-child), [data-job-name]') !== null || /scale-job-/.test(document.body.innerText),
            undefined,
            { timeout: 30_000 },
          );
        } catch {
          const text = (await page.innerText('body')).replace(/\s+/g, ' ').slice(0, 120);
          return { measured: false, firstRenderMs: null, note: `the /jobs page shows no jobs yet ("${text}")` };
        }
        if (rep >= 0) samples.push(performance.now() - t0);
      } finally {
        await context.close();
      }
    }
    void someJob;
    samples.sort((a, b) => a - b);
    return {
      measured: true,
      firstRenderMs: samples[Math.floor(samples.length / 2)],
      samples,
      note: `navigation start → first job row in headless Chromium, median of ${reps} cold contexts after a warm-up visit`,
    };
  } finally {
    await browser.close();
  }
}
