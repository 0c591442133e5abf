/**
 * The backfill route handlers as Next.js calls them, over the shared services and the real
 * PostgreSQL, with a worker without Mesos (runs are queued, never launched): a refused request
 * (fast-check: any bad field) is a 400 naming the field and starts nothing; the dry run's plan;
 * pause, resume and cancel.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '@/scheduler/adapters/prisma';
import type { BackfillDetailView, BackfillPlanView, BackfillView } from '@/scheduler/api/backfill-service';
import type { Scheduler } from '@/scheduler/runtime/assemble';
import { getRequest as get, postRequest as post, routeParams as ctx, startRouteApp, type RouteApp } from '@/scheduler/testing/route-app';
import { FC_SEED, fcParams } from '@/test/generated/settings';
import type { PipelineGrid } from '@/scheduler/api/ui-types';
import { GET as gridGET } from '../grid/route';
import { POST as backfillPOST } from '../jobs/[name]/backfill/route';
import { GET as listGET } from './route';
import { GET as oneGET } from './[id]/route';
import { POST as actionPOST } from './[id]/[action]/route';

let app: RouteApp;
let store: PrismaStore;
let scheduler: Scheduler;

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const start = (name: string, body: unknown) => backfillPOST(post(`/api/jobs/${name}/backfill`, body), ctx({ name }));
const backfillCount = async () => ((await (await listGET(get('/api/backfills'))).json()) as BackfillView[]).length;
const runCount = async () => (await store.runs.list({ limit: 10_000 })).runs.length;

beforeAll(async () => {
  app = await startRouteApp('sisyphus_backfill_routes');
  ({ store, scheduler } = app);
  const { services } = app;
  await services.chronos.upsertIso8601({ name: 'bf-hourly', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/PT1H' });
  await services.chronos.upsertIso8601({ name: 'bf-a', command: 'true', schedule: 'R/2100-01-01T02:00:00Z/P1D' });
  await services.chronos.upsertDependency({ name: 'bf-b', command: 'true', parents: ['bf-a'] });
  await services.chronos.upsertDependency({ name: 'bf-off', command: 'true', parents: ['bf-a'], disabled: true });
});

afterAll(() => app?.stop());

describe('POST /api/jobs/{name}/backfill refuses bad input', () => {
  it('any bad field: 400 naming it, and nothing starts (fast-check)', async () => {
    console.log(`[backfill routes] fast-check seed ${FC_SEED}`);
    const now = Date.now();
    const past = fc.integer({ min: 2 * HOUR, max: 400 * 24 * HOUR }).map((ago) => now - ago);
    const bad = fc.oneof(
      // to in the future
      fc.tuple(past, fc.integer({ min: HOUR, max: 1000 * 24 * HOUR })).map(([from, ahead]) => ({ body: { from: iso(from), to: iso(now + ahead) }, field: 'to' })),
      // from after to
      fc.tuple(past, fc.integer({ min: 1, max: 30 * 24 * HOUR })).map(([to, gap]) => ({ body: { from: iso(to + Math.min(gap, now - to - 1) + 1), to: iso(to) }, field: 'from' })),
      // more than BACKFILL_MAX_INSTANTS (1000) hourly instants
      fc.integer({ min: 1002, max: 5000 }).map((hours) => ({ body: { from: iso(now - hours * HOUR - HOUR), to: iso(now - HOUR) }, field: 'to' })),
      // concurrency below 1, not whole, not a number
      fc
        .oneof(fc.integer({ min: -1000, max: 0 }), fc.double({ min: 0.01, max: 50, noInteger: true }), fc.string(), fc.constant(null as unknown as number).map(() => true))
        .map((c) => ({ body: { from: iso(now - 5 * HOUR), to: iso(now - HOUR), concurrency: c }, field: 'concurrency' })),
      // from that is not an ISO 8601 instant with a zone
      fc
        .oneof(fc.string(), fc.constant('2026-11-01'), fc.constant('2026-11-01T00:00:00'), fc.integer(), fc.constant('1969-12-31T23:59:59Z'), fc.constant('+100000-01-01T00:00:00Z'))
        .filter((v) => v !== '' && !(typeof v === 'string' && /(Z|[+-]\d\d(:?\d\d)?)$/i.test(v) && !/^(1969|\+100000)/.test(v)))
        .map((v) => ({ body: { from: v, to: iso(now - HOUR) }, field: 'from' })),
      // downstream or force not a boolean
      fc.tuple(fc.constantFrom('downstream', 'force'), fc.oneof(fc.string(), fc.integer())).map(([f, v]) => ({ body: { from: iso(now - 5 * HOUR), to: iso(now - HOUR), [f]: v }, field: f })),
    );
    const before = { backfills: await backfillCount(), runs: await runCount() };
    await fc.assert(
      fc.asyncProperty(bad, async ({ body, field }) => {
        const res = await start('bf-hourly', body);
        expect(res.status).toBe(400);
        const answer = (await res.json()) as { field: string; error: string };
        expect(answer.field).toBe(field);
        expect(answer.error).toContain(field === 'to' && 'to' in body && Date.parse(String(body.to)) < now ? 'BACKFILL_MAX_INSTANTS' : field);
      }),
      fcParams(150),
    );
    expect({ backfills: await backfillCount(), runs: await runCount() }).toEqual(before);
  });

  it('an unknown job is a 404; a dependency job or a disabled one a 400 naming job; a malformed body a 400', async () => {
    const body = { from: iso(Date.now() - 5 * HOUR), to: iso(Date.now() - HOUR) };
    expect((await start('nope', body)).status).toBe(404);
    expect(await (await start('bf-b', body)).json()).toMatchObject({ field: 'job', error: expect.stringContaining('backfill a parent with downstream') });
    expect(await (await start('bf-off', body)).json()).toMatchObject({ field: 'job' });
    expect(await (await start('bf-hourly', '{')).json()).toMatchObject({ field: 'body' });
    expect(await (await start('bf-hourly', [])).json()).toMatchObject({ field: 'body' });
  });
});

describe('a backfill through the API', () => {
  const from = '2026-11-01T00:00:00Z';
  const to = '2026-11-03T23:00:00Z';

  it('dryRun answers the instants and what runs downstream, and stores nothing', async () => {
    const before = await backfillCount();
    const res = await start('bf-a', { from, to, downstream: true, concurrency: 2, dryRun: true });
    expect(res.status).toBe(200);
    const plan = (await res.json()) as BackfillPlanView;
    expect(plan.instants).toEqual(['2026-11-01T02:00:00.000Z', '2026-11-02T02:00:00.000Z', '2026-11-03T02:00:00.000Z']);
    expect(plan.jobs).toEqual([
      { name: 'bf-a', parents: [] },
      { name: 'bf-b', parents: ['bf-a'] },
    ]);
    expect(plan.disabled).toEqual(['bf-off']);
    expect([plan.total, plan.alreadyRun]).toEqual([6, 0]);
    expect(await backfillCount()).toBe(before);
  });

  it('starts (201): roots of the two oldest nights queued with trigger backfill at their instant; pause, resume, cancel', async () => {
    const res = await start('bf-a', { from, to, downstream: true, concurrency: 2 });
    expect(res.status).toBe(201);
    const b = (await res.json()) as BackfillView;
    expect(b).toMatchObject({ job: 'bf-a', state: 'running', total: 6, concurrency: 2 });
    await scheduler.backfills.idle();
    const detail = (await (await oneGET(get(`/api/backfills/${b.id}`), ctx({ id: b.id }))).json()) as BackfillDetailView;
    expect(detail.items.map((i) => `${i.job}@${i.due.slice(0, 10)}:${i.state}`)).toEqual([
      'bf-a@2026-11-01:running',
      'bf-b@2026-11-01:pending',
      'bf-a@2026-11-02:running',
      'bf-b@2026-11-02:pending',
      'bf-a@2026-11-03:pending',
      'bf-b@2026-11-03:pending',
    ]);
    const queued = scheduler.worker.queuedRuns().filter((r) => r.jobName === 'bf-a');
    expect(queued.map((r) => [iso(r.due), r.trigger])).toEqual([
      ['2026-11-01T02:00:00.000Z', 'backfill'],
      ['2026-11-02T02:00:00.000Z', 'backfill'],
    ]);

    // the grid has a column at each started instant, the root's cell in it
    const grid = (await (await gridGET(get('/api/grid?job=bf-a&n=14'))).json()) as PipelineGrid;
    expect(grid.columns.map(iso)).toEqual(['2026-11-01T02:00:00.000Z', '2026-11-02T02:00:00.000Z']);
    const row = grid.jobs.findIndex((j) => j.name === 'bf-a');
    expect(grid.cells[row].map((c) => c?.state ?? null)).toEqual(['QUEUED', 'QUEUED']);

    const act = (action: string) => actionPOST(post(`/api/backfills/${b.id}/${action}`, ''), ctx({ id: b.id, action }));
    expect(((await (await act('pause')).json()) as BackfillView).state).toBe('paused');
    expect((await act('pause')).status).toBe(409);
    expect(((await (await act('resume')).json()) as BackfillView).state).toBe('running');
    expect((await act('explode')).status).toBe(404);
    expect(((await (await act('cancel')).json()) as BackfillView).state).toBe('cancelling');
    await scheduler.backfills.idle();
    const after = (await (await oneGET(get(`/api/backfills/${b.id}`), ctx({ id: b.id }))).json()) as BackfillDetailView;
    // nothing runs on: the two queued roots never launched (recorded SKIPPED), the rest never start
    expect(after.counts).toMatchObject({ running: 0, cancelled: 6 });
    const listed = (await (await listGET(get('/api/backfills?job=bf-a'))).json()) as BackfillView[];
    expect(listed[0]).toMatchObject({ id: b.id, state: 'cancelled' });
    expect((await oneGET(get('/api/backfills/999999'), ctx({ id: '999999' }))).status).toBe(404);
    expect((await oneGET(get('/api/backfills/x'), ctx({ id: 'x' }))).status).toBe(404);
    expect((await actionPOST(post('/api/backfills/x/pause', ''), ctx({ id: 'x', action: 'pause' }))).status).toBe(404);
  });

  it('a second backfill of the same range skips what the first started (already run), unless forced', async () => {
    const plan = (await (await start('bf-a', { from, to, dryRun: true })).json()) as BackfillPlanView;
    expect([plan.total, plan.alreadyRun]).toEqual([3, 2]);
    const forced = (await (await start('bf-a', { from, to, force: true, dryRun: true })).json()) as BackfillPlanView;
    expect([forced.total, forced.alreadyRun]).toEqual([3, 2]);
    const b = (await (await start('bf-a', { from, to, concurrency: 3 })).json()) as BackfillView;
    expect(b.counts).toMatchObject({ skipped: 2, pending: 1 });
  });
});
