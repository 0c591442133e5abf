/**
 * Generated job JSON against the Chronos route handlers, in process (as app/v1/scheduler/
 * routes.test.ts runs them: real PostgreSQL in a throwaway database, the real Worker as the
 * leader's runtime, a test clock that never fires a run), dispatched through the production
 * server's route table (server/routes.ts).
 *
 * Properties (fast-check, seeded: see settings.ts):
 *   1. a valid job (every field, scheduled or dependent) is accepted (204); GET /job/<name> gives
 *      JSON the product's own parser reads back to the same bytes, with every string as sent;
 *      posted again it is accepted and GET gives the same bytes; DELETE removes it;
 *   2. every schedule Chronos accepts is accepted and stored verbatim (`PT0S`, `P`, `R0`,
 *      `R//PT1H`, past starts, dates alone, offsets, zones, 5-field cron with a zone);
 *   3. a hostile variant of a valid job (job-mutations.ts) never gets a 5xx and answers in
 *      bounded time; a refusal is a Chronos-shaped 400 naming the field and leaves the jobs and
 *      runs exactly as they were; what must be refused is, what Chronos accepts is accepted;
 *   4. a manual run with generated `?arguments=` is a 204 queuing one run whose task id Mesos can
 *      take (≤ 255 bytes, no `/`, `\` or control character), or a 400 naming `arguments` that
 *      queues nothing.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createStore } from '@/scheduler/adapters/prisma/create-store';
import type { PrismaStore } from '@/scheduler/adapters/prisma/store';
import { createTestDatabase, type TestDatabase } from '@/scheduler/adapters/prisma/test-support';
import { setServicesForTesting } from '@/scheduler/api/context';
import { jobToChronosJson } from '@/scheduler/api/job-json';
import { parseJob } from '@/scheduler/api/job-schema';
import { Worker } from '@/scheduler/runtime/worker';
import { TestClock } from '@/scheduler/testing/test-clock';
import { RouteTable } from '@/server/routes';
import { describeProblems, judge, type Answer } from './check';
import { hostileJob } from './job-mutations';
import { validJob, validName } from './jobs';
import { validSchedule } from './schedules';
import { FC_SEED, fcParams, within } from './settings';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NOW = Date.now();
const PARENTS = ['fixture-parent-a', 'fixture-parent-b', 'fixture-parent-c'];
const ANSWER_MS = 10_000;

let db: TestDatabase;
let store: PrismaStore;
let worker: Worker;
let clock: TestClock;
const routes = RouteTable.scan(path.join(ROOT, 'app'));

/**
 * One request through the route table, as the server dispatches it. `params` replaces the route
 * parameters matched from the target: a job named `.` or `..` cannot be written in a URL (the
 * URL parser removes such segments), so its GET and DELETE name it here.
 */
