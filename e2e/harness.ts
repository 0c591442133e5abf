/**
 * End-to-end harness: vitest + playwright-core against the real app (`next start`), a throwaway
 * PostgreSQL database and mesos-local, in Debian's Chromium.
 *
 * ─── For other e2e files ─────────────────────────────────────────────────────────────────────────
 * A file that needs one browser and the app's API takes both from e2e/browser-suite.ts
 * (`const { base, api, suffix, newPage } = browserSuite();`). By hand (e.g. e2e/graph-runs-cluster.e2e.ts):
 *   import { afterAll, beforeAll, describe, expect, it } from 'vitest';
 *   import { appUrl, ChronosApi, launchBrowser, newPage, screenshot, waitFor } from './harness';
 *
 *   let browser: Browser;                       // from 'playwright-core'
 *   const api = new ChronosApi(appUrl());       // typed fixture: createJob, createDependent, runJob,
 *                                               // getJob, deleteJob, runs, waitForRun, dashboard, …
 *   beforeAll(async () => { browser = await launchBrowser(); });
 *   afterAll(async () => { await browser?.close(); });
 *
 *   it('renders', async () => {
 *     const { page, errors, close } = await newPage(browser, { theme: 'dark' }); // console errors collected
 *     await page.goto(`${appUrl()}/graph`);
 *     await screenshot(page, 'graph-dark');    // → e2e/artifacts/graph-dark.png
 *     expect(errors).toEqual([]);
 *     await close();
 *   });
 *
 * One app serves every file: e2e/global-setup.ts builds it when sources changed (.next/BUILD_ID
 * older than any build input), calls startApp() once and hands the URL to the test files
 * (`appUrl()`). Files run one after another (e2e/vitest.config.ts), and share the database, so use
 * job names unique to your file (a prefix). startApp() can also be called on its own (it returns
 * { url, stop }) for a file that needs a private app, at the cost of ~5 s.
 * Run: npx vitest run --config e2e/vitest.config.ts  (npm test runs it last).
 * ────────────────────────────────────────────────────────────────────────────────────────────────
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type {} from 'vitest';
import type { z } from 'zod';
import { newestBuildInput } from '../scripts/lib/build-inputs.mjs';
import { createTestDatabase } from '../scheduler/adapters/prisma/test-support';
import { startTestMesos } from '../scheduler/testing/test-mesos';
import type { jobInputSchema } from '../scheduler/api/job-schema';
import type { Dashboard, JobDetail, RunPage, RunRow } from '../scheduler/api/ui-types';
import { freePort, serverArgs, serverEnv, sleep, snapshotNextBuild } from '../test/ha/support';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ARTIFACTS = path.join(ROOT, 'e2e', 'artifacts');
const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const BUILD_ID = path.join(ROOT, '.next', 'BUILD_ID');

/* ------------------------------------------------------------------ build */

/** `next build` unless .next/BUILD_ID is newer than every build input (scripts/lib/build-inputs.mjs, as `npm start`). */
export async function ensureBuilt(log: (s: string) => void = (s) => console.log(s)): Promise<void> {
  if (fs.existsSync(BUILD_ID) && fs.statSync(BUILD_ID).mtimeMs >= newestBuildInput(ROOT)) return;
  log('[e2e] building the app (next build)…');
  const started = Date.now();
  const out: string[] = [];
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [NEXT_BIN, 'build'], { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${out.join('').split('\n').slice(-60).join('\n')}`);
  log(`[e2e] built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The app built when stale (ensureBuilt) and copied (test/ha/support.ts snapshotNextBuild), for a
 * test that serves it with the production server; a build running elsewhere at the same time is
 * waited out (three tries, 15 s apart).
 */
export async function builtAppSnapshot(log: (s: string) => void): Promise<{ dir: string; remove(): void }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureBuilt(log);
      const snap = snapshotNextBuild();
      if (snap) return snap;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
    if (attempt >= 3) throw new Error('no complete build of the app to serve (.next is being rewritten?)');
    await sleep(15_000);
  }
}

/* ------------------------------------------------------------------ app */

