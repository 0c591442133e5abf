/**
 * UI speed (issue #5): with N jobs (default 10,000) and R runs (default 100,000) seeded, each
 * page's first render and each interaction in headless Chromium (playwright-core,
 * /usr/bin/chromium) against the real app (`next build` + `next start`) on PostgreSQL and
 * mesos-local. Every figure is the median of `reps` repetitions against the 2,000 ms limit the
 * issue states.
 *
 * Seed (seeded PRNG, so every run seeds the same data relative to its start time):
 * - jobs: 70% scheduled (ISO8601 daily at night in eight zones, hourly, every 5 minutes; 20% of
 *   them cron), 30% dependent in ~N/17 pipelines (chains, fan-outs, a few fan-ins; one nightly
 *   "transcode" pipeline of ~N/33 jobs), 5% disabled, eight owners. Every schedule's next due
 *   instant is at least 4 hours away, so nothing fires by itself during the bench; 20 jobs are
 *   started by hand once the app is up and stay RUNNING (mesos-local scale mode, 2 h tasks), so
 *   the dashboard has live runs.
 * - runs: the last 7 days of each job's schedule (dependents after their parents' successes),
 *   mostly FINISHED, some FAILED (with a retry), KILLED, LOST, with durations per job; trimmed at
 *   random to exactly R. Jobs carry the matching success/error counts and last success/error.
 *   Written through pg with multi-row INSERT … SELECT FROM unnest(…) (10,000 rows a statement).
 *
 * Timing: a page's first render is navigation start (performance.timeOrigin) → the moment its
 * content condition holds in the DOM (a MutationObserver installed before any page script runs
 * checks it on every DOM change), rounded up to the next animation frame. An interaction is the
 * input event (Playwright's fill/click/select, issued right after the observer is armed) → the
 * same kind of condition on the new content. Each page repetition uses a fresh browser context
 * (cold HTTP cache, as a new visitor); one unmeasured visit per page warms the server first.
 */
import fs from 'node:fs';
import os from 'node:os';
import { DateTime } from 'luxon';
import pg from 'pg';
import { loadMigrations, migratePostgres } from '../../scheduler/adapters/prisma/migrate';
import { parseJob } from '../../scheduler/api/job-schema';
import type { Job } from '../../scheduler/core/types';
import { createBenchDb, startApp, startMesos, type AppProcess } from './services';
import { fmt, median, progress, rng, say } from './util';

export const UI_LIMIT_MS = 2000;

export interface UiFigure {
  id: string;
  kind: 'page' | 'interaction';
  /** What is measured, for the table. */
  what: string;
  /** The condition that ends the measurement. */
  until: string;
  samples: number[];
  /** Set when a repetition did not reach its condition (timeout or error). */
  error?: string;
  /** The same figure on the baseline build (`--ui-baseline`), measured alternately with this one. */
  baseline?: { label: string; what: string; samples: number[] };
}

export interface UiApiFigure {
  path: string;
  ms: number[];
  bytes: number;
}

export interface UiResult {
  jobs: number;
  runs: number;
  seedSeconds: number;
  reps: number;
  limitMs: number;
  /** Facts the figures depend on. */
  facts: {
    detailJob: string;
    detailRuns: number;
    graphNodes: number;
    graphEdges: number;
    focusJob: string;
    focusNodes: number;
    nightWindowRuns: number;
  };
  figures: UiFigure[];
  api: UiApiFigure[];
  /** With `--ui-baseline`: that build's API answers and facts. */
  baseline?: { label: string; api: UiApiFigure[]; facts: UiResult['facts'] };
  /** 1-minute load average of the machine when each repetition started (other work shares the cores). */
  loadAverage: { min: number; max: number; median: number } | null;
}

/* ------------------------------------------------------------------ seed */

const ZONES = ['UTC', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];
const TEAMS = [
  ['media', 'Media pipeline'],
  ['data', 'Data platform'],
  ['billing', 'Billing'],
  ['search', 'Search'],
  ['ml', 'Machine learning'],
  ['ops', 'Operations'],
  ['growth', 'Growth analytics'],
  ['security', 'Security'],
] as const;
const VERBS = ['transcode', 'etl', 'report', 'backup', 'index', 'train', 'cleanup', 'sync', 'export', 'ingest', 'rollup', 'audit'];
const HOSTS = Array.from({ length: 40 }, (_, i) => `agent-${String(i).padStart(2, '0')}.dc1.example.com`);
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface SeedJob {
  job: Job;
  /** Scheduled: period and the UTC instants of its past due times are computed from these. */
  periodMs?: number;
  /** Scheduled daily: UTC ms-of-day of its local wall time (DST inside the week ignored). */
  phaseMs?: number;
  parents?: string[];
  /** Typical duration, ms; failure rate 0..1. */
  durMs: number;
  failRate: number;
}

