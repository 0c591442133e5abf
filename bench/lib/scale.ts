/**
 * Scale: N jobs defined, the real app (the server (`server/main.ts`)) over them. Resident memory of the server
 * process tree, latency of GET /v1/scheduler/jobs and /jobs/search, and the UI jobs page's first
 * render in Chromium when the page lists jobs (otherwise "not measured", with the reason).
 *
 * The app starts over N − R jobs written to the database, then the last R are POSTed to it (16 in
 * flight), so the peak covers seeding through the API too (issue 18: "seeding and listing
 * included"); then the listing, the searches and the UI; then a restart over the N jobs (its time
 * until the framework subscribed, and its RSS).
 */
import fs from 'node:fs';
import http from 'node:http';
import { createStore } from '../../scheduler/adapters/prisma';
import { makeJob, putJobs } from './internal';
import { createBenchDb, startApp, startMesos } from './services';
import { percentile, pool, progress, waitFor } from './util';

export interface ScaleResult {
  jobs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  /** Jobs POSTed to the running app (the rest written to the database before it started). */
  posted?: number;
  /** RSS once the POSTs are done, and the peak while they went on. */
  rssPostedMiB?: number;
  /** A restart over the N jobs: process start until the framework subscribed, and RSS then. */
  restart?: { ms: number; rssMiB: number };
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
    const far = 'R/2100-01-01T00:00:00Z/P1D';
    const jobs = Array.from({ length: n }, (_, i) =>
      makeJob({
        name: `scale-job-${String(i).padStart(6, '0')}`,
        command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
        schedule: far,
        cpus: 0.5,
        mem: 256,
        description: `nightly transcode ${i}`,
      }),
    );
    const rest = Math.min(n, Math.max(0, posted));
    await putJobs(store, jobs.slice(0, n - rest), 'scale');
    await store.close();
    progress(`scale: starting the app over ${(n - rest).toLocaleString()} jobs`);
    app = await startApp({ dbUrl: db.url, master: mesos.url, mesos });
    const rssStart = app.rssMiB();
    let peak = rssStart;
    if (rest > 0) {
      const a = app;
      const tick = setInterval(() => (peak = Math.max(peak, a.rssMiB())), 100);
      let done = 0;
      try {
        await pool(rest, 16, async (k) => {
          const r = await post(`${a.url}/v1/scheduler/iso8601`, JSON.stringify(jobs[n - rest + k]));
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
    const ui = await uiFirstRender(app.url, jobs[n - 1].name);
    peak = Math.max(peak, app.rssMiB());
    await app.stop();
    app = null;
    progress(`scale: restarting the app over ${n.toLocaleString()} jobs`);
    const t0 = performance.now();
    app = await startApp({ dbUrl: db.url, master: mesos.url, settleMs: 0 });
    // this process's own SUBSCRIBED (the master may still count the stopped one's framework)
    const url = app.url;
    let restart: ScaleResult['restart'];
    try {
      const subscribed = async () => /^sisyphus_subscriptions_total\{[^}]*\} [1-9]/m.test(await (await fetch(`${url}/metrics`, { headers: { accept: 'text/plain' } })).text());
      await waitFor('the restarted app to subscribe', subscribed, 180_000, 100);
      restart = { ms: performance.now() - t0, rssMiB: app.rssMiB() };
    } catch (e) {
      progress(`scale: restart not measured: ${(e as Error).message}`);
    }
    if (restart) peak = Math.max(peak, restart.rssMiB);
    return {
      jobs: n,
      rssStartMiB: rssStart,
      rssPeakMiB: peak,
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
