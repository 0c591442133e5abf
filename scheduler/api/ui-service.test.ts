/**
 * The UI's JSON API against the real PostgreSQL (a throwaway database per part), no scheduler in
 * this process. With a real scheduler on mesos-local: ui-service.mesos-local.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import type { Instant, Job } from '../core/types';
import { FakeRuntime } from '../testing/fake-runtime';
import { TestClock } from '../testing/test-clock';
import { parseJob } from './job-schema';
import { ApiError } from './errors';
import { parseJobPageQuery, UiFieldError, UiService, type UiElector } from './ui-service';

const NOW: Instant = Date.parse('2026-03-01T12:00:00.000Z');

function mkJob(name: string, extra: Record<string, unknown> = {}): Job {
  const r = parseJob({ name, command: `echo ${name}`, schedule: 'R/2030-01-01T00:00:00Z/PT1H', ...extra }, { now: NOW });
  if (!r.ok) throw new Error(`${name}: ${r.error.field}: ${r.error.message}`);
  return r.value;
}

async function seed(store: PrismaStore, jobs: Job[], batch = 5000): Promise<void> {
  for (let i = 0; i < jobs.length; i += batch) await store.jobs.apply({ put: jobs.slice(i, i + batch) });
}

/* ================================================================== store only, no scheduler */

