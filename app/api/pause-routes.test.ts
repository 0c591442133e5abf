/**
 * POST /api/jobs/{name}/pause and /resume as Next.js calls them, over the real PostgreSQL and a
 * worker without Mesos (issue 17 point 5): a pipeline paused with its downstream, shown in the job
 * page's data and in the Chronos JSON only while set; bad input is a 400 naming the field with
 * nothing changed (examples and fast-check); resume; and a pause that ends by itself (real time,
 * the job event awaited).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '@/scheduler/adapters/prisma';
import type { Services } from '@/scheduler/api/context';
import { jobToChronosJson } from '@/scheduler/api/job-json';
import { basicUser, requestUser } from '@/scheduler/api/request-user';
import type { Scheduler } from '@/scheduler/runtime/assemble';
import { postRequest as post, startRouteApp, type RouteApp } from '@/scheduler/testing/route-app';
import { GET as jobGET } from './jobs/[name]/route';
import { GET as jobsGET } from './jobs/route';
import { POST as pausePOST } from './jobs/[name]/pause/route';
import { POST as resumePOST } from './jobs/[name]/resume/route';

let app: RouteApp;
let store: PrismaStore;
let scheduler: Scheduler;
let services: Services;

const ctx = (name: string) => ({ params: Promise.resolve({ name }) });
const pause = (name: string, body: unknown) => pausePOST(post(`/api/jobs/${name}/pause`, JSON.stringify(body)), ctx(name));
const chronosJson = async (name: string): Promise<string> => jobToChronosJson((await store.jobs.get(name))!);

beforeAll(async () => {
  app = await startRouteApp('sisyphus_pause_routes');
  ({ store, scheduler, services } = app);
  await services.chronos.upsertIso8601({ name: 'etl-extract', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
  await services.chronos.upsertDependency({ name: 'etl-load', command: 'true', parents: ['etl-extract'] });
  await services.chronos.upsertDependency({ name: 'report', command: 'true', parents: ['etl-load'] });
  await services.chronos.upsertIso8601({ name: 'other', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
});

afterAll(() => app?.stop());

describe('pause and resume', () => {
  it('a pipeline paused for 2 h with its downstream: each job shows the pause, with the note and its end; resume clears it', async () => {
    const before = Date.now();
    const res = await pause('etl-extract', { for: 'PT2H', note: 'upstream storage maintenance', downstream: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { jobs: string[]; pause: { until: string; note: string; by: string } };
    expect(body.jobs).toEqual(['etl-extract', 'etl-load', 'report']);
    expect(Date.parse(body.pause.until) - before).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(body.pause.by).toBe('');

    const detail = (await (await jobGET(new Request('http://localhost/api/jobs/report'), ctx('report'))).json()) as { job: { pause?: { note: string; until: string } } };
    expect(detail.job.pause).toMatchObject({ note: 'upstream storage maintenance', until: body.pause.until });
    expect((await store.jobs.get('other'))?.pause).toBeUndefined();
    // the jobs list marks them
    const list = (await (await jobsGET(new Request('http://localhost/api/jobs?limit=100'))).json()) as { jobs: { name: string; pausedUntil?: string }[] };
    expect(list.jobs.filter((j) => j.pausedUntil === body.pause.until).map((j) => j.name)).toEqual(['etl-extract', 'etl-load', 'report']);
    // the Chronos JSON carries it only while set
    expect(await chronosJson('report')).toMatch(/,"pause":\{"until":"[^"]+","note":"upstream storage maintenance","by":"","at":"[^"]+"\}\}$/);

    // an upsert (a Chronos client re-posting the job) keeps the pause
    await services.chronos.upsertDependency({ name: 'report', command: 'echo changed', parents: ['etl-load'] });
    expect((await store.jobs.get('report'))?.pause?.note).toBe('upstream storage maintenance');

    const resumed = await resumePOST(post('/api/jobs/etl-/resume', JSON.stringify({ prefix: true, downstream: true })), ctx('etl-'));
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { jobs: string[] }).jobs).toEqual(['etl-extract', 'etl-load', 'report']);
    for (const name of ['etl-extract', 'etl-load', 'report']) expect((await store.jobs.get(name))?.pause).toBeUndefined();
    expect(await chronosJson('report')).not.toContain('"pause"');
  });

  const bad: { name: string; body: unknown; field: string }[] = [
    { name: 'until not an instant', body: { until: 'tomorrow' }, field: 'until' },
    { name: 'until in the past', body: { until: '2020-01-01T00:00:00Z' }, field: 'until' },
    { name: 'for not a duration', body: { for: '2 hours' }, field: 'for' },
    { name: 'both until and for', body: { until: '2100-01-01T00:00:00Z', for: 'PT1H' }, field: 'for' },
    { name: 'neither', body: { note: 'why' }, field: 'until' },
    { name: 'downstream not a boolean', body: { for: 'PT1H', downstream: 'yes' }, field: 'downstream' },
  ];
  it.each(bad)('400 naming the field, nothing changed: $name', async ({ body, field }) => {
    const res = await pause('other', body);
    expect(res.status).toBe(400);
    const e = (await res.json()) as { error: string; field: string };
    expect(e.field).toBe(field);
    expect(e.error.startsWith(`${field}: `)).toBe(true);
    expect((await store.jobs.get('other'))?.pause).toBeUndefined();
  });

  it('an unknown job is a 404', async () => {
    expect((await pause('nope', { for: 'PT1H' })).status).toBe(404);
    expect((await pause('zzz', { for: 'PT1H', prefix: true })).status).toBe(404);
  });

  it('any body: 200 with a pause after now, or a 400 naming a field and nothing changed (fast-check)', async () => {
    const fields = ['until', 'for', 'note', 'downstream', 'prefix', 'body'];
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('PT1H', 'P-1D', '2020-01-01T00:00:00Z', '2100-01-01T00:00:00Z', 'PT0S'));
    await fc.assert(
      fc.asyncProperty(fc.record({ until: value, for: value, note: value, downstream: value }, { requiredKeys: [] }), async (body) => {
        await services.chronos.upsertIso8601({ name: 'fuzzed', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
        await resumePOST(post('/api/jobs/fuzzed/resume', ''), ctx('fuzzed'));
        const res = await pause('fuzzed', body);
        const stored = await store.jobs.get('fuzzed');
        if (res.status === 200) expect(Date.parse(stored!.pause!.until)).toBeGreaterThan(Date.now() - 1000);
        else {
          expect(res.status).toBe(400);
          expect(fields).toContain(((await res.json()) as { field: string }).field);
          expect(stored?.pause).toBeUndefined();
        }
      }),
      { seed: 17, numRuns: 60 },
    );
  });

  it('a pause for PT1S resumes by itself: the job event comes, and the stored job has no pause', async () => {
    const resumed = scheduler.events.next('job', (e) => e.name === 'other' && scheduler.worker.jobsView()?.get('other')?.pause === undefined, 10_000);
    expect((await pause('other', { for: 'PT1S', note: 'a short one' })).status).toBe(200);
    expect((await store.jobs.get('other'))?.pause?.note).toBe('a short one');
    await resumed;
    expect((await store.jobs.get('other'))?.pause).toBeUndefined();
  });
});

describe('who paused: the basic-auth user, only when auth is on', () => {
  const auth = (user: string) => new Request('http://localhost/', { headers: { authorization: `Basic ${btoa(`${user}:secret`)}` } });
  it('reads the user of the header', () => {
    expect(basicUser(`Basic ${btoa('ops:pw:with:colons')}`)).toBe('ops');
    expect(basicUser('Bearer x')).toBeNull();
    expect(requestUser(auth('alice'), true)).toBe('alice');
    expect(requestUser(auth('alice'), false)).toBe('');
  });
});