async function call(method: string, target: string, body?: string, params?: Record<string, string>): Promise<Answer> {
  const request = new Request(`http://127.0.0.1:8080${target}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const hit = await routes.match(method, new URL(request.url).pathname);
  if (!hit?.handler) throw new Error(`no route for ${method} ${target}`);
  const res = await within(ANSWER_MS, `${method} ${target}`, Promise.resolve(hit.handler(request, { params: Promise.resolve(params ?? hit.params) })));
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k] = v));
  return { status: res.status, headers, body: await res.text() };
}

/** GET or DELETE /v1/scheduler/job/<name>, whatever the name. */
const onJob = (method: 'GET' | 'DELETE', name: string) => call(method, '/v1/scheduler/job/x', undefined, { name });

const jobPath = (name: string) => `/v1/scheduler/job/${encodeURIComponent(name)}`;

/** What a refusal must leave alone: the API's job list, the stored rows, the runs. */
async function snapshot(): Promise<string> {
  const list = await call('GET', '/v1/scheduler/jobs');
  const rows = await db.query<{ name: string; data: string }>('SELECT name, data::text AS data FROM jobs ORDER BY name');
  const runs = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM runs');
  return JSON.stringify({ list: list.body, rows, runs: runs[0].n });
}

/** The stored job read back: the product's parser and serializer give the same bytes. */
function expectReparses(text: string, kind: 'iso8601' | 'dependency'): void {
  const parsed = parseJob(JSON.parse(text), { now: NOW, kind });
  expect(parsed.ok, `stored JSON does not parse again: ${JSON.stringify(parsed.ok ? '' : parsed.error)}\n${text.slice(0, 500)}`).toBe(true);
  if (parsed.ok) expect(jobToChronosJson(parsed.value), 'stored JSON does not serialize to the same bytes').toBe(text);
}

async function remove(name: string): Promise<void> {
  if (PARENTS.includes(name)) return;
  const del = await onJob('DELETE', name);
  expect(del.status, `DELETE ${name}: ${del.body}`).toBe(204);
  const gone = await onJob('GET', name);
  expect(gone.status).toBe(400);
  expect(JSON.parse(gone.body)).toEqual({ message: `Job '${name}' not found`, status: 'Bad Request' });
}

beforeAll(async () => {
  console.log(`[generated] fast-check seed ${FC_SEED} (FC_SEED=<n> replays another)`);
  db = await createTestDatabase('sisyphus_generated');
  store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  clock = new TestClock(NOW);
  worker = new Worker({ store, clock });
  await worker.start();
  setServicesForTesting({ store, runtime: worker, clock });
  await routes.load();
  for (const name of PARENTS) {
    const r = await call('POST', '/v1/scheduler/iso8601', JSON.stringify({ name, command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' }));
    expect(r.status, r.body).toBe(204);
  }
}, 60_000);

afterAll(async () => {
  worker?.stop();
  setServicesForTesting(null);
  await store?.close();
  await db?.drop();
});

/**
 * `stored` is `sent` moved on by the scheduler itself: a job whose instant came within its epsilon
 * (a PT1.250S period, a start just past) is handled at once after the POST (the worker's immediate
 * path), which stores the schedule from its next instant (README: the schedule moves on), racing the
 * GET that follows. Same period, no more repetitions than sent, its start a full instant (a zero
 * period keeps its start: only the count goes down).
 */
function movedOn(sent: unknown, stored: unknown): boolean {
  if (typeof sent !== 'string' || typeof stored !== 'string') return false;
  const a = sent.split('/');
  const b = stored.split('/');
  if (a.length !== 3 || b.length !== 3 || a[2] !== b[2]) return false;
  const repeats = (r: string) => (r === 'R' ? Infinity : Number(r.slice(1)));
  return repeats(b[0]) <= repeats(a[0]) && Number.isFinite(Date.parse(b[1]));
}

/** The schedule as stored: as sent, or as the scheduler moved it on (see movedOn). */
const scheduleAsSent = (sent: unknown, stored: unknown): unknown => (movedOn(sent, stored) ? sent : stored);

const STRING_FIELDS = ['name', 'command', 'executor', 'executorFlags', 'taskInfoData', 'owner', 'ownerName', 'description', 'lastSuccess', 'lastError', 'runAsUser', 'schedule', 'scheduleTimeZone', 'epsilon'];

describe('generated job JSON through the Chronos API', () => {
  test('a valid job is accepted, reads back as sent, and round-trips byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(validJob({ prefix: 'gv-', parents: PARENTS }), async ({ kind, body }) => {
        const name = String(body.name);
        const posted = await call('POST', `/v1/scheduler/${kind}`, JSON.stringify(body));
        expect(describeProblems(judge(posted, { expect: 'accept', chronos: true }))).toBe('');
        try {
          const first = await onJob('GET', name);
          expect(first.status).toBe(200);
          expectReparses(first.body, kind);
          const stored = JSON.parse(first.body) as Record<string, unknown>;
          stored.schedule = scheduleAsSent(body.schedule, stored.schedule);
          for (const f of STRING_FIELDS) if (typeof body[f] === 'string') expect(stored[f], `${f} as stored`).toBe(body[f]);
          for (const f of ['arguments', 'uris']) if (Array.isArray(body[f])) expect(stored[f], `${f} as stored`).toEqual(body[f]);
          if (Array.isArray(body.environmentVariables)) {
            expect((stored.environmentVariables as Array<{ value: string }>).map((e) => e.value)).toEqual(
              (body.environmentVariables as Array<{ value?: string }>).map((e) => e.value ?? ''),
            );
          }
          const again = await call('POST', `/v1/scheduler/${kind}`, first.body);
          expect(describeProblems(judge(again, { expect: 'accept', chronos: true })), 'the stored JSON posted again').toBe('');
          const second = await onJob('GET', name);
          // byte for byte, but for a schedule the scheduler moved on meanwhile (see movedOn)
          const firstSchedule = (JSON.parse(first.body) as { schedule?: unknown }).schedule;
          const secondSchedule = (JSON.parse(second.body) as { schedule?: unknown }).schedule;
          const secondAsFirst = movedOn(firstSchedule, secondSchedule) ? second.body.replace(JSON.stringify(secondSchedule), JSON.stringify(firstSchedule)) : second.body;
          expect(secondAsFirst, 'GET after posting the stored JSON again').toBe(first.body);
        } finally {
          await remove(name);
        }
      }),
      fcParams(200),
    );
  }, 180_000);

  test('every schedule Chronos accepts is accepted and stored verbatim', async () => {
    await fc.assert(
      fc.asyncProperty(validName('gs-'), validSchedule, async (name, s) => {
        const body = { name, command: 'true', schedule: s.schedule, scheduleTimeZone: s.scheduleTimeZone };
        const posted = await call('POST', '/v1/scheduler/iso8601', JSON.stringify(body));
        expect(describeProblems(judge(posted, { expect: 'accept', chronos: true })), `schedule ${JSON.stringify(s)}`).toBe('');
        try {
          const got = await onJob('GET', name);
          const stored = JSON.parse(got.body) as { schedule: string; scheduleTimeZone: string };
          expect(scheduleAsSent(s.schedule, stored.schedule)).toBe(s.schedule);
          expect(stored.scheduleTimeZone).toBe(s.scheduleTimeZone);
          expectReparses(got.body, 'iso8601');
        } finally {
          await remove(name);
        }
      }),
      fcParams(120),
    );
  }, 180_000);

  test('a hostile job never gets a 5xx; a refusal names the field and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJob({ prefix: 'gh-', parents: PARENTS }), async (c) => {
        const before = await snapshot();
        const answer = await call('POST', `/v1/scheduler/${c.kind}`, c.text);
        const echoed = c.name !== undefined ? [c.name] : [];
        try {
          const problems = judge(answer, { expect: c.expect, field: c.field, echoed, chronos: true, ...(c.chronosMessage ? { chronosMessage: c.chronosMessage } : {}) });
          expect(describeProblems(problems), `${c.why}\nbody: ${c.text.slice(0, 300)}`).toBe('');
          if (answer.status >= 200 && answer.status < 300) {
            expect(c.name, 'an accepted job has a name').toBeDefined();
            const got = await onJob('GET', c.name!);
            expect(got.status, got.body).toBe(200);
            expectReparses(got.body, c.kind);
          } else {
            expect(await snapshot(), `the store changed after a ${answer.status} (${c.why})`).toBe(before);
          }
        } finally {
          if (answer.status >= 200 && answer.status < 300 && c.name !== undefined) await remove(c.name);
        }
      }),
      fcParams(350),
    );
  }, 300_000);

  test('a manual run with generated arguments queues a task id Mesos accepts, or is a 400 naming arguments', async () => {
    const name = 'gm-manual-run';
    const created = await call('POST', '/v1/scheduler/iso8601', JSON.stringify({ name, command: 'echo', arguments: ['-v'], schedule: 'R/2030-01-01T00:00:00Z/P1D' }));
    expect(created.status, created.body).toBe(204);
    const argument = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_=.,:@+'.split('')), maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ unit: 'binary-ascii', maxLength: 30 }),
      fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('/', '\\', '\u0000', '\n', '\u001f', '\u007f', ';', '../', '%'), fc.string({ maxLength: 10 })).map((p) => p.join('')),
      fc.integer({ min: 150, max: 2000 }).map((n) => 'a'.repeat(n)),
      fc.integer({ min: 60, max: 120 }).map((n) => 'é'.repeat(n)),
    );
    try {
      await fc.assert(
        fc.asyncProperty(argument, async (args) => {
          await clock.advanceAsync(1); // one manual run per instant (a run is unique by job, due, attempt)
          const runsBefore = await db.query<{ task_id: string }>('SELECT task_id FROM runs WHERE job_name = $1', [name]);
          const answer = await call('PUT', `${jobPath(name)}?arguments=${encodeURIComponent(args)}`);
          const cleaned = args.replaceAll(';', '');
          const taskArgs = cleaned.trim() === '' ? '-v' : cleaned;
          const idBytes = Buffer.byteLength(`ct:${clock.now()}:0:${name}:${taskArgs}`);
           
          const unfit = /[/\\\u0000-\u001f\u007f]/.test(taskArgs) || idBytes > 255;
          const fits = !unfit && idBytes <= 230;
          const problems = judge(answer, { expect: unfit ? 'reject' : fits ? 'accept' : 'either', field: 'arguments', echoed: [args, cleaned], chronos: true });
          expect(describeProblems(problems), `arguments ${JSON.stringify(args)} (task id ${idBytes} bytes)`).toBe('');
          const runsAfter = await db.query<{ task_id: string }>('SELECT task_id FROM runs WHERE job_name = $1', [name]);
          const added = runsAfter.filter((r) => !runsBefore.some((b) => b.task_id === r.task_id));
          if (answer.status === 204) {
            expect(added.length, 'one run queued').toBe(1);
            const id = added[0].task_id;
            expect(Buffer.byteLength(id), `task id ${JSON.stringify(id)}`).toBeLessThanOrEqual(255);
             
            expect(id, 'task id characters').not.toMatch(/[/\\\u0000-\u001f\u007f]/);
          } else {
            expect(added, 'no run queued after a refusal').toEqual([]);
          }
        }),
        fcParams(100),
      );
    } finally {
      await remove(name);
    }
  }, 180_000);
});