describe('UI API over the store (no scheduler in this process)', () => {
  let db: TestDatabase;
  let store: PrismaStore;
  let clock: TestClock;
  let runtime: FakeRuntime;
  let ui: UiService;
  let elector: UiElector | null = null;

  /**
   * 1,000 jobs: job-0000 … job-0999. Every 10th (from 5) is a dependent of the job before it;
   * statuses cycle success / failure / fresh; every 7th is disabled; owners owner0…owner4; the
   * scheduled ones start i minutes after 2030-01-01 (so nextRun follows the index), every 50th
   * is a cron job.
   */
  const N = 1000;
  const name = (i: number) => `job-${String(i).padStart(4, '0')}`;
  function fixture(i: number): Job {
    const base: Record<string, unknown> = {
      owner: `owner${i % 5}@example.com`,
      command: i % 3 === 0 ? `python etl.py --part ${i}` : `echo ${i}`,
      disabled: i % 7 === 0,
      lastSuccess: i % 3 === 0 ? '2026-02-01T00:00:00.000Z' : i % 3 === 1 ? '2026-01-01T00:00:00.000Z' : '',
      lastError: i % 3 === 1 ? `2026-02-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z` : '',
    };
    if (i % 10 === 5) return mkJob(name(i), { ...base, schedule: undefined, parents: [name(i - 1)] });
    if (i % 50 === 0) return mkJob(name(i), { ...base, schedule: '0 3 * * *' });
    const start = new Date(Date.parse('2030-01-01T00:00:00Z') + i * 60_000).toISOString();
    return mkJob(name(i), { ...base, schedule: `R/${start}/P1D` });
  }

  beforeAll(async () => {
    db = await createTestDatabase('sisyphus_ui_api');
    store = await createStore({ databaseUrl: db.url, poolSize: 4 });
    clock = new TestClock(NOW);
    runtime = new FakeRuntime(clock);
    ui = new UiService({ store, runtime, clock, scheduler: () => null, elector: () => elector, master: () => null });
    await seed(store, Array.from({ length: N }, (_, i) => fixture(i)));
    runtime.activities.set(name(1), { queued: 1, running: 0 });
    runtime.activities.set(name(2), { queued: 0, running: 2 });
  });

  afterAll(async () => {
    ui?.dispose();
    await store?.close();
    await db?.drop();
  });

  it('a job retrying after a failed attempt: "retrying (attempt 2 of 3)" in its row, the filter and the dashboard', async () => {
    const job = name(3);
    const retries = (await store.jobs.get(job))!.retries;
    runtime.activities.set(job, { queued: 1, running: 0, retrying: 1 });
    try {
      const page = await ui.jobs({ state: ['retrying'] });
      expect(page.jobs.map((j) => j.name)).toEqual([job]);
      expect(page.jobs[0].state).toEqual({ state: 'queued', queued: 1, running: 0, retry: { attempt: 2, of: retries + 1 } });
      expect((await ui.jobs({ q: name(1) })).jobs[0].state.retry).toBeNull(); // queued, not retrying
      expect((await ui.dashboard()).counts.retrying).toBe(1);
      expect((await ui.jobDetail(job)).row.state.retry).toEqual({ attempt: 2, of: retries + 1 });
    } finally {
      runtime.activities.delete(job);
    }
  });

  it('pages through every job in name order, with totals', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 300) {
      const page = await ui.jobs({ offset, limit: 300 });
      expect(page.total).toBe(N);
      expect(page.offset).toBe(offset);
      if (page.jobs.length === 0) break;
      seen.push(...page.jobs.map((j) => j.name));
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => name(i)));
    const desc = await ui.jobs({ sort: 'name', dir: 'desc', limit: 2 });
    expect(desc.jobs.map((j) => j.name)).toEqual([name(999), name(998)]);
  });

  it.each([
    { case: 'q on the name', query: { q: 'JOB-012' }, expect: (i: number) => Math.floor(i / 10) === 12 },
    { case: 'q on the command', query: { q: 'etl.py' }, expect: (i: number) => i % 3 === 0 },
    { case: 'q on the owner', query: { q: 'OWNER3@' }, expect: (i: number) => i % 5 === 3 },
    { case: 'owner filter', query: { owner: 'owner4' }, expect: (i: number) => i % 5 === 4 },
    { case: 'status success', query: { status: ['success' as const] }, expect: (i: number) => i % 3 === 0 },
    { case: 'status failure', query: { status: ['failure' as const] }, expect: (i: number) => i % 3 === 1 },
    { case: 'status fresh', query: { status: ['fresh' as const] }, expect: (i: number) => i % 3 === 2 },
    { case: 'disabled', query: { disabled: true }, expect: (i: number) => i % 7 === 0 },
    { case: 'enabled', query: { disabled: false }, expect: (i: number) => i % 7 !== 0 },
    { case: 'dependent', query: { kind: 'dependent' as const }, expect: (i: number) => i % 10 === 5 },
    { case: 'queued', query: { state: ['queued' as const] }, expect: (i: number) => i === 1 },
    { case: 'running or queued', query: { state: ['running' as const, 'queued' as const] }, expect: (i: number) => i === 1 || i === 2 },
    {
      case: 'filters combine',
      query: { status: ['success' as const], kind: 'scheduled' as const, disabled: false },
      expect: (i: number) => i % 3 === 0 && i % 10 !== 5 && i % 7 !== 0,
    },
  ])('filter: $case', async ({ query, expect: want }) => {
    const page = await ui.jobs({ ...query, limit: 500 });
    const expected = Array.from({ length: N }, (_, i) => i).filter(want).map(name);
    expect(page.total).toBe(expected.length);
    expect(page.jobs.map((j) => j.name)).toEqual(expected.slice(0, 500));
  });

  it('rows carry status, state, kind and the next run', async () => {
    const { jobs } = await ui.jobs({ limit: 6 });
    expect(jobs[0]).toMatchObject({ name: name(0), status: 'success', disabled: true, nextRun: null, kind: 'scheduled' });
    expect(jobs[1]).toMatchObject({ status: 'failure', state: { state: 'queued', queued: 1, running: 0 } });
    expect(jobs[2]).toMatchObject({ status: 'fresh', state: { state: 'running', running: 2, queued: 0 } });
    expect(jobs[3].nextRun).toBe(Date.parse('2030-01-01T00:03:00Z'));
    expect(jobs[5]).toMatchObject({ kind: 'dependent', schedule: '', parents: [name(4)], nextRun: null });
  });

  it('sorts by next run (none last), last error, status', async () => {
    const asc = await ui.jobs({ sort: 'nextRun', limit: 500, offset: 0 });
    const rest = await ui.jobs({ sort: 'nextRun', limit: 500, offset: 500 });
    const all = [...asc.jobs, ...rest.jobs];
    const firstNull = all.findIndex((j) => j.nextRun === null);
    const withNext = all.slice(0, firstNull).map((j) => j.nextRun!);
    expect(withNext).toEqual([...withNext].sort((a, b) => a - b));
    expect(all.slice(firstNull).every((j) => j.nextRun === null)).toBe(true);
    // the cron jobs (03:00 daily, next one 2026-03-02 03:00) come before the 2030 starts
    expect(all[0].schedule).toBe('0 3 * * *');
    expect(all[0].nextRun).toBe(Date.parse('2026-03-02T03:00:00Z'));

    const desc = await ui.jobs({ sort: 'nextRun', dir: 'desc', limit: 3 });
    expect(desc.jobs[0].nextRun).toBe(Math.max(...withNext));

    const err = await ui.jobs({ sort: 'lastError', dir: 'desc', limit: 500 });
    const errs = err.jobs.map((j) => j.lastError);
    const set = errs.filter((e) => e !== '');
    expect(set).toEqual([...set].sort().reverse());
    expect(errs.slice(set.length).every((e) => e === '')).toBe(true);

    const st = await ui.jobs({ sort: 'status', limit: 500 });
    expect(st.jobs[0].status).toBe('failure');
  });

  it('query parsing names the bad parameter; limit is at most 500', () => {
    expect(parseJobPageQuery(new URLSearchParams('q=x&status=success,fresh&disabled=false&sort=nextRun&dir=desc&limit=50'))).toMatchObject({
      q: 'x',
      status: ['success', 'fresh'],
      disabled: false,
      sort: 'nextRun',
      dir: 'desc',
      limit: 50,
    });
    for (const [qs, field] of [
      ['limit=501', 'limit'],
      ['status=ok', 'status'],
      ['sort=owner', 'sort'],
      ['offset=-1', 'offset'],
      ['disabled=yes', 'disabled'],
    ] as const) {
      let caught: unknown;
      try {
        parseJobPageQuery(new URLSearchParams(qs));
      } catch (e) {
        caught = e;
      }
      expect(caught, qs).toBeInstanceOf(UiFieldError);
      expect((caught as UiFieldError).field).toBe(field);
    }
  });

  it('graph: everything, or only the ancestors and descendants of the focus', async () => {
    await store.jobs.apply({
      put: [
        mkJob('g-a'),
        mkJob('g-b', { schedule: undefined, parents: ['g-a'] }),
        mkJob('g-c', { schedule: undefined, parents: ['g-b'] }),
        mkJob('g-x', { schedule: undefined, parents: ['g-a'] }),
        mkJob('g-lonely'),
      ],
    });
    ui.invalidateJobs();
    const all = await ui.graph(null, { maxNodes: 5000 });
    expect(all.nodes).toHaveLength(N + 5);
    expect(all.omitted).toBeUndefined();
    const g = await ui.graph('g-b');
    expect(g.nodes.map((n) => n.name).sort()).toEqual(['g-a', 'g-b', 'g-c']);
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { source: 'g-a', target: 'g-b' },
        { source: 'g-b', target: 'g-c' },
      ]),
    );
    expect(g.edges).toHaveLength(2);
    expect(g.nodes.find((n) => n.name === 'g-c')).toMatchObject({ kind: 'dependent', status: 'fresh', state: 'idle' });
    await expect(ui.graph('g-nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('graph: beyond the node budget, whole pipelines largest first, then standalone jobs; the rest counted', async () => {
    // The fixture: 100 pipelines of two (job-0004 → job-0005, …), 800 standalone jobs; plus
    // g-a → {g-b → g-c, g-x} and g-lonely from the test above (1,005 jobs).
    const whole = await ui.graph();
    expect(whole.nodes).toHaveLength(1000); // GRAPH_MAX_NODES
    expect(whole.omitted).toEqual({ jobs: 5, pipelines: 0, standalone: 5, maxNodes: 1000 });
    const small = await ui.graph(null, { maxNodes: 9 });
    // the 4-job pipeline first, then two-job pipelines in name order; nothing is cut in two
    expect(small.nodes.map((n) => n.name)).toEqual(['g-a', 'g-b', 'g-c', 'g-x', 'job-0004', 'job-0005', 'job-0014', 'job-0015', 'g-lonely']);
    expect(small.edges).toEqual(
      expect.arrayContaining([
        { source: 'g-a', target: 'g-b' },
        { source: 'job-0004', target: 'job-0005' },
        { source: 'job-0014', target: 'job-0015' },
      ]),
    );
    expect(small.edges).toHaveLength(5);
    expect(small.omitted).toEqual({ jobs: 1005 - 9, pipelines: 98, standalone: 1005 - 9 - 98 * 2, maxNodes: 9 });
    // a pipeline larger than the budget is still drawn whole when it is the largest
    const tiny = await ui.graph(null, { maxNodes: 2 });
    expect(tiny.nodes.map((n) => n.name)).toEqual(['g-a', 'g-b', 'g-c', 'g-x']);
    // the focus view is never cut
    expect((await ui.graph('g-c', { maxNodes: 1 })).nodes).toHaveLength(3);
    // with a layouter the answer carries the positions of exactly its nodes
    const asked: string[][] = [];
    const laidOut = new UiService({
      store, runtime, clock, scheduler: () => null, elector: () => null, master: () => null,
      layouter: { layout: async (d) => (asked.push(d.nodes.map((n) => n.name)), { positions: Object.fromEntries(d.nodes.map((n, i) => [n.name, [0, i * 60]])), width: 210, height: 60 * d.nodes.length, ms: 1 }) },
    });
    expect((await laidOut.graph('g-c')).layout).toBeUndefined(); // only when asked for
    const focused = await laidOut.graph('g-c', { layout: true });
    expect(asked.map((a) => [...a].sort())).toEqual([['g-a', 'g-b', 'g-c']]);
    expect(Object.keys(focused.layout!.positions).sort()).toEqual(['g-a', 'g-b', 'g-c']);
    laidOut.dispose();
    expect((await ui.graph('g-c')).layout).toBeUndefined(); // none: the browser lays it out
  });

  it('validate: field errors, the upsert checks, nothing stored', async () => {
    const before = await store.jobs.count();
    const v1 = await ui.validate({ name: 'bad name!', command: 'x', cpus: -1, schedule: 'R/2030-01-01T00:00:00Z/P1D' });
    expect(v1.ok).toBe(false);
    const fields = v1.ok ? [] : v1.errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'cpus']));
    expect(await ui.validate({ name: 'v', command: 'x', schedule: 'R/2030-01-01T00:00:00Z/P1D', scheduleTimeZone: 'Mars/Olympus' })).toMatchObject({
      ok: false,
      errors: [{ field: 'scheduleTimeZone' }],
    });
    expect(await ui.validate({ name: 'v', command: 'x', schedule: 'every day' })).toMatchObject({ ok: false, errors: [{ field: 'schedule' }] });
    expect(await ui.validate({ name: 'v', command: 'x', parents: ['no-such-job'] })).toMatchObject({
      ok: false,
      errors: [{ field: 'parents', message: expect.stringContaining('no-such-job') }],
    });
    // g-a is an ancestor of g-c: making g-a depend on g-c closes a cycle
    expect(await ui.validate({ name: 'g-a', command: 'x', parents: ['g-c'] }, 'dependency')).toMatchObject({
      ok: false,
      errors: [{ field: 'parents', message: expect.stringMatching(/cycle/i) }],
    });
    expect(await ui.validate({ name: 'v-ok', command: 'x', schedule: 'R/2030-01-01T00:00:00Z/P1D' })).toEqual({ ok: true });
    expect(await ui.validate({ name: 'v-ok2', command: 'x', parents: ['g-a'] })).toEqual({ ok: true });
    expect(await store.jobs.count()).toBe(before);
    expect(runtime.calls).toHaveLength(0);
  });

  it('preview: runs in the zone, a DST gap flagged, errors name the field', () => {
    const p = ui.preview('R/2026-03-07T02:30:00/P1D', 'America/New_York', 3);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.description).toBe('every day at 02:30 America/New_York, forever');
    expect(p.runs.map((r) => r.local)).toEqual([
      '2026-03-07T02:30:00.000-05:00',
      '2026-03-08T03:30:00.000-04:00',
      '2026-03-09T02:30:00.000-04:00',
    ]);
    expect(p.runs[1].flags).toContain('dst-gap');
    expect(p.runs[0].flags).toEqual([]);
    expect(ui.preview('30 2 * * 1-5', '', 2)).toMatchObject({ ok: true, description: "cron '30 2 * * 1-5' in UTC (at 02:30 on Monday–Friday)" });
    expect(ui.preview('R/2026-03-07T02:30:00/P1D', 'Nowhere/Else')).toMatchObject({ ok: false, field: 'scheduleTimeZone' });
    expect(ui.preview('whenever', '')).toMatchObject({ ok: false, field: 'schedule' });
    expect(ui.preview('', '')).toMatchObject({ ok: false, field: 'schedule' });
    expect(ui.preview('R/2026-03-07T02:30:00Z/P1D', '', 5000)).toMatchObject({ ok: false, field: 'n' });
  });

  it('job detail and next runs', async () => {
    await store.jobs.put(mkJob('d-job', { schedule: 'R5/2026-03-07T02:30:00/P1D', scheduleTimeZone: 'America/New_York', owner: 'me@x' }));
    await store.jobs.put(mkJob('d-child', { schedule: undefined, parents: ['d-job'] }));
    const t0 = NOW - 60_000;
    for (const [k, ms] of [[0, 1000], [1, 2000], [2, 3000], [3, 10_000]] as const) {
      const [r] = await store.runs.createMany([
        { jobName: 'd-job', due: t0 + k, attempt: 0, taskId: `ct:${t0 + k}:0:d-job:`, arguments: '', trigger: 'manual', highPriority: false, queuedAt: t0 },
      ]);
      await store.runs.update(r.taskId, { state: 'FINISHED', startedAt: t0 + k, finishedAt: t0 + k + ms });
    }
    ui.invalidateJobs();
    const d = await ui.jobDetail('d-job');
    expect(d.scheduleText).toBe('every day at 02:30 America/New_York, 5 more times');
    expect(d.children).toEqual(['d-child']);
    expect(d.job).toMatchObject({ name: 'd-job', owner: 'me@x', schedule: 'R5/2026-03-07T02:30:00/P1D' });
    expect(d.row).toMatchObject({ name: 'd-job', nextRun: Date.parse('2026-03-07T07:30:00Z'), status: 'fresh' });
    expect(d.stats).toMatchObject({ count: 4, mean: 4000 });
    expect(d.stats.p50).toBeGreaterThanOrEqual(2000);
    expect(d.currentRun).toMatchObject({ taskId: `ct:${t0 + 3}:0:d-job:`, state: 'FINISHED', durationMs: 10_000 });
    expect((await ui.jobDetail('d-child')).scheduleText).toBe('after d-job succeeded');

    const next = await ui.jobNext('d-job', 3);
    expect(next.map((r) => r.isoUtc)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(next[1].flags).toContain('dst-gap');
    expect(await ui.jobNext('d-child')).toEqual([]);
    await expect(ui.jobDetail('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('runs: filters and cursor pages; a bad cursor names the field', async () => {
    const page1 = await ui.runs(new URLSearchParams('job=d-job&limit=3'));
    expect(page1.runs).toHaveLength(3);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await ui.runs(new URLSearchParams(`job=d-job&limit=3&cursor=${page1.nextCursor}`));
    expect(page2.runs).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect((await ui.runs(new URLSearchParams('state=failed'))).runs).toHaveLength(0);
    expect((await ui.runs(new URLSearchParams('state=FINISHED'))).runs).toHaveLength(4);
    await expect(ui.runs(new URLSearchParams('cursor=garbage'))).rejects.toMatchObject({ field: 'cursor' });
    await expect(ui.runs(new URLSearchParams('state=NOPE'))).rejects.toMatchObject({ field: 'state' });
    // the timeline pages through a window 10,000 runs at a time
    expect((await ui.runs(new URLSearchParams('job=d-job&limit=10000'))).runs).toHaveLength(4);
    await expect(ui.runs(new URLSearchParams('limit=10001'))).rejects.toMatchObject({ field: 'limit' });
  });

  it('timeline: the runs a window draws, compact; runs due before it only while they still go', async () => {
    const H = 3_600_000;
    const from = NOW - 10 * H;
    const to = NOW - 2 * H;
    const ids = new Map<string, string>();
    const mk = async (label: string, due: number, startedAt: number | null, finishedAt: number | null, state: 'FINISHED' | 'RUNNING' | 'FAILED') => {
      const [r] = await store.runs.createMany([
        { jobName: 't-job', due, attempt: 0, taskId: `ct:${due}:0:t-job:`, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: due },
      ]);
      await store.runs.update(r.taskId, { state, startedAt, finishedAt });
      ids.set(r.id, label);
    };
    await mk('ended before the window', from - 5 * H, from - 5 * H + 10, from - 4 * H, 'FINISHED');
    await mk('started before, ended inside', from - 3 * H, from - 3 * H + 10, from + H, 'FINISHED');
    await mk('inside', from + 2 * H, from + 2 * H + 10, from + 3 * H, 'FAILED');
    await mk('still running', from - H, from - H + 10, null, 'RUNNING');
    await mk('due before the lookback', from - 7 * H, from - 7 * H + 10, from + H, 'FINISHED');
    await mk('due after the window', to + H, to + H + 10, to + 2 * H, 'FINISHED');
    const labels = (page: { runs: Array<[string, ...unknown[]]> }) => page.runs.map((t) => ids.get(t[0]));

    const all = await ui.timeline(new URLSearchParams(`job=t-job&from=${from}&to=${to}`));
    expect(labels(all)).toEqual(['inside', 'still running', 'started before, ended inside']);
    expect(all.nextCursor).toBeNull();
    expect(all.strings).toContain('t-job');
    expect(all.runs.every((t) => t[15] === 0)).toBe(true); // Chronos task ids are rebuilt by the browser
    // a rolling window (no end) draws the runs due after it too
    expect(labels(await ui.timeline(new URLSearchParams(`job=t-job&from=${from}`)))).toEqual(['due after the window', 'inside', 'still running', 'started before, ended inside']);
    // `limit` bounds the runs read (dropped ones count), the cursor continues
    const first = await ui.timeline(new URLSearchParams(`job=t-job&from=${from}&to=${to}&limit=2`));
    expect(labels(first)).toEqual(['inside', 'still running']);
    const rest = await ui.timeline(new URLSearchParams(`job=t-job&from=${from}&to=${to}&limit=20000&cursor=${first.nextCursor}`));
    expect(labels(rest)).toEqual(['started before, ended inside']);
    expect(rest.nextCursor).toBeNull();
    await expect(ui.timeline(new URLSearchParams('job=t-job'))).rejects.toMatchObject({ field: 'from' });
    await expect(ui.timeline(new URLSearchParams(`from=${from}&limit=20001`))).rejects.toMatchObject({ field: 'limit' });
    await expect(ui.timeline(new URLSearchParams(`from=${from}&cursor=garbage`))).rejects.toMatchObject({ field: 'cursor' });
  });

  it('bulk actions go through the Chronos rules', async () => {
    await store.jobs.apply({ put: [mkJob('bulk-1'), mkJob('bulk-2', { disabled: true }), mkJob('bulk-3')] });
    ui.invalidateJobs();
    const dis = await ui.bulk({ action: 'disable', names: ['bulk-1', 'bulk-2', 'bulk-nope'] });
    expect(dis.ok).toEqual(['bulk-1', 'bulk-2']);
    expect(dis.failed).toEqual([{ name: 'bulk-nope', error: expect.stringContaining('bulk-nope') }]);
    expect((await store.jobs.get('bulk-1'))!.disabled).toBe(true);
    expect((await ui.bulk({ action: 'enable', names: ['bulk-2'] })).ok).toEqual(['bulk-2']);
    expect((await store.jobs.get('bulk-2'))!.disabled).toBe(false);
    expect((await ui.bulk({ action: 'run', names: ['bulk-3'] })).ok).toEqual(['bulk-3']);
    expect(runtime.callsOf('runNow').map((c) => c.job.name)).toEqual(['bulk-3']);
    expect((await ui.bulk({ action: 'delete', names: ['bulk-3'] })).ok).toEqual(['bulk-3']);
    expect(await store.jobs.get('bulk-3')).toBeNull();
    expect((await ui.jobs({ q: 'bulk-', limit: 10 })).jobs.map((j) => j.name)).toEqual(['bulk-1', 'bulk-2']);
    await expect(ui.bulk({ action: 'explode', names: [] })).rejects.toMatchObject({ field: 'action' });
    await expect(ui.bulk({ action: 'run', names: 'bulk-1' })).rejects.toMatchObject({ field: 'names' });
  });

  it('bulk actions on every job matching a search and filters (select all matching)', async () => {
    await store.jobs.apply({
      put: [mkJob('allm-a'), mkJob('allm-b'), mkJob('allm-c', { disabled: true }), mkJob('allm-d', { owner: 'other@x' }), mkJob('nomatch-allm-x', { command: 'true' })],
    });
    ui.invalidateJobs();
    // q matches the name, command, owner or description: 'allm-' is in all five; narrowed by owner
    // to none of them, then by the search prefix with disabled=false.
    await expect(ui.bulk({ action: 'disable', query: { q: 'allm-', disabled: 'false' }, expect: 2 })).rejects.toMatchObject({ field: 'expect' });
    expect((await store.jobs.get('allm-a'))!.disabled).toBe(false); // nothing changed on a count mismatch
    const dis = await ui.bulk({ action: 'disable', query: { q: 'allm-', owner: 'other@', disabled: 'false' }, expect: 1 });
    expect(dis).toEqual({ ok: ['allm-d'], failed: [] });
    const all = await ui.bulk({ action: 'disable', query: { q: 'allm-', disabled: 'false', sort: 'name', offset: '0', limit: '1' } });
    // paging is ignored: every match, not the first page
    expect(all.ok).toEqual(['allm-a', 'allm-b', 'nomatch-allm-x']);
    for (const n of ['allm-a', 'allm-b', 'allm-c', 'allm-d', 'nomatch-allm-x']) expect((await store.jobs.get(n))!.disabled).toBe(true);
    expect((await ui.jobs({ q: 'allm-', disabled: false })).total).toBe(0);
    const en = await ui.bulk({ action: 'enable', query: { q: 'nomatch-' } });
    expect(en.ok).toEqual(['nomatch-allm-x']);
    expect((await store.jobs.get('nomatch-allm-x'))!.disabled).toBe(false);
    expect((await store.jobs.get('allm-a'))!.disabled).toBe(true);
    await expect(ui.bulk({ action: 'run', query: 'allm-' })).rejects.toMatchObject({ field: 'query' });
    await expect(ui.bulk({ action: 'run', query: { disabled: true } })).rejects.toMatchObject({ field: 'query' });
    await expect(ui.bulk({ action: 'run', query: { kind: 'weird' } })).rejects.toMatchObject({ field: 'kind' });
    await ui.bulk({ action: 'delete', query: { q: 'allm-' } });
    expect((await ui.jobs({ q: 'allm-' })).total).toBe(0);
  });

  it('instance and dashboard without a scheduler; with an elector', async () => {
    expect(ui.instance()).toEqual({ self: '127.0.0.1:8080', leader: null, isLeader: false, members: [] });
    elector = { id: 'b:8080', isLeader: () => false, leader: () => 'a:8080', members: () => ['a:8080', 'b:8080'] };
    expect(ui.instance()).toEqual({ self: 'b:8080', leader: 'a:8080', isLeader: false, members: ['a:8080', 'b:8080'] });
    const [queuedRun] = await store.runs.createMany([
      { jobName: name(3), due: NOW, attempt: 0, taskId: `ct:${NOW}:0:${name(3)}:`, arguments: '', trigger: 'manual', highPriority: false, queuedAt: NOW },
    ]);
    const d = await ui.dashboard();
    elector = null;
    expect(d.framework).toMatchObject({ configured: false, connected: false });
    expect(d.utilization).toBeNull();
    expect(d.queued).toEqual([{ run: expect.objectContaining({ taskId: queuedRun.taskId }), reason: expect.stringContaining('a:8080') }]);
    expect(d.counts.jobs).toBe(await store.jobs.count());
    expect(d.counts.success + d.counts.failure + d.counts.fresh).toBe(d.counts.jobs);
    expect(d.counts.idle + d.counts.queued + d.counts.running).toBe(d.counts.jobs);
    expect(d.counts).toMatchObject({ queued: 1, running: 1 });
    expect(ui.framework().configured).toBe(false);
    expect((await ui.cluster()).error).toMatch(/no Mesos master/);
  });

  it('log: unknown run is a 404, a queued run is unavailable', async () => {
    await expect(ui.log('ct:1:0:nope:', new URLSearchParams())).rejects.toBeInstanceOf(ApiError);
    const chunk = await ui.log(`ct:${NOW}:0:${name(3)}:`, new URLSearchParams());
    expect(chunk).toMatchObject({ data: '', unavailable: 'the run has not been launched yet' });
  });
});