export interface RunningApp {
  url: string;
  mesosUrl: string;
  databaseUrl: string;
  /** The app's stdout/stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartAppOptions {
  /** Extra environment for `next start`. */
  env?: Record<string, string>;
  /** Agents of mesos-local (default one with 4 CPUs, 4 GB). */
  agents?: Array<{ cpus?: number; mem?: number; disk?: number; hostname?: string; attributes?: Record<string, string | number> }>;
}

/**
 * A fresh PostgreSQL database, mesos-local in this process (port 0) and `next start` as a child
 * process on a free port; resolves once /ping answers.
 */
export async function startApp(opts: StartAppOptions = {}): Promise<RunningApp> {
  const db = await createTestDatabase('sisyphus_e2e');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-e2e-mesos-'));
  const mesos = await startTestMesos(workDir, opts.agents ?? [{ cpus: 4, mem: 4096, disk: 20000 }]);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  // a private copy of the build: the working tree is shared (another `next build` may replace .next while this app runs)
  const snap = snapshotNextBuild();
  if (!snap) throw new Error('.next has no complete build (a build is running?): run next build, then retry');
  const appDir = snap.dir;
  const app: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...serverArgs(appDir, port)], {
    cwd: appDir,
    env: {
      ...process.env,
      ...serverEnv(port),
      DATABASE_URL: db.url,
      MESOS_MASTER: mesos.url,
      RETRY_DELAY_MS: '300',
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-50_000);
  };
  app.stdout?.on('data', keep);
  app.stderr?.on('data', keep);
  let exited: string | null = null;
  app.on('exit', (code, signal) => {
    exited = `exited (${signal ?? code})`;
  });

  const stop = async () => {
    if (!exited) {
      const gone = new Promise<void>((r) => app.once('exit', () => r()));
      app.kill('SIGTERM');
      const t = setTimeout(() => app.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    await mesos.stop().catch(() => {});
    await db.drop().catch(() => {});
    fs.rmSync(workDir, { recursive: true, force: true });
    snap.remove();
  };

  try {
    await waitFor(
      'the app to answer /ping',
      async () => {
        if (exited) throw new Error(`the server ${exited}:\n${output}`);
        try {
          const r = await fetch(`${url}/ping`);
          return r.ok || r.status === 401; // with HTTP_CREDENTIALS set, /ping is protected too

        } catch {
          return false;
        }
      },
      60_000,
      100,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, mesosUrl: mesos.url, databaseUrl: db.url, output: () => output, stop };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

/**
 * The URL of the app started by e2e/global-setup.ts (E2E_BASE_URL, set there before the test
 * workers start; set it yourself to run the suite against an app you started).
 */
export function appUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('no app: run through e2e/vitest.config.ts (its globalSetup starts the app) or set E2E_BASE_URL');
  return url;
}

/* ------------------------------------------------------------------ browser */

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

export interface TestPage {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A page in a fresh context: `theme` sets the system colour scheme (the app follows it by default),
 * `timezoneId` the browser's zone, `viewport` its size (a phone: 390×844 with `touch`). Console errors and uncaught exceptions land in `errors`.
 */
export async function newPage(
  browser: Browser,
  opts: { theme?: 'light' | 'dark'; timezoneId?: string; baseURL?: string; viewport?: { width: number; height: number }; touch?: boolean } = {},
): Promise<TestPage> {
  const context = await browser.newContext({
    colorScheme: opts.theme ?? 'light',
    timezoneId: opts.timezoneId ?? 'UTC',
    viewport: opts.viewport ?? { width: 1360, height: 900 },
    hasTouch: opts.touch ?? false,
    isMobile: opts.touch ?? false,
    baseURL: opts.baseURL,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    // "Failed to load resource" says which resource only in its location.
    if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location()?.url ? ` (${m.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors, close: () => context.close() };
}

/**
 * Waits until the page is hydrated (<html data-hydrated>, app/components/providers.tsx): its
 * content comes with the HTML, its event handlers with the JavaScript. Clicks, typing and picked
 * options before then are replayed once it is (app/components/early-input.ts); keyboard shortcuts
 * and hover are not: wait for this first.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => document.documentElement.hasAttribute('data-hydrated'));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
}

/**
 * From now on this page's context gets pages without server-rendered data (the cookie
 * app/components/server-data.ts honours): the browser fetches every /api/… answer itself, so
 * `page.route` stubs decide what the page shows. Before the first goto.
 */
export async function answersFromStubs(page: Page): Promise<void> {
  await page.context().addCookies([{ name: 'sisyphus-preload', value: 'off', url: new URL(appUrl()).origin }]);
}

/** A full-page PNG under e2e/artifacts/<name>.png (gitignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/* ------------------------------------------------------------------ waiting */

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe();
    if (v) return v;
    last = v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/* ------------------------------------------------------------------ API fixture */

/** The Chronos job JSON as the API accepts it (the zod schema's input type). */
export type JobJson = z.input<typeof jobInputSchema>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: ${status} ${body}`);
  }
}

/** A typed client of the Chronos REST API and the UI API, for arranging and checking state. */
export class ChronosApi {
  constructor(readonly baseURL: string) {}

  private async call(method: string, p: string, body?: unknown): Promise<string> {
    const r = await fetch(`${this.baseURL}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new ApiError(r.status, text, `${method} ${p}`);
    return text;
  }

  /** POST /v1/scheduler/iso8601 (a scheduled job; `schedule` defaults to far in the future). */
  async createJob(job: JobJson): Promise<void> {
    await this.call('POST', '/v1/scheduler/iso8601', { schedule: 'R/2100-01-01T00:00:00Z/P1D', ...job });
  }
  /** POST /v1/scheduler/dependency. */
  async createDependent(job: JobJson & { parents: string[] }): Promise<void> {
    await this.call('POST', '/v1/scheduler/dependency', job);
  }
  /** PUT /v1/scheduler/job/{name}: a manual run now. */
  async runJob(name: string, args?: string): Promise<void> {
    await this.call('PUT', `/v1/scheduler/job/${encodeURIComponent(name)}${args ? `?arguments=${encodeURIComponent(args)}` : ''}`);
  }
  /** GET /v1/scheduler/job/{name}, or null when it does not exist (Chronos answers 400). */
  async getJob(name: string): Promise<Record<string, unknown> | null> {
    try {
      return JSON.parse(await this.call('GET', `/v1/scheduler/job/${encodeURIComponent(name)}`)) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 400 || e.status === 404)) return null;
      throw e;
    }
  }
  /** GET /v1/scheduler/jobs/search?name=&limit= (case-insensitive substring of the name; Chronos's limit is 10 unless given). */
  async searchJobs(name: string, limit = 1000): Promise<Array<Record<string, unknown>>> {
    return JSON.parse(await this.call('GET', `/v1/scheduler/jobs/search?name=${encodeURIComponent(name)}&limit=${limit}`)) as Array<Record<string, unknown>>;
  }
  /** The one job named exactly `name`, through the search endpoint (null when absent). */
  async searchJob(name: string): Promise<Record<string, unknown> | null> {
    return (await this.searchJobs(name)).find((j) => j.name === name) ?? null;
  }
  /** Whether the job is stored (GET /api/jobs/{name}: 404 when not). */
  async exists(name: string): Promise<boolean> {
    const r = await fetch(`${this.baseURL}/api/jobs/${encodeURIComponent(name)}`);
    if (r.status === 404) return false;
    if (!r.ok) throw new ApiError(r.status, await r.text(), `GET /api/jobs/${name}`);
    return true;
  }
  async deleteJob(name: string): Promise<void> {
    await this.call('DELETE', `/v1/scheduler/job/${encodeURIComponent(name)}`);
  }
  async jobDetail(name: string): Promise<JobDetail> {
    return JSON.parse(await this.call('GET', `/api/jobs/${encodeURIComponent(name)}`)) as JobDetail;
  }
  /** GET /api/runs?job= (newest first). */
  async runs(job: string, limit = 50): Promise<RunRow[]> {
    return (JSON.parse(await this.call('GET', `/api/runs?job=${encodeURIComponent(job)}&limit=${limit}`)) as RunPage).runs;
  }
  async dashboard(): Promise<Dashboard> {
    return JSON.parse(await this.call('GET', '/api/dashboard')) as Dashboard;
  }
  /** Waits until the newest run of `job` is in one of `states`. */
  async waitForRun(job: string, states: RunRow['state'][], timeoutMs = 30_000): Promise<RunRow> {
    return waitFor(`a run of ${job} in ${states.join('|')}`, async () => {
      const [r] = await this.runs(job, 1);
      return r && states.includes(r.state) ? r : null;
    }, timeoutMs);
  }
}
