/**
 * The UI route handlers under app/api/ as Next.js calls them (plain Request in, Response out),
 * over the shared services (setServicesForTesting) and the real PostgreSQL. The services behind
 * them are tested in scheduler/api/ui-service.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '@/scheduler/adapters/prisma';
import { sharedGraphLayouter } from '@/scheduler/api/graph-layouter';
import type { PipelineGrid, RerunPlanView, RerunResult, RunDetail, RunTimelinePage, UiEvent } from '@/scheduler/api/ui-types';
import type { Scheduler } from '@/scheduler/runtime/assemble';
import { getRequest as get, postRequest as post, routeParams as ctx, startRouteApp, type RouteApp } from '@/scheduler/testing/route-app';
import { GET as eventsGET } from './events/route';
import { GET as jobsGET } from './jobs/route';
import { POST as bulkPOST } from './jobs/bulk/route';
import { GET as jobGET } from './jobs/[name]/route';
import { GET as nextGET } from './jobs/[name]/next/route';
import { GET as previewGET } from './preview/route';
import { POST as validatePOST } from './validate/route';
import { GET as runsGET } from './runs/route';
import { GET as timelineGET } from './runs/timeline/route';
import { GET as logGET } from './runs/[taskId]/log/route';
import { GET as graphGET } from './graph/route';
import { GET as instanceGET } from './instance/route';
import { GET as dashboardGET } from './dashboard/route';
import { GET as runGET } from './runs/[taskId]/route';
import { GET as rerunGET, POST as rerunPOST } from './rerun/route';
import { GET as gridGET } from './grid/route';

let app: RouteApp;
let store: PrismaStore;
/** A worker without Mesos: runs are queued, never launched. */
let scheduler: Scheduler;

