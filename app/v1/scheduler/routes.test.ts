/**
 * The Chronos route handlers called directly with `new Request(...)`: status codes, content
 * types, 204 empty bodies, byte-exact JSON. Real PostgreSQL (throwaway database), fake runtime.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { NextRequest } from 'next/server';
import { createStore } from '@/scheduler/adapters/prisma/create-store';
import type { PrismaStore } from '@/scheduler/adapters/prisma/store';
import { createTestDatabase, type TestDatabase } from '@/scheduler/adapters/prisma/test-support';
import { setServicesForTesting } from '@/scheduler/api/context';
import { OfflineRuntime } from '@/scheduler/runtime/offline-runtime';
import type { SchedulerRuntime } from '@/scheduler/ports';
import { FakeRuntime } from '@/scheduler/testing/fake-runtime';
import { Worker } from '@/scheduler/runtime/worker';
import { TestClock } from '@/scheduler/testing/test-clock';

import * as iso8601 from './iso8601/route';
import * as dependency from './dependency/route';
import * as jobs from './jobs/route';
import * as search from './jobs/search/route';
import * as summary from './jobs/summary/route';
import * as job from './job/[name]/route';
import * as success from './job/success/[name]/route';
import * as stat from './job/stat/[name]/route';
import * as progress from './job/[name]/task/[taskId]/progress/route';
import * as stats from './stats/[pct]/route';
import * as kill from './task/kill/[name]/route';
import * as dot from './graph/dot/route';
import * as csv from './graph/csv/route';
import * as leader from './leader/route';
import * as asyncTask from '../../scheduler/task/[taskId]/route';
import * as metrics from '../../metrics/route';
import * as proxyModule from '../../../proxy';
import { reloadConfig } from '@/scheduler/config';

const BASE = 'http://localhost:8080/v1/scheduler';
const NOW = Date.parse('2024-01-01T00:00:00.000Z');
const SCHED = 'R/2030-01-01T00:00:00Z/PT1H';

let db: TestDatabase;
let store: PrismaStore;
let runtime: FakeRuntime;
let clock: TestClock;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_chronos_routes');
  store = await createStore({ databaseUrl: db.url, poolSize: 4 });
});

afterAll(async () => {
  setServicesForTesting(null);
  await store?.close();
  await db?.drop();
});

function use(rt: SchedulerRuntime): void {
  setServicesForTesting({ store, runtime: rt, clock });
}

beforeEach(async () => {
  await db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
  clock = new TestClock(NOW);
  runtime = new FakeRuntime(clock);
  use(runtime);
});

const ctx = <P extends Record<string, string>>(params: P) => ({ params: Promise.resolve(params) });
const req = (method: string, path: string, body?: string) =>
  new Request(`${BASE}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });

async function post(path: '/iso8601' | '/dependency', body: unknown, method = 'POST'): Promise<Response> {
  const handler = path === '/iso8601' ? iso8601 : dependency;
  const fn = method === 'PUT' ? handler.PUT : handler.POST;
  return fn(req(method, path, typeof body === 'string' ? body : JSON.stringify(body)));
}

async function expectNoContent(r: Response | Promise<Response>): Promise<void> {
  const res = await r;
  expect(res.status).toBe(204);
  expect(await res.text()).toBe('');
}

async function expectChronosError(r: Response | Promise<Response>, status: number, message: string | RegExp): Promise<void> {
  const res = await r;
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  const text = await res.text();
  const body = JSON.parse(text) as { message: string; status: string };
  expect(Object.keys(body)).toEqual(['message', 'status']);
  expect(body.status).toBe(status === 400 ? 'Bad Request' : status === 503 ? 'Service Unavailable' : 'Internal Server Error');
  if (typeof message === 'string') expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
  expect(text).not.toMatch(/\n\s+at /); // never a stack trace
}

const JOB_A =
  '{"name":"a","command":"echo a","shell":true,"executor":"","executorFlags":"","taskInfoData":"",' +
  '"retries":2,"owner":"","ownerName":"","description":"","successCount":0,"errorCount":0,' +
  '"lastSuccess":"","lastError":"","cpus":0.1,"disk":256.0,"mem":128.0,"disabled":false,' +
  '"softError":false,"dataProcessingJobType":false,"errorsSinceLastSuccess":0,"fetch":[],"uris":[],' +
  '"environmentVariables":[],"arguments":[],"highPriority":false,"runAsUser":"root","concurrent":false,' +
  `"maxCompletionTime":0,"constraints":[],"schedule":"${SCHED}","scheduleTimeZone":""}`;

describe('GET /jobs on the leader (from the worker)', () => {
  test('the same bytes as from the store, not gzipped by the server, fresh after a change', async () => {
    const worker = new Worker({ store, clock });
    await worker.start();
    use(worker);
    try {
      await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
      await post('/iso8601', { name: 'b', command: 'echo b', schedule: SCHED, uris: ['http://x/y'] });
      const live = await jobs.GET(req('GET', '/jobs'));
      expect(live.headers.get('content-type')).toBe('application/json');
      expect(live.headers.get('cache-control')).toBe('no-transform');
      const text = await live.text();
      expect(text.startsWith(`[${JOB_A},{"name":"b"`)).toBe(true);
      use(runtime); // no worker: the store answers
      expect(await (await jobs.GET(req('GET', '/jobs'))).text()).toBe(text);
      use(worker);
      await post('/iso8601', { name: 'a', command: 'echo changed', schedule: SCHED });
      const changed = await (await jobs.GET(req('GET', '/jobs'))).text();
      expect(JSON.parse(changed)[0].command).toBe('echo changed');
      use(runtime);
      expect(await (await jobs.GET(req('GET', '/jobs'))).text()).toBe(changed);
    } finally {
      worker.stop();
    }
  });
});

describe('jobs', () => {
  test('POST /iso8601 then GET /job/a: 204, then byte-exact Chronos JSON', async () => {
    await expectNoContent(post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED }));
    const res = await job.GET(req('GET', '/job/a'), ctx({ name: 'a' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe(JOB_A);
  });

  test('PUT /iso8601 and PUT /dependency are accepted (Chronos 2.x, chronos-python update)', async () => {
    await expectNoContent(post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED }, 'PUT'));
    await expectNoContent(post('/dependency', { name: 'b', command: 'echo b', parents: ['a'] }, 'PUT'));
    const res = await job.GET(req('GET', '/job/b'), ctx({ name: 'b' }));
    expect(await res.text()).toMatch(/,"constraints":\[\],"parents":\["a"\]\}$/);
  });

  test.each([
    { name: 'malformed JSON', body: '{"name":', message: /^Malformed JSON body: / },
    { name: 'empty body', body: '', message: 'Malformed JSON body: the request body is empty' },
    { name: 'bad schedule', body: JSON.stringify({ name: 'x', schedule: 'FOO' }), message: "Cannot parse schedule 'FOO' (wtf bro)" },
    { name: 'negative cpus', body: JSON.stringify({ name: 'x', schedule: SCHED, cpus: -2 }), message: /^cpus:/ },
  ])('POST /iso8601 with $name: 400 Chronos body, nothing stored', async ({ body, message }) => {
    await expectChronosError(post('/iso8601', body), 400, message);
    expect(await store.jobs.count()).toBe(0);
  });

  test('GET /job/nope: 400 (Chronos: not found is 400)', async () => {
    const res = await job.GET(req('GET', '/job/nope'), ctx({ name: 'nope' }));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(`{"message":"Job 'nope' not found","status":"Bad Request"}`);
  });

  test('GET /jobs, /jobs/search, /jobs/summary', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    await post('/iso8601', { name: 'b', command: 'echo b', schedule: SCHED, uris: ['http://x/y'] });
    const list = await jobs.GET(req('GET', '/jobs'));
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json');
    const text = await list.text();
    expect(text.startsWith('[{"name":')).toBe(true);
    const parsed = JSON.parse(text) as Array<{ name: string; fetch: unknown[] }>;
    expect(parsed.map((j) => j.name).sort()).toEqual(['a', 'b']);
    expect(parsed.find((j) => j.name === 'b')!.fetch).toEqual([
      { uri: 'http://x/y', executable: false, cache: false, extract: true },
    ]);

    const found = await search.GET(req('GET', '/jobs/search?name=B'));
    expect(found.status).toBe(200);
    expect((JSON.parse(await found.text()) as Array<{ name: string }>).map((j) => j.name)).toEqual(['b']);
    const limited = await search.GET(req('GET', '/jobs/search?limit=1&offset=1'));
    expect((JSON.parse(await limited.text()) as unknown[]).length).toBe(1);
    await expectChronosError(search.GET(req('GET', '/jobs/search?limit=ten')), 400, /limit/);

    const sum = await summary.GET();
    expect(sum.headers.get('content-type')).toBe('application/json');
    expect(await sum.text()).toBe(
      '{"jobs":[' +
        `{"name":"a","status":"fresh","state":"idle","schedule":"${SCHED}","parents":[],"disabled":false},` +
        `{"name":"b","status":"fresh","state":"idle","schedule":"${SCHED}","parents":[],"disabled":false}]}`,
    );
  });

  test('PUT /job/a runs it, DELETE /job/a deletes it; unknown names are 400', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    await expectNoContent(job.PUT(req('PUT', '/job/a?arguments=-x%201;rm'), ctx({ name: 'a' })));
    expect(runtime.callsOf('runNow')[0].args).toBe('-x 1rm');
    await expectChronosError(job.PUT(req('PUT', '/job/nope'), ctx({ name: 'nope' })), 400, "Job 'nope' not found");
    await expectNoContent(job.DELETE(req('DELETE', '/job/a'), ctx({ name: 'a' })));
    await expectChronosError(
      job.DELETE(req('DELETE', '/job/a'), ctx({ name: 'a' })),
      400,
      "JobSchedule 'a' not found",
    );
  });

  test('PUT /job/success/{n}: 200 text', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    const ok = await success.PUT(req('PUT', '/job/success/a'), ctx({ name: 'a' }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('marked job a as successful: true');
    const unknown = await success.PUT(req('PUT', '/job/success/zz'), ctx({ name: 'zz' }));
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe('marked job zz as successful: false');
  });

  test('GET /job/stat/{n} and /stats/{pct}: doubles written as 0.0', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    const s = await stat.GET(req('GET', '/job/stat/a'), ctx({ name: 'a' }));
    expect(s.status).toBe(200);
    expect(await s.text()).toBe(
      '{"histogram":{"75thPercentile":0.0,"95thPercentile":0.0,"98thPercentile":0.0,"99thPercentile":0.0,' +
        '"median":0.0,"mean":0.0,"count":0},"taskStatHistory":[]}',
    );
    const st = await stats.GET(req('GET', '/stats/median'), ctx({ pct: 'median' }));
    expect(await st.text()).toBe('[{"jobNameLabel":"a","time":0.0}]');
    const none = await stats.GET(req('GET', '/stats/p42'), ctx({ pct: 'p42' }));
    expect(none.status).toBe(200);
    expect(await none.text()).toBe('[]');
  });

  test('POST progress, DELETE /task/kill', async () => {
    await post('/iso8601', { name: 'd', command: 'x', schedule: SCHED, dataProcessingJobType: true });
    const taskId = `ct:${NOW}:0:d:`;
    await store.runs.create({ jobName: 'd', due: NOW, attempt: 0, taskId, arguments: '', trigger: 'manual', highPriority: false, queuedAt: NOW });
    await expectNoContent(
      progress.POST(req('POST', `/job/d/task/${taskId}/progress`, '{"numAdditionalElementsProcessed":3}'), ctx({ name: 'd', taskId })),
    );
    expect((await store.runs.getByTaskId(taskId))!.elementsProcessed).toBe(3);
    await expectChronosError(
      progress.POST(req('POST', '/job/d/task/x/progress', '{"numAdditionalElementsProcessed":3}'), ctx({ name: 'd', taskId: 'x' })),
      400,
      /Invalid task id/,
    );
    await expectNoContent(kill.DELETE(req('DELETE', '/task/kill/d'), ctx({ name: 'd' })));
    expect(runtime.callsOf('killJob')).toHaveLength(1);
    await expectChronosError(kill.DELETE(req('DELETE', '/task/kill/zz'), ctx({ name: 'zz' })), 400, "Job 'zz' not found");
  });

  test('graph dot and csv are text/plain; leader is JSON', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    await post('/dependency', { name: 'b', command: 'echo b', parents: ['a'] });
    const d = await dot.GET();
    expect(d.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await d.text()).toBe('digraph G {\n  1 [ label="a" ];\n  2 [ label="b" ];\n  1 -> 2;\n}\n');
    const c = await csv.GET();
    expect(c.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await c.text()).toBe('node,a,fresh,idle\nnode,b,fresh,idle\nlink,a,b\n');
    const l = await leader.GET();
    expect(l.headers.get('content-type')).toBe('application/json');
    expect(await l.text()).toBe('{"leader":"127.0.0.1:8080"}');
  });

  test('2.x async completion PUT /scheduler/task/{id}', async () => {
    runtime.knownTasks.add('ct:1:0:a:');
    const ok = await asyncTask.PUT(
      new Request('http://localhost/scheduler/task/ct:1:0:a:', { method: 'PUT', body: '{"statusCode":0}' }),
      ctx({ taskId: 'ct:1:0:a:' }),
    );
    await expectNoContent(ok);
    await expectChronosError(
      asyncTask.PUT(new Request('http://localhost/scheduler/task/ct:2:0:a:', { method: 'PUT', body: '{"statusCode":1}' }), ctx({ taskId: 'ct:2:0:a:' })),
      400,
      "Task 'ct:2:0:a:' not found",
    );
  });
});

describe('errors and the offline runtime', () => {
  test('an unexpected error is a 500 with a generic message and no stack trace', async () => {
    const broken = new FakeRuntime(clock);
    broken.runNow = async () => {
      throw new Error('secret database detail\n    at somewhere (file.ts:1:1)');
    };
    use(broken);
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED });
    const res = await job.PUT(req('PUT', '/job/a'), ctx({ name: 'a' }));
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"message":"Internal Server Error","status":"Internal Server Error"}');
  });

  test('without a worker: reads work, a manual run is a 503', async () => {
    use(new OfflineRuntime('host:8080'));
    await expectNoContent(post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED }));
    expect((await summary.GET()).status).toBe(200);
    await expectChronosError(job.PUT(req('PUT', '/job/a'), ctx({ name: 'a' })), 503, 'the scheduler worker is not running');
    expect(await (await leader.GET()).text()).toBe('{"leader":"host:8080"}');
  });
});

describe('/metrics', () => {
  test('Codahale JSON shape', async () => {
    await post('/iso8601', { name: 'a', command: 'echo a', schedule: SCHED, successCount: 1, errorCount: 2 });
    const taskId = `ct:${NOW}:0:a:`;
    await store.runs.create({ jobName: 'a', due: NOW, attempt: 0, taskId, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: NOW });
    await store.runs.update(taskId, { state: 'FINISHED', startedAt: NOW, finishedAt: NOW + 2000 });
    const res = await metrics.GET();
    expect(res.status).toBe(200);
    const body = JSON.parse(await res.text()) as Record<string, Record<string, Record<string, number>>>;
    expect(Object.keys(body)).toEqual(['version', 'gauges', 'counters', 'histograms', 'meters', 'timers']);
    expect(body.version).toBe('3.0.0');
    expect(body.counters['jobs.run.success.a']).toEqual({ count: 1 });
    expect(body.counters['jobs.run.failure.a']).toEqual({ count: 2 });
    expect(body.histograms['jobs.run.time.a']).toMatchObject({ count: 1, max: 2000, min: 2000, p50: 2000 });
    expect(body.gauges['jobs.queue.size']).toEqual({ value: 0 });
  });
});

describe('proxy (CORS and basic auth)', () => {
  const nreq = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    new NextRequest(new URL(path, 'http://localhost:8080'), init);
  const saved = process.env.HTTP_CREDENTIALS;
  afterAll(() => {
    if (saved === undefined) delete process.env.HTTP_CREDENTIALS;
    else process.env.HTTP_CREDENTIALS = saved;
    reloadConfig();
  });
  /** Settings are read once per process (scheduler/config.ts): set, then read again. */
  const credentials = (value: string | undefined) => {
    if (value === undefined) delete process.env.HTTP_CREDENTIALS;
    else process.env.HTTP_CREDENTIALS = value;
    reloadConfig();
  };

  test('open: every response gets Access-Control-Allow-Origin: *', async () => {
    credentials(undefined);
    const res = await proxyModule.proxy(nreq('/v1/scheduler/jobs'));
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.status).toBe(200);
  });

  test('preflight is answered with 204', async () => {
    credentials('admin:s3cret');
    const res = await proxyModule.proxy(
      nreq('/v1/scheduler/iso8601', {
        method: 'OPTIONS',
        headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
  });

  test.each([
    { name: 'no header', path: '/v1/scheduler/jobs', auth: undefined, status: 401 },
    { name: '/ping is protected too', path: '/ping', auth: undefined, status: 401 },
    { name: 'the UI is protected', path: '/', auth: undefined, status: 401 },
    { name: 'wrong password', path: '/v1/scheduler/jobs', auth: `Basic ${btoa('admin:nope')}`, status: 401 },
    { name: 'garbage', path: '/v1/scheduler/jobs', auth: 'Basic !!!', status: 401 },
    { name: 'right credentials', path: '/v1/scheduler/jobs', auth: `Basic ${btoa('admin:s3cret')}`, status: 200 },
  ])('with HTTP_CREDENTIALS: $name → $status', async ({ path, auth, status }) => {
    credentials('admin:s3cret');
    const res = await proxyModule.proxy(nreq(path, auth ? { headers: { authorization: auth } } : {}));
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Basic realm="Sisyphus"');
  });

  test('a password containing a colon', async () => {
    credentials('u:p:q');
    const res = await proxyModule.proxy(nreq('/', { headers: { authorization: `Basic ${btoa('u:p:q')}` } }));
    expect(res.status).toBe(200);
  });
});