export interface SeedInfo {
  jobs: number;
  runs: number;
  heavyJob: string;
  heavyRuns: number;
  focusJob: string;
  editJob: string;
  searchQuery: string;
  liveJobs: string[];
}

interface RunRec {
  job: string;
  due: number;
  attempt: number;
  trigger: string;
  state: string;
  launched: number;
  started: number;
  finished: number;
  host: string;
  message: string | null;
  reason: string | null;
}

/** Wall time `hh:mm` in `zone` on the day of `t`, as the first such instant ≥ t (luxon). */
function nextWall(t: number, zone: string, hour: number, minute: number): number {
  let d = DateTime.fromMillis(t, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
  if (d.toMillis() < t) d = d.plus({ days: 1 });
  return d.toMillis();
}

export function makeJobs(n: number, now: number, rand: () => number): { jobs: SeedJob[]; focusJob: string; heavy: string[]; live: string[] } {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const QUIET = 4 * HOUR; // no schedule is due sooner than this after the seed
  const nDependent = Math.round(n * 0.3);
  const nScheduled = n - nDependent;
  const nHeavy = Math.min(5, nScheduled);
  const out: SeedJob[] = [];
  const heavy: string[] = [];
  const live: string[] = [];
  const name = (i: number, verb: string, team: string) => `${verb}-${team}-${String(i).padStart(5, '0')}`;
  const base = (i: number, verb: string, team: (typeof TEAMS)[number]) => ({
    name: name(i, verb, team[0]),
    command: `/opt/${team[0]}/bin/${verb} --shard ${i % 64} --date "$(date -u +%F)"`,
    owner: `${team[0]}-oncall@example.com`,
    ownerName: team[1],
    description: `${verb} for ${team[1].toLowerCase()} (shard ${i % 64})`,
    cpus: pick([0.25, 0.5, 1, 2, 4]),
    mem: pick([128, 256, 512, 1024, 4096]),
    disk: 256,
    retries: pick([0, 1, 2]),
    disabled: rand() < 0.05,
  });

  for (let i = 0; i < nScheduled; i++) {
    const team = pick(TEAMS);
    const verb = pick(VERBS);
    const zone = pick(ZONES);
    const b = base(i, verb, team);
    let schedule: string;
    let periodMs: number;
    let phaseMs: number;
    if (i < nHeavy) {
      // every 5 minutes: the jobs with the longest history (2,016 runs a week)
      periodMs = 5 * MIN;
      const start = Math.ceil((now + QUIET) / periodMs) * periodMs;
      schedule = `R/${new Date(start).toISOString().replace('.000Z', 'Z')}/PT5M`;
      phaseMs = start % DAY;
      heavy.push(b.name);
      b.disabled = false;
    } else {
      const hourly = rand() < 0.03;
      periodMs = hourly ? HOUR : DAY;
      // night hours in the job's zone (18:00–07:59), outside the quiet window
      let hour = (18 + Math.floor(rand() * 14)) % 24;
      const minute = pick([0, 0, 5, 15, 30, 45]);
      const zoneHour = DateTime.fromMillis(now, { zone }).hour;
      if (!hourly && ((hour - zoneHour + 24) % 24) * HOUR < QUIET + HOUR) hour = (zoneHour + 5 + Math.floor(rand() * 12)) % 24;
      const first = hourly ? Math.ceil((now + QUIET) / HOUR) * HOUR + minute * MIN : nextWall(now + QUIET, zone, hour, minute);
      phaseMs = ((first % periodMs) + periodMs) % periodMs;
      if (!hourly && rand() < 0.2) {
        // cron, daily or on weekdays
        schedule = `${minute} ${hour} * * ${rand() < 0.3 ? '1-5' : '*'}`;
      } else {
        const local = DateTime.fromMillis(first, { zone: hourly ? 'UTC' : zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
        schedule = `R/${local}${hourly ? 'Z' : ''}/${hourly ? 'PT1H' : 'P1D'}`;
      }
    }
    // a zone for local wall times and cron; UTC instants ("…Z/") carry their own
    const fields = { ...b, schedule, ...(schedule.includes('Z/') ? {} : { scheduleTimeZone: zone }) };
    const r = parseJob(fields, { now, kind: 'iso8601' });
    if (!r.ok) throw new Error(`bad seed job ${JSON.stringify(fields)}: ${JSON.stringify(r.error)}`);
    const heavyTail = rand();
    out.push({
      job: r.value,
      periodMs,
      phaseMs,
      durMs: verb === 'transcode' ? 5 * MIN + heavyTail * 40 * MIN : heavyTail < 0.7 ? 2_000 + heavyTail * 60_000 : 60_000 + heavyTail * 30 * MIN,
      failRate: rand() < 0.1 ? 0.2 : rand() * 0.03,
    });
  }

  // Dependents in pipelines rooted at scheduled jobs: chains, fan-outs and a few fan-ins. The
  // first pipeline is the big nightly transcode batch (~n/33 jobs).
  const roots = out.filter((s) => !heavy.includes(s.job.name) && !s.job.disabled && s.periodMs === DAY);
  const nPipelines = Math.max(1, Math.min(roots.length, Math.round(nDependent / 5)));
  const pipelines: string[][] = [];
  for (let p = 0; p < nPipelines; p++) pipelines.push([roots[Math.floor((p / nPipelines) * roots.length)].job.name]);
  // the big nightly batch hangs off a transcode job
  const transcodeRoot = roots.find((r) => r.job.name.startsWith('transcode-') && !pipelines.some((pl) => pl[0] === r.job.name));
  if (transcodeRoot) pipelines[0] = [transcodeRoot.job.name];
  const bigSize = Math.max(2, Math.round(n / 33));
  for (let i = 0; i < nDependent; i++) {
    const pi = i < bigSize ? 0 : 1 + Math.floor(Math.pow(rand(), 1.6) * Math.max(1, nPipelines - 1)) % Math.max(1, nPipelines - 1);
    const pl = pipelines[Math.min(pi, pipelines.length - 1)];
    const team = pick(TEAMS);
    const verb = pi === 0 ? 'transcode' : pick(VERBS);
    const b = base(nScheduled + i, verb, pi === 0 ? TEAMS[0] : team);
    const x = rand();
    let parents: string[];
    if (x < (pi === 0 ? 0.25 : 0.55)) parents = [pl[pl.length - 1]]; // chain
    else if (x < 0.9 || pl.length < 3) parents = [pl[Math.floor(rand() * pl.length)]]; // fan-out
    else {
      const a = pl[Math.floor(rand() * pl.length)];
      let c = pl[Math.floor(rand() * pl.length)];
      if (c === a) c = pl[0] === a ? pl[1] : pl[0];
      parents = [a, c]; // fan-in
    }
    const r = parseJob({ ...b, parents }, { now, kind: 'dependency' });
    if (!r.ok) throw new Error(`bad seed job: ${JSON.stringify(r.error)}`);
    pl.push(b.name);
    out.push({ job: r.value, parents, durMs: pi === 0 ? MIN + rand() * 4 * MIN : 5_000 + rand() * 10 * MIN, failRate: rand() < 0.1 ? 0.15 : rand() * 0.02 });
  }
  for (let i = 0; i < 20 && i < out.length; i++) {
    const s = out[nHeavy + 1 + i * 7];
    if (s && !s.job.disabled && s.job.parents === undefined) live.push(s.job.name);
  }
  return { jobs: out, focusJob: pipelines[0][0], heavy, live };
}

export function makeRuns(jobs: SeedJob[], now: number, rand: () => number): RunRec[] {
  const from = now - 7 * DAY;
  const until = now - 2 * MIN;
  const runs: RunRec[] = [];
  /** Successful finishes of each job, for its dependents. */
  const finishes = new Map<string, number[]>();
  const one = (s: SeedJob, due: number, trigger: string): number | null => {
    let attempt = 1;
    let t = due;
    for (;;) {
      const launched = t + 50 + Math.floor(rand() * 1500);
      const started = launched + 100 + Math.floor(rand() * 900);
      const dur = Math.max(200, Math.round(s.durMs * (0.6 + rand() * 0.9)));
      const finished = started + dur;
      if (finished > until) return null; // would still be running: not seeded
      const x = rand();
      const state = x < s.failRate ? 'FAILED' : x < s.failRate + 0.004 ? 'KILLED' : x < s.failRate + 0.005 ? 'LOST' : 'FINISHED';
      runs.push({
        job: s.job.name,
        due,
        attempt,
        trigger: attempt > 1 ? 'retry' : trigger,
        state,
        launched,
        started,
        finished,
        host: HOSTS[Math.floor(rand() * HOSTS.length)],
        message: state === 'FAILED' ? `Command exited with status ${1 + Math.floor(rand() * 3)}` : state === 'KILLED' ? 'Killed by the user' : state === 'LOST' ? 'Agent lost' : null,
        reason: state === 'LOST' ? 'REASON_AGENT_REMOVED' : state === 'KILLED' ? 'REASON_TASK_KILLED_DURING_LAUNCH' : null,
      });
      if (state === 'FINISHED') return finished;
      if (attempt > s.job.retries || state === 'KILLED') return null;
      attempt++;
      t = finished + 5_000;
    }
  };
  for (const s of jobs) {
    const ok: number[] = [];
    if (s.parents) {
      // after each success of the first parent that the other parents also reached since
      const p = finishes.get(s.parents[0]) ?? [];
      for (const f of p) {
        const due = f;
        const r = one(s, due, 'dependency');
        if (r !== null) ok.push(r);
      }
    } else if (s.periodMs !== undefined && s.phaseMs !== undefined) {
      // disabled jobs stopped three days ago
      const end = s.job.disabled ? now - 3 * DAY : until;
      for (let due = Math.ceil((from - s.phaseMs) / s.periodMs) * s.periodMs + s.phaseMs; due < end; due += s.periodMs) {
        const r = one(s, due, 'schedule');
        if (r !== null) ok.push(r);
      }
    }
    finishes.set(s.job.name, ok);
  }
  return runs;
}

/** Seeds jobs, edges and runs into a migrated database through plain pg. */
export async function seedUi(dbUrl: string, nJobs: number, nRuns: number, now: number): Promise<SeedInfo> {
  const rand = rng(5);
  progress('ui seed: building jobs');
  const { jobs, focusJob, heavy, live } = makeJobs(nJobs, now, rand);
  progress('ui seed: building runs');
  let runs = makeRuns(jobs, now, rand);
  if (runs.length > nRuns) {
    // drop at random down to exactly nRuns (keeps the spread over the week)
    for (let i = runs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [runs[i], runs[j]] = [runs[j], runs[i]];
    }
    runs = runs.slice(0, nRuns);
  }
  runs.sort((a, b) => a.due - b.due || a.attempt - b.attempt);
  // the jobs' Chronos bookkeeping from their runs
  const byName = new Map(jobs.map((s) => [s.job.name, s.job]));
  for (const r of runs) {
    const j = byName.get(r.job)!;
    const at = new Date(r.finished).toISOString();
    if (r.state === 'FINISHED') {
      j.successCount++;
      j.lastSuccess = at;
      j.errorsSinceLastSuccess = 0;
    } else if (r.state === 'FAILED' || r.state === 'LOST') {
      j.errorCount++;
      j.lastError = at;
      j.errorsSinceLastSuccess++;
    }
  }

  await migratePostgres(dbUrl, loadMigrations());
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const B = 2000;
    for (let i = 0; i < jobs.length; i += B) {
      const batch = jobs.slice(i, i + B).map((s) => s.job);
      await c.query(
        `INSERT INTO jobs (name, command, data, version, updated_at)
         SELECT e->>'name', coalesce(e->>'command', ''), e, 1, now() FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(batch)],
      );
      progress(`ui seed: jobs ${fmt(Math.min(jobs.length, i + B))}/${fmt(jobs.length)}`);
    }
    const edges = jobs.flatMap((s) => (s.parents ?? []).map((p) => [s.job.name, p]));
    for (let i = 0; i < edges.length; i += 10_000) {
      const e = edges.slice(i, i + 10_000);
      await c.query(`INSERT INTO dependency_edges (child, parent, count) SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`, [
        e.map((x) => x[0]),
        e.map((x) => x[1]),
        e.map(() => 0),
      ]);
    }
    const R = 10_000;
    const iso = (t: number) => new Date(t).toISOString();
    for (let i = 0; i < runs.length; i += R) {
      const b = runs.slice(i, i + R);
      await c.query(
        `INSERT INTO runs (job_name, due, attempt, task_id, arguments, trigger, high_priority, state, queued_at, launched_at, started_at, finished_at, agent_id, host, message, reason)
         SELECT j, d, a, t, '', tr, false, s, d, l, st, f, h, h, m, r
           FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[], $12::text[])
             AS x(j, d, a, t, tr, s, l, st, f, h, m, r)`,
        [
          b.map((r) => r.job),
          b.map((r) => iso(r.due)),
          b.map((r) => r.attempt),
          b.map((r) => `ct:${r.due}:${r.attempt}:${r.job}:`),
          b.map((r) => r.trigger),
          b.map((r) => r.state),
          b.map((r) => iso(r.launched)),
          b.map((r) => iso(r.started)),
          b.map((r) => iso(r.finished)),
          b.map((r) => r.host),
          b.map((r) => r.message),
          b.map((r) => r.reason),
        ],
      );
      progress(`ui seed: runs ${fmt(Math.min(runs.length, i + R))}/${fmt(runs.length)}`);
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  const heavyRuns = runs.filter((r) => r.job === heavy[0]).length;
  const editJob = jobs.find((s) => s.parents && s.parents.length > 1)?.job.name ?? jobs[jobs.length - 1].job.name;
  return { jobs: jobs.length, runs: runs.length, heavyJob: heavy[0], heavyRuns, focusJob, editJob, searchQuery: 'backup-ops', liveJobs: live };
}

/* ------------------------------------------------------------------ browser timing */

/**
 * Runs in the page: resolves window.__benchDone with the time (performance.now(), ms since
 * navigation start) at the animation frame after `cond` first holds, checking on every DOM change.
 * `cond` is a JS expression. With `after`, `after` must hold first (a state change to wait past).
 */
const WATCH = `
// tsx (esbuild, keepNames) wraps named functions of the functions handed to page.evaluate in __name()
window.__name = window.__name || function (f) { return f; };
window.__benchWatch = function (cond, after) {
  const test = new Function('return (' + cond + ');');
  const pre = after ? new Function('return (' + after + ');') : null;
  let passed = !pre;
  let done = false;
  return new Promise(function (resolve) {
    const check = function () {
      if (done) return;
      try {
        if (!passed) { if (pre()) passed = true; else return; }
        if (!test()) return;
      } catch (e) { return; }
      done = true;
      obs.disconnect();
      clearInterval(iv);
      requestAnimationFrame(function () { resolve(performance.now()); });
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    const iv = setInterval(check, 50);
    check();
  });
};
// A step armed in a document that then navigated away (a link followed as a plain link, before the
// page hydrated) goes on here, with its time in that first document's clock.
try {
  const pending = sessionStorage.getItem('__benchStep');
  if (pending) {
    sessionStorage.removeItem('__benchStep');
    const step = JSON.parse(pending);
    const shift = performance.timeOrigin - step.origin;
    window.__benchStep = window.__benchWatch(step.cond, step.after || undefined).then(function (t) { return t + shift; });
  }
} catch (e) {}`;

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

const CONTEXT = { viewport: { width: 1440, height: 900 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' as const };

async function newPage(browser: Browser, firstLoadCond?: string): Promise<Page> {
  const ctx = await browser.newContext(CONTEXT);
  await ctx.addInitScript({ content: WATCH + (firstLoadCond ? `\nwindow.__benchDone = window.__benchWatch(${JSON.stringify(firstLoadCond)});` : '') });
  return ctx.newPage();
}

/**
 * The value of the promise window[key] (set by the watcher), with a timeout. A navigation to a new
 * document meanwhile is followed: the watcher goes on there (WATCH, __benchStep).
 */
async function awaitInPage(page: Page, key: '__benchDone' | '__benchStep', timeoutMs: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  const read = async (): Promise<number> => {
    for (;;) {
      try {
        return await page.evaluate(
          (k) =>
            new Promise<number>((resolve) => {
              const w = window as unknown as Record<string, Promise<number> | undefined>;
              const poll = () => (w[k] ? w[k]!.then(resolve) : setTimeout(poll, 10));
              poll();
            }),
          key,
        );
      } catch (e) {
        if (!/context was destroyed|navigat/i.test((e as Error).message)) throw e;
      }
    }
  };
  try {
    return await Promise.race([read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function closePage(page: Page): Promise<void> {
  await page.context().close().catch(() => {});
}

/** Navigation start → cond, in a fresh context. */
async function timePageLoad(browser: Browser, url: string, cond: string, timeoutMs: number): Promise<number> {
  const page = await newPage(browser, cond);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    return await awaitInPage(page, '__benchDone', timeoutMs);
  } finally {
    await closePage(page);
  }
}

/** Opens url, waits for ready, then times act() → cond (after `after`, if given). */
async function timeInteraction(
  browser: Browser,
  url: string,
  ready: string,
  act: (page: Page) => Promise<void>,
  cond: string,
  timeoutMs: number,
  opts: { after?: string; prepare?: (page: Page) => Promise<void> } = {},
): Promise<number> {
  const page = await newPage(browser, ready);
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    await awaitInPage(page, '__benchDone', timeoutMs);
    await opts.prepare?.(page);
    const t0 = await page.evaluate(
      ([c, a]) => {
        const w = window as unknown as { __benchWatch: (c: string, a?: string) => Promise<number>; __benchStep: Promise<number> };
        // if the act navigates to a new document, WATCH arms the step there
        sessionStorage.setItem('__benchStep', JSON.stringify({ cond: c, after: a, origin: performance.timeOrigin }));
        w.__benchStep = w.__benchWatch(c, a ?? undefined);
        return performance.now();
      },
      [cond, opts.after ?? null] as const,
    );
    await act(page);
    return (await awaitInPage(page, '__benchStep', timeoutMs)) - t0;
  } finally {
    await closePage(page);
  }
}

/* ------------------------------------------------------------------ the benchmark */

const q = (s: string) => JSON.stringify(s);
const rowLink = (i: number) => `document.querySelector('[data-row-index="${i}"] a')`;
const text = (sel: string) => `(document.querySelector(${q(sel)})?.textContent ?? '')`;

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
  return (await r.json()) as T;
}

interface Target {
  label: string;
  base: string;
  seed: SeedInfo;
  db: Awaited<ReturnType<typeof createBenchDb>>;
  mesos: Awaited<ReturnType<typeof startMesos>> | null;
  app: AppProcess | null;
}

interface Figure {
  id: string;
  kind: 'page' | 'interaction';
  what: string;
  until: string;
  /** One measurement (ms); with `warm`, one unmeasured visit first. */
  once: (b: Browser) => Promise<number>;
  warm?: boolean;
}

/** Expected contents (from the target's own API: the UI must show what the API says) and the figures. */
async function figuresFor(t: Target, timeoutMs: number): Promise<{ figures: Figure[]; facts: UiResult['facts'] }> {
  const { base, seed } = t;
  const enc = encodeURIComponent;
  type Page0 = { jobs: Array<{ name: string }>; total: number };
  const all = await getJson<Page0>(`${base}/api/jobs?limit=1`);
  const search = await getJson<Page0>(`${base}/api/jobs?q=${seed.searchQuery}&limit=1`);
  const failing = await getJson<Page0>(`${base}/api/jobs?status=failure&limit=1`);
  const byNext = await getJson<Page0>(`${base}/api/jobs?sort=nextRun&dir=asc&limit=1`);
  const deepIndex = Math.min(all.total - 1, Math.floor(all.total * 0.8));
  const deep = await getJson<Page0>(`${base}/api/jobs?offset=${deepIndex}&limit=1`);
  const failedRun = await getJson<{ runs: Array<{ taskId: string }> }>(`${base}/api/runs?state=FAILED&limit=1`);
  const graph = await getJson<{ nodes: unknown[]; edges: unknown[] }>(`${base}/api/graph`);
  const focus = await getJson<{ nodes: unknown[] }>(`${base}/api/graph?focus=${enc(seed.focusJob)}`);
  const w = lastNight();
  let nightWindowRuns = 0;
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const p: { runs: unknown[]; nextCursor: string | null } = await getJson(`${base}/api/runs?from=${w.from}&to=${w.to}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    nightWindowRuns += p.runs.length;
    cursor = p.nextCursor;
  }

  const jobsReady = `${rowLink(0)}?.textContent === ${q(all.jobs[0].name)}`;
  const runsReady = `document.querySelector('[data-testid="run-row"]') !== null`;
  const graphReady = `document.querySelector('[data-testid="layout-time"]') !== null && document.querySelector('.react-flow__node') !== null`;
  const page = (id: string, what: string, url: string, cond: string, until: string): Figure => ({
    id,
    kind: 'page',
    what,
    until,
    warm: true,
    once: (b) => timePageLoad(b, url, cond, timeoutMs),
  });
  const act = (id: string, what: string, until: string, once: Figure['once']): Figure => ({ id, kind: 'interaction', what, until, once });
  const jobsUrl = `${base}/jobs`;
  const figures: Figure[] = [
    page('dashboard', 'dashboard', `${base}/`, `document.querySelector('section[aria-label="Job counts"]') !== null && document.querySelector('section[aria-label^="Recent failures"] a') !== null`, 'job counts and recent failures shown'),
    page('jobs', 'jobs', jobsUrl, jobsReady, 'first job row shows its name'),
    page('job-detail', `job detail (${fmt(seed.heavyRuns)} runs)`, `${base}/jobs/${enc(seed.heavyJob)}`, `document.querySelector('table[aria-label="Run history"] tbody tr') !== null && document.querySelector('h1') !== null`, 'run history rows shown'),
    page('editor-new', 'editor, new job', `${base}/jobs/new`, `document.querySelector('form[aria-label="New job"]') !== null && document.querySelector('[data-testid="schedule-preview"] table') !== null`, "the form shown with its schedule's preview"),
    page('editor-edit', 'editor, edit a dependent job', `${base}/jobs/${enc(seed.editJob)}/edit`, `document.querySelector(${q(`form[aria-label="Edit ${seed.editJob}"]`)}) !== null`, "the form shown with the job's values"),
    page('graph', `graph, whole (${fmt(graph.nodes.length)} nodes in the API answer)`, `${base}/graph`, graphReady, 'laid-out nodes shown'),
    page('graph-focus', `graph, one job's ancestors and descendants (${fmt(focus.nodes.length)} nodes)`, `${base}/graph?focus=${enc(seed.focusJob)}`, graphReady, 'laid-out nodes shown'),
    page('runs', 'runs', `${base}/runs`, runsReady, 'first run row shown'),
    page('timeline', 'runs timeline, last night 18–08', `${base}/runs?window=lastnight`, `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null`, 'first bars shown'),
    page(
      'timeline-all',
      `runs timeline, last night 18–08, whole window loaded (${fmt(nightWindowRuns)} runs)`,
      `${base}/runs?window=lastnight`,
      `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /[\\d,]+ runs? in the window/.test(document.body.innerText)`,
      '"N runs in the window" shown',
    ),
    page('cluster', 'cluster', `${base}/cluster`, `document.querySelector('[data-testid="agent-row"]') !== null`, 'agent rows shown'),
    act('jobs-search', `jobs: type a search ("${seed.searchQuery}", ${fmt(search.total)} matches)`, 'rows filtered', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.fill('#job-search', seed.searchQuery), `${rowLink(0)}?.textContent === ${q(search.jobs[0]?.name ?? '')} && document.body.innerText.includes(${q(`${search.total.toLocaleString('en-US')} job${search.total === 1 ? '' : 's'} match`)})`, timeoutMs),
    ),
    act('jobs-filter', `jobs: filter status = failure (${fmt(failing.total)} jobs)`, 'rows filtered', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, async (pg) => void (await pg.selectOption('#filter-status', 'failure')), `${rowLink(0)}?.textContent === ${q(failing.jobs[0]?.name ?? '')} && document.body.innerText.includes(${q(`${failing.total.toLocaleString('en-US')} jobs match`)})`, timeoutMs),
    ),
    act('jobs-sort', 'jobs: sort by next run', 'first row is the soonest job', (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.getByRole('button', { name: 'Next run', exact: false }).first().click(), `${rowLink(0)}?.textContent === ${q(byNext.jobs[0].name)}`, timeoutMs),
    ),
    act('jobs-scroll', `jobs: scroll to row ${fmt(deepIndex)}`, 'that row shows its job', (b) =>
      timeInteraction(
        b,
        jobsUrl,
        jobsReady,
        (pg) =>
          pg.evaluate((i) => {
            const row = document.querySelector('[data-row-index="0"]')!;
            const scroller = row.parentElement!.parentElement!;
            scroller.scrollTop = i * 52 - 100;
          }, deepIndex),
        `${rowLink(deepIndex)}?.textContent === ${q(deep.jobs[0].name)}`,
        timeoutMs,
      ),
    ),
    act('jobs-open', 'jobs: open a job from the list', "the job's run history shown", (b) =>
      timeInteraction(b, jobsUrl, jobsReady, (pg) => pg.locator('[data-row-index="0"] a').first().click(), `location.pathname === ${q(`/jobs/${enc(all.jobs[0].name)}`)} && document.querySelector('table[aria-label="Run history"] tbody tr') !== null`, timeoutMs),
    ),
    act('runs-filter', 'runs: filter state = failed', 'the newest failed run first', (b) =>
      timeInteraction(b, `${base}/runs`, runsReady, async (pg) => void (await pg.selectOption('#runs-state', 'FAILED')), `(document.querySelector('[data-testid="run-row"]')?.textContent ?? '').includes(${q(failedRun.runs[0]?.taskId ?? '?')})`, timeoutMs),
    ),
    act('timeline-window', 'runs timeline: window last 24 h → last night', 'whole window loaded ("N runs in the window")', (b) =>
      timeInteraction(
        b,
        `${base}/runs`,
        `document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /runs? in the window/.test(document.body.innerText)`,
        (pg) => pg.getByRole('button', { name: 'Last night 18–08' }).click(),
        `location.search.includes('window=lastnight') && document.querySelector('[data-testid="gantt"] rect[data-task-id]') !== null && /[\\d,]+ runs? in the window/.test(document.body.innerText)`,
        timeoutMs,
        { after: `/loading…/.test(document.body.innerText)` },
      ),
    ),
    act('graph-filter', `graph: focus on one job (${fmt(focus.nodes.length)} nodes)`, 'the focused graph laid out', (b) =>
      timeInteraction(
        b,
        `${base}/graph`,
        `document.querySelector('#graph-search') !== null && (document.querySelector('[data-testid="graph-canvas"]') !== null || /No jobs yet/.test(document.body.innerText))`,
        (pg) => pg.getByRole('button', { name: /^Focus on/ }).click(),
        `document.body.innerText.includes('Showing the ancestors and descendants of') && ${text('[data-testid="layout-time"]')}.startsWith(${q(`${fmt(focus.nodes.length)} job`)})`,
        timeoutMs,
        {
          prepare: async (pg) => {
            await pg.fill('#graph-search', seed.focusJob);
            await pg.waitForFunction(() => document.querySelector<HTMLButtonElement>('button[title^="Show only"]')?.disabled === false, undefined, { timeout: timeoutMs });
          },
        },
      ),
    ),
  ];
  return {
    figures,
    facts: {
      detailJob: seed.heavyJob,
      detailRuns: seed.heavyRuns,
      graphNodes: graph.nodes.length,
      graphEdges: graph.edges.length,
      focusJob: seed.focusJob,
      focusNodes: focus.nodes.length,
      nightWindowRuns,
    },
  };
}

/** Last night 18:00–08:00 UTC, as the runs page's preset computes it in the browser's zone (UTC here). */
function lastNight(): { from: number; to: number } {
  const local = DateTime.fromMillis(Date.now(), { zone: 'UTC' });
  const evening = local.hour < 8 ? local.minus({ days: 1 }).startOf('day') : local.startOf('day');
  const start = evening.minus({ days: 1 }).set({ hour: 18 });
  return { from: start.toMillis(), to: start.plus({ days: 1 }).set({ hour: 8 }).toMillis() };
}

/** Median GET time and size of the API answers the pages read (server + transfer, no browser). */
async function apiFigures(t: Target, reps: number): Promise<UiApiFigure[]> {
  const { base, seed } = t;
  const w = lastNight();
  const deepOffset = Math.floor((seed.jobs * 0.8) / 100) * 100;
  const paths = [
    '/api/dashboard',
    '/api/jobs?offset=0&limit=100',
    `/api/jobs?q=${seed.searchQuery}&offset=0&limit=100`,
    '/api/jobs?status=failure&offset=0&limit=100',
    '/api/jobs?sort=nextRun&dir=asc&offset=0&limit=100',
    `/api/jobs?offset=${deepOffset}&limit=100`,
    `/api/jobs/${seed.heavyJob}`,
    `/api/jobs/${seed.heavyJob}/next?n=10`,
    `/api/runs?job=${seed.heavyJob}&limit=50`,
    `/api/runs?from=${Date.now() - DAY}&limit=50`,
    `/api/runs?state=FAILED&from=${Date.now() - DAY}&limit=50`,
    `/api/runs?from=${w.from - 6 * HOUR}&to=${w.to}&limit=1000`,
    '/api/graph?layout=1',
    `/api/graph?focus=${seed.focusJob}&layout=1`,
    '/api/cluster',
  ];
  const out: UiApiFigure[] = [];
  for (const p of paths) {
    const f: UiApiFigure = { path: p.replace(/\d{13}/g, '…'), ms: [], bytes: 0 };
    for (let i = 0; i < Math.max(3, reps); i++) {
      const s = performance.now();
      const r = await fetch(base + p);
      const buf = await r.arrayBuffer();
      f.ms.push(performance.now() - s);
      f.bytes = buf.byteLength;
      if (!r.ok) throw new Error(`GET ${p} answered ${r.status}`);
    }
    out.push(f);
    progress(`ui${t.label ? ` (${t.label})` : ''}: API ${f.path}: ${fmt(median(f.ms))} ms`);
  }
  return out;
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