beforeAll(async () => {
  app = await startRouteApp('sisyphus_ui_routes');
  ({ store, scheduler } = app);
  const { services } = app;
  await services.chronos.upsertIso8601({ name: 'r-a', command: 'echo a', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
  await services.chronos.upsertDependency({ name: 'r-b', command: 'echo b', parents: ['r-a'] });
});

afterAll(() => app?.stop());

describe('UI route handlers', () => {
  it('GET /api/jobs: a page; a bad parameter is a 400 naming it', async () => {
    const ok = await jobsGET(get('/api/jobs?q=r-&sort=name&dir=desc'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    const page = (await ok.json()) as { jobs: Array<{ name: string }>; total: number };
    expect(page.total).toBe(2);
    expect(page.jobs.map((j) => j.name)).toEqual(['r-b', 'r-a']);
    const bad = await jobsGET(get('/api/jobs?limit=9999'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'limit', error: expect.stringContaining('limit') });
  });

  it('GET /api/jobs/{name}: detail; unknown is a 404', async () => {
    const res = await jobGET(get('/api/jobs/r-a'), ctx({ name: 'r-a' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ children: ['r-b'], scheduleText: 'every day at 00:00 UTC, forever' });
    const missing = await jobGET(get('/api/jobs/nope'), ctx({ name: 'nope' }));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "job 'nope' not found" });
    const next = await nextGET(get('/api/jobs/r-a/next?n=2'), ctx({ name: 'r-a' }));
    expect(((await next.json()) as unknown[]).length).toBe(2);
  });

  it('GET /api/preview and POST /api/validate', async () => {
    const p = await previewGET(get('/api/preview?schedule=R/2030-01-01T00:00:00Z/PT15M&n=3'));
    expect(await p.json()).toMatchObject({ ok: true, description: 'every 15 minutes, forever' });
    const v = await validatePOST(post('/api/validate', JSON.stringify({ name: 'x y', command: 'x' })));
    expect(v.status).toBe(200);
    expect(await v.json()).toMatchObject({ ok: false, errors: [{ field: 'name' }] });
    const empty = await validatePOST(post('/api/validate', ''));
    expect(empty.status).toBe(400);
    const kind = await validatePOST(post('/api/validate?kind=nope', '{}'));
    expect(await kind.json()).toMatchObject({ field: 'kind' });
  });

  it('GET /api/graph, /api/instance, /api/dashboard', async () => {
    const g = (await (await graphGET(get('/api/graph?focus=r-b'))).json()) as { edges: unknown[] };
    expect(g.edges).toEqual([{ source: 'r-a', target: 'r-b' }]);
    expect(g).not.toHaveProperty('layout');
    // layout=1: positioned on the server (ELK in a worker thread), parent left of child. An answer
    // waits at most 2 s for a layout: ELK's thread is started first (loading it takes longer than
    // that on a loaded machine), then a two-node layout is ready within the wait.
    const node = { name: 'warm-up', kind: 'dependent' as const, status: 'fresh' as const, state: 'idle' as const, disabled: false };
    expect(await sharedGraphLayouter().layout({ nodes: [node], edges: [] }, { waitMs: 60_000 })).not.toBeNull();
    const laid = (await (await graphGET(get('/api/graph?focus=r-b&layout=1'))).json()) as { layout: { positions: Record<string, [number, number]> } };
    expect(laid.layout.positions['r-a'][0]).toBeLessThan(laid.layout.positions['r-b'][0]);
    expect((await graphGET(get('/api/graph?focus=nope'))).status).toBe(404);
    expect(await (await instanceGET()).json()).toMatchObject({ isLeader: true, members: [] });
    const d = await (await dashboardGET()).json();
    expect(d).toMatchObject({ counts: { jobs: 2, fresh: 2 }, framework: { configured: false } });
  });

  it('POST /api/jobs/bulk, then the run in /api/runs and the event stream', async () => {
    const abort = new AbortController();
    const res = eventsGET(new Request('http://localhost/api/events', { signal: abort.signal }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toMatch(/no-cache/);
    const reader = res.body!.getReader();

    const bulk = await bulkPOST(post('/api/jobs/bulk', JSON.stringify({ action: 'run', names: ['r-a', 'nope'] })));
    expect(await bulk.json()).toEqual({ ok: ['r-a'], failed: [{ name: 'nope', error: expect.stringContaining('nope') }] });

    let text = '';
    const dec = new TextDecoder();
    while (!text.includes('"type":"run"')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      text += dec.decode(value, { stream: true });
    }
    expect(text.startsWith(': connected\n\n')).toBe(true);
    const frame = text.split('\n\n').find((f) => f.startsWith('data: ') && f.includes('"type":"run"'))!;
    const event = JSON.parse(frame.slice('data: '.length)) as UiEvent;
    expect(event).toMatchObject({ type: 'run', previous: null, run: { jobName: 'r-a', state: 'QUEUED', trigger: 'manual' } });
    abort.abort();
    let end = await reader.read();
    for (let i = 0; i < 50 && !end.done; i++) end = await reader.read();
    expect(end.done).toBe(true);

    const runs = (await (await runsGET(get('/api/runs?job=r-a'))).json()) as { runs: Array<{ id: string; taskId: string; state: string }> };
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0].state).toBe('QUEUED');
    const taskId = runs.runs[0].taskId;
    const log = await logGET(get(`/api/runs/${encodeURIComponent(taskId)}/log`), ctx({ taskId }));
    expect(await log.json()).toMatchObject({ taskId, data: '', unavailable: 'the run has not been launched yet' });
    expect((await runsGET(get('/api/runs?cursor=zzz'))).status).toBe(400);
    // the timeline's compact rows: the queued run, still going, is in any window up to now
    const tl = (await (await timelineGET(get(`/api/runs/timeline?job=r-a&from=${Date.now() - 3_600_000}`))).json()) as RunTimelinePage;
    expect(tl.runs.map((t) => t[0])).toEqual([runs.runs[0].id]);
    expect(tl.strings).toEqual(expect.arrayContaining(['r-a', 'QUEUED', 'manual']));
    expect(await (await timelineGET(get('/api/runs/timeline?job=r-a'))).json()).toEqual({ error: expect.stringContaining('from'), field: 'from' });
    const d = (await (await dashboardGET()).json()) as { queued: Array<{ reason: string }> };
    expect(d.queued[0].reason).toMatch(/no Mesos master/);
  });

  it('the run page, the grid and a rerun through the real worker: a new attempt at the same due instant', async () => {
    const [queued] = ((await (await runsGET(get('/api/runs?job=r-a&state=QUEUED'))).json()) as { runs: Array<{ taskId: string; due: number }> }).runs;
    const detail = (await (await runGET(get('/api/runs/x'), ctx({ taskId: queued.taskId }))).json()) as RunDetail;
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0].waiting).toMatch(/no Mesos master/);
    expect(detail.job).toMatchObject({ children: ['r-b'], downstream: 1 });
    expect((await runGET(get('/api/runs/x'), ctx({ taskId: 'ct:1:0:nope:' }))).status).toBe(404);
    // a queued run is not rerun
    expect((await rerunPOST(post('/api/rerun', JSON.stringify({ taskIds: [queued.taskId] })))).status).toBe(400);
    expect(await (await rerunPOST(post('/api/rerun', '{"taskIds": "x"}'))).json()).toMatchObject({ field: 'taskIds' });
    // it fails (Chronos 2.x async completion), then is rerun with its downstream
    expect(await scheduler.worker.completeTask(queued.taskId, 2)).toBe(true);
    const planOf = async () => (await (await rerunGET(get(`/api/rerun?task=${encodeURIComponent(queued.taskId)}`))).json()) as RerunPlanView;
    // r-a has Chronos's default 2 retries: while one is queued, nothing is rerun
    expect(await planOf()).toMatchObject({ rerun: [], notRerun: [{ jobName: 'r-a', why: 'its latest attempt is queued' }] });
    for (const attempt of [1, 2]) {
      const retry = scheduler.worker.queuedRuns().find((r) => r.jobName === 'r-a' && r.attempt === attempt)!;
      expect(await scheduler.worker.completeTask(retry.taskId, 2)).toBe(true);
    }
    const last = (await store.runs.recent('r-a', 1))[0];
    expect(last).toMatchObject({ attempt: 2, state: 'FAILED' });
    expect(await planOf()).toMatchObject({ rerun: [{ jobName: 'r-a', attempt: 3, failed: true, fromTaskId: last.taskId }], downstream: ['r-b'] });
    const done = (await (await rerunPOST(post('/api/rerun', JSON.stringify({ taskIds: [queued.taskId] })))).json()) as RerunResult;
    expect(done.queued).toEqual([last.taskId.replace(`:${last.due}:2:`, `:${last.due}:3:`)]);
    expect(scheduler.worker.queuedRuns().map((r) => r.taskId)).toContain(done.queued[0]);
    const again = (await (await runGET(get('/api/runs/x'), ctx({ taskId: queued.taskId }))).json()) as RunDetail;
    expect(again.attempts.map((a) => [a.run.attempt, a.run.state, a.run.trigger])).toEqual([
      [0, 'FAILED', 'manual'],
      [1, 'FAILED', 'retry'],
      [2, 'FAILED', 'retry'],
      [3, 'QUEUED', 'manual'],
    ]);
    const grid = (await (await gridGET(get('/api/grid?job=r-b&n=3'))).json()) as PipelineGrid;
    expect(grid.jobs.map((j) => j.name)).toEqual(['r-a', 'r-b']);
    expect(grid.columns).toEqual([queued.due]); // the retries, due later, are in their first attempt's column
    expect(grid.cells[0][0]).toMatchObject({ state: 'QUEUED', attempt: 3, attempts: 4 });
    expect((await gridGET(get('/api/grid?n=999'))).status).toBe(400);
  });
});
