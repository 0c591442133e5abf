/**
 * UI speed (issue #5): with N jobs (default 10,000) and R runs (default 100,000) seeded, each
 * page's first render and each interaction in headless Chromium (playwright-core,
 * /usr/bin/chromium) against the real app (`next build` + the server) on PostgreSQL and
 * mesos-local. Every figure is the median of `reps` repetitions against the 2,000 ms limit the
 * issue states.
 *
 * This folder holds the benchmark, one concept a file:
 *   benchmark.ts            this run: seed, start the app(s), measure every figure, alternate with a baseline
 *   result.ts               what it reports (figures, API answers, facts, the limit)
 *   seed-data.ts            the generated jobs and runs (seeded PRNG)
 *   seed-db.ts              writing them to the database
 *   browser-timing.ts       timing a page load or an interaction in Chromium
 *   figure.ts               a benchmarked target and a figure measured on it
 *   expected.ts             what each page must show, read from the target's API first
 *   page-figures.ts         the page figures (ids for --ui-figures)
 *   interaction-figures.ts  the interaction figures (ids for --ui-figures)
 *   api-figures.ts          the API answers the pages read, timed without a browser
 */
import fs from 'node:fs';
import os from 'node:os';
import { createBenchDb, startApp, startMesos } from '../services';
import { fmt, median, progress, say } from '../util';
import { apiFigures } from './api-figures';
import type { Browser } from './browser-timing';
import { expectedOf, factsOf } from './expected';
import type { Figure, Target } from './figure';
import { interactionFigures } from './interaction-figures';
import { pageFigures } from './page-figures';
import { UI_LIMIT_MS, type UiFigure, type UiResult } from './result';
import { HOUR } from './seed-data';
import { seedUi, type SeedInfo } from './seed-db';

/** Expected contents (from the target's own API: the UI must show what the API says) and the figures. */
async function figuresFor(t: Target, timeoutMs: number): Promise<{ figures: Figure[]; facts: UiResult['facts'] }> {
  const e = await expectedOf(t);
  return { figures: [...pageFigures(t, e, timeoutMs), ...interactionFigures(t, e, timeoutMs)], facts: factsOf(t, e) };
}

/**
 * The benchmark. With `baseline` (the directory of another build of the app, e.g. the last commit's),
 * that build is measured too, over its own identically seeded database, alternating with this one
 * repetition by repetition, so both see the same machine load.
 */
export async function ui(opts: { jobs: number; runs: number; reps: number; timeoutMs?: number; only?: string[]; baseline?: { label: string; appDir: string } }): Promise<UiResult> {
  const exe = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!exe) throw new Error('no Chromium at /usr/bin/chromium (apt-get install chromium)');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const targets: Target[] = [];
  let browser: Browser | null = null;
  try {
    const now = Date.now();
    let seedSeconds = 0;
    const specs = [{ label: '', appDir: undefined as string | undefined }, ...(opts.baseline ? [{ label: opts.baseline.label, appDir: opts.baseline.appDir }] : [])];
    for (const spec of specs) {
      // Not sisyphus_bench_*: an older checkout's bench drops those at its start, in use or not.
      const db = await createBenchDb('sisyphus_uibench');
      const t: Target = { label: spec.label, base: '', seed: null as unknown as SeedInfo, db, mesos: null, app: null };
      targets.push(t);
      const t0 = Date.now();
      t.seed = await seedUi(db.url, opts.jobs, opts.runs, now);
      seedSeconds ||= (Date.now() - t0) / 1000;
      say(`ui${spec.label ? ` (${spec.label})` : ''}: seeded ${fmt(t.seed.jobs)} jobs and ${fmt(t.seed.runs)} runs in ${fmt((Date.now() - t0) / 1000, 1)} s`);
      t.mesos = await startMesos({ scale: { agents: 40, taskDurationMs: 2 * HOUR } });
      progress(`ui: starting the app${spec.label ? ` (${spec.label})` : ''} over ${fmt(t.seed.jobs)} jobs`);
      t.app = await startApp({ dbUrl: db.url, master: t.mesos.url, mesos: t.mesos, appDir: spec.appDir });
      t.base = t.app.url;
      // live runs for the dashboard
      for (const name of t.seed.liveJobs) await fetch(`${t.base}/v1/scheduler/job/${encodeURIComponent(name)}`, { method: 'PUT' }).catch(() => {});
    }
    const main = targets[0];
    const sets = [];
    for (const t of targets) sets.push(await figuresFor(t, timeoutMs));
    const api = await apiFigures(main, opts.reps);
    const baselineApi = targets[1] ? await apiFigures(targets[1], opts.reps) : undefined;

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    const b = browser;

    const figures: UiFigure[] = [];
    const load: number[] = [];
    for (let i = 0; i < sets[0].figures.length; i++) {
      const mine = sets.map((s) => s.figures[i]);
      const f = mine[0];
      if (opts.only && !opts.only.includes(f.id)) continue;
      const out: UiFigure[] = mine.map((m) => ({ id: m.id, kind: m.kind, what: m.what, until: m.until, samples: [] }));
      figures.push(out[0]);
      if (out[1]) out[0].baseline = { label: targets[1].label, what: out[1].what, samples: out[1].samples };
      const failed = out.map(() => false);
      for (const [k, m] of mine.entries()) {
        if (!m.warm) continue;
        progress(`ui: warming ${m.what}${targets[k].label ? ` (${targets[k].label})` : ''}`);
        await m.once(b).catch(() => {});
      }
      for (let rep = 0; rep < opts.reps; rep++) {
        for (const [k, m] of mine.entries()) {
          if (failed[k]) continue;
          const o = out[k];
          progress(`ui: ${m.what}${targets[k].label ? ` (${targets[k].label})` : ''} ${rep + 1}/${opts.reps}${o.samples.length ? ` (last ${fmt(o.samples[o.samples.length - 1])} ms)` : ''}`);
          try {
            load.push(os.loadavg()[0]);
            o.samples.push(await m.once(b));
          } catch (e) {
            o.error = (e as Error).message.split('\n')[0].slice(0, 200);
            o.samples.push(Number.POSITIVE_INFINITY);
            failed[k] = true; // a timeout would only repeat
          }
        }
      }
      const show = (o: UiFigure) => `${o.samples.map((x) => (Number.isFinite(x) ? fmt(x) : 'timeout')).join(', ')} ms${o.error ? ` (${o.error})` : ''}`;
      say(`ui: ${f.what}: ${show(out[0])}${out[1] ? `; ${targets[1].label}: ${show(out[1])}` : ''}`);
    }

    return {
      jobs: main.seed.jobs,
      runs: main.seed.runs,
      seedSeconds,
      reps: opts.reps,
      limitMs: UI_LIMIT_MS,
      facts: sets[0].facts,
      figures,
      api,
      ...(baselineApi ? { baseline: { label: targets[1].label, api: baselineApi, facts: sets[1].facts } } : {}),
      loadAverage: load.length ? { min: Math.min(...load), max: Math.max(...load), median: median(load) } : null,
    };
  } finally {
    await browser?.close().catch(() => {});
    for (const t of targets) {
      await t.app?.stop();
      await t.mesos?.stop();
      await t.db.drop();
    }
  }
}
