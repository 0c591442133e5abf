/**
 * Speed of the scheduler's own code paths, in this process (no HTTP, no browser), each against a
 * goal: what used to be timed inside unit tests (a timed unit test fails on a loaded machine and
 * proves nothing on a quiet one; here the figure is printed with its goal, met or not).
 *
 *   matcher   one offer round of 10,000 pending tasks against 1,000 offers (best of 3, warmed up)
 *   ui-api    the jobs page's queries at 50,000 jobs in UiService: first page cold and warm, a
 *             substring search, filters, each sort, the dashboard (warm queries: best of 3)
 */
import { createStore } from '../../scheduler/adapters/prisma';
import { parseJob } from '../../scheduler/api/job-schema';
import { UiService } from '../../scheduler/api/ui-service';
import { matchOffers } from '../../scheduler/core/matcher';
import type { Job } from '../../scheduler/core/types';
import { FakeRuntime } from '../../scheduler/testing/fake-runtime';
import { SPEED_WORKLOAD, cpuUse, workload } from '../../scheduler/testing/matcher-workload';
import { TestClock } from '../../scheduler/testing/test-clock';
import { createBenchDb } from './services';
import { progress } from './util';

export interface SpeedFigure {
  id: string;
  label: string;
  ms: number;
  goalMs: number;
}

export interface CoreSpeedResult {
  jobs: number;
  figures: SpeedFigure[];
}

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

/** The best of `times` runs of `fn`, in ms. */
async function best(times: number, fn: () => unknown): Promise<number> {
  let b = Infinity;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}

function matcherFigure(): SpeedFigure {
  const warm = workload({ ...SPEED_WORKLOAD, seed: 1, agents: 100, saturation: 2 });
  matchOffers(warm);
  const input = workload(SPEED_WORKLOAD);
  input.pending = input.pending.slice(0, 10_000);
  let ms = Infinity;
  for (let run = 0; run < 3; run++) {
    const t = performance.now();
    const out = matchOffers(input);
    ms = Math.min(ms, performance.now() - t);
    if (out.launches.length !== 1000 || cpuUse(input, out) < 0.95) throw new Error('matcher: the benchmark round packed badly');
  }
  return { id: 'matcher', label: 'Matcher: 10,000 pending × 1,000 offers (best of 3)', ms, goalMs: 1000 };
}

function benchJobs(count: number): Job[] {
  const r = parseJob({ name: 't', command: 'echo t', schedule: 'R/2030-01-01T00:00:00Z/PT1H', owner: 'team@example.com' }, { now: NOW });
  if (!r.ok) throw new Error(r.error.message);
  const template = r.value;
  const jobs: Job[] = [];
  for (let i = 0; i < count; i++) {
    const start = new Date(Date.parse('2030-01-01T00:00:00Z') + (i % 1440) * 60_000).toISOString();
    jobs.push({
      ...template,
      name: `bench-${String(i).padStart(6, '0')}`,
      command: `run-task --shard ${i}`,
      owner: `team${i % 20}@example.com`,
      lastSuccess: i % 2 ? '2026-02-01T00:00:00.000Z' : '',
      lastError: i % 3 === 0 ? '2026-02-02T00:00:00.000Z' : '',
      schedule: i % 25 === 0 ? `${i % 60} * * * *` : `R/${start}/P1D`,
      scheduleTimeZone: i % 2 ? 'America/New_York' : 'UTC',
    });
  }
  return jobs;
}

async function uiApiFigures(count: number): Promise<SpeedFigure[]> {
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  try {
    const jobs = benchJobs(count);
    for (let i = 0; i < jobs.length; i += 5000) {
      await store.jobs.apply({ put: jobs.slice(i, i + 5000) });
      progress(`ui-api: ${Math.min(i + 5000, jobs.length)}/${jobs.length} jobs stored`);
    }
    const clock = new TestClock(NOW);
    const ui = new UiService({ store, runtime: new FakeRuntime(clock), clock, scheduler: () => null, elector: () => null, master: () => null });
    const GOAL = 1000; // the API's share of the jobs page's 2 s
    const figures: SpeedFigure[] = [];
    /** `once`: a first call measured alone (cold: after the snapshot is dropped); else the best of 3. */
    const query = async (id: string, label: string, q: Parameters<UiService['jobs']>[0], once: 'cold' | 'first' | false = false) => {
      progress(`ui-api: ${label}`);
      if (once === 'cold') ui.invalidateJobs();
      const ms = await best(once ? 1 : 3, () => ui.jobs(q));
      figures.push({ id, label: `UI API at ${count.toLocaleString('en-US')} jobs: ${label}`, ms, goalMs: GOAL });
    };
    await query('first-cold', 'first page, cold (every job read and turned into rows)', { limit: 100 }, 'cold');
    await query('first-warm', 'first page, warm', { limit: 100 });
    await query('search', 'q=shard 123 (substring)', { q: 'shard 123', limit: 100 });
    await query('filters', 'status=failure, owner=team7', { status: ['failure'], owner: 'team7@', limit: 100 });
    await query('sort-next-first', 'sort by next run, first time (a key per job)', { sort: 'nextRun', limit: 100 }, 'first');
    await query('sort-next-offset', `sort by next run desc, offset ${(count - 10_000).toLocaleString('en-US')}`, { sort: 'nextRun', dir: 'desc', offset: Math.max(0, count - 10_000), limit: 500 });
    await query('sort-error', 'sort by last error desc', { sort: 'lastError', dir: 'desc', limit: 100 });
    await query('sort-status', 'sort by status', { sort: 'status', limit: 100 });
    figures.push({ id: 'dashboard', label: `UI API at ${count.toLocaleString('en-US')} jobs: dashboard (warm)`, ms: await best(3, () => ui.dashboard()), goalMs: GOAL });
    const page = await ui.jobs({ sort: 'nextRun', limit: 3 });
    if (page.total !== count) throw new Error(`ui-api: ${page.total} jobs listed, ${count} stored`);
    ui.dispose();
    return figures;
  } finally {
    await store.close();
    await db.drop();
  }
}

export async function coreSpeed(opts: { uiJobs: number }): Promise<CoreSpeedResult> {
  progress('matcher: 10,000 × 1,000');
  const figures = [matcherFigure(), ...(await uiApiFigures(opts.uiJobs))];
  return { jobs: opts.uiJobs, figures };
}
