/**
 * Generated requests against the production server (server/main.ts serving the built app, as
 * `npm start` runs it; server-process.ts starts it) with HTTP_CREDENTIALS set, a throwaway
 * PostgreSQL database and no Mesos master (nothing is launched). Requests are sent as generated,
 * over node:http or raw sockets (test/generated/client.ts), so `..`, `%00` and `*` reach the server.
 *
 *   1. any generated request (arbitraries.ts `anyRequest`: job bodies, path segments, query
 *      strings, headers, credentials, raw request lines) answers below 500 within 10 s and never
 *      loops on redirects; a 400 of the Chronos API is Chronos-shaped and names the field; one
 *      that must be refused is; a refused mutation leaves every job as it was (but for what the
 *      running scheduler changes by itself: schedules advanced, run counts);
 *   2. each request-line case (`OPTIONS *`, `GET *`, absolute form, broken HTTP) on its own;
 *   3. no credentials or wrong ones: a 401, also when the body is over the limit or never comes;
 *   4. a body over the limit (1 MiB) is a 413, as soon as the limit is passed.
 *
 * Needs a build (`next build` runs first when .next is stale, as for test/ha/next-proxy.test.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { builtAppSnapshot } from '../../e2e/harness';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import type { Instance } from '../ha/support';
import { anyRequest, credentialsRequest, declaredBodyCases, oversizeRequest, requestLineCases, type GenRequest } from './arbitraries';
import { describeProblems, judgeRequest } from './check';
import { send, type Outcome, type Target } from './client';
import { startServer } from './server-process';
import { FC_SEED, fcParams } from './settings';

const CREDENTIALS = 'fuzz:s3cret:with:colons';
const BODY_LIMIT = 1024 * 1024;
const PARENTS = ['gsrv-parent-a', 'gsrv-parent-b'];
const ANSWER_MS = 10_000;

let db: TestDatabase;
let dir: string;
let app: { dir: string; remove(): void } | null = null;
let server: Instance;
let target: Target;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** Jobs that exist (for `{job}`); a delete takes its name out. */
const pool: string[] = [];

const plain = (method: string, p: string, body?: string): GenRequest => ({ label: 'setup', method, target: p, headers: body ? [['content-type', 'application/json']] : [], auth: 'good', expect: { expect: 'accept' }, ...(body ? { body } : {}) });

/** What the scheduler itself changes as time passes (a due job's runs and its advanced schedule). */
const VOLATILE = ['schedule', 'successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess', 'disabled'];

/** Every job as the API lists it, without the fields the running scheduler may change meanwhile. */
async function jobList(): Promise<string> {
  const o = await send(target, plain('GET', '/v1/scheduler/jobs'), { job: '', timeoutMs: ANSWER_MS, agent, maxBodyBytes: 64 * 1024 * 1024 });
  expect(o.status, `GET /v1/scheduler/jobs: ${o.body.slice(0, 200)}`).toBe(200);
  const jobs = JSON.parse(o.body) as Array<Record<string, unknown>>;
  for (const j of jobs) for (const k of VOLATILE) delete j[k];
  return JSON.stringify(jobs.sort((a, b) => String(a.name).localeCompare(String(b.name))));
}

/** Sends `r` with `{job}` filled from the pool; keeps the pool up to date. */
async function exchange(r: GenRequest): Promise<{ o: Outcome; job: string }> {
  const usesJob = (r.raw?.text ?? r.target).includes('{job}');
  let job = PARENTS[0];
  if (usesJob && pool.length > 0) job = r.deletesJob ? pool.splice(0, 1)[0] : pool[pool.length - 1];
  else if (usesJob && r.deletesJob) job = 'gsrv-gone';
  const o = await send(target, r, { job, timeoutMs: ANSWER_MS, agent });
  const ok = o.status >= 200 && o.status < 300;
  if (usesJob && r.deletesJob && !ok && job !== 'gsrv-gone') pool.push(job);
  if (ok && r.creates && !pool.includes(r.creates) && !PARENTS.includes(r.creates)) pool.push(r.creates);
  return { o, job };
}

const show = (r: GenRequest, job: string) => `${r.label}: ${r.raw ? JSON.stringify(r.raw.text.slice(0, 300)) : `${r.method} ${r.target.replaceAll('{job}', job).slice(0, 300)}${r.body !== undefined ? ` ${JSON.stringify(r.body.slice(0, 300))}` : ''}`}`;

beforeAll(async () => {
  console.log(`[generated] fast-check seed ${FC_SEED} (FC_SEED=<n> replays another)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-generated-'));
  [app, db] = await Promise.all([builtAppSnapshot((s) => console.log(`[generated] ${s}`)), createTestDatabase('sisyphus_generated_server')]);
  server = await startServer({ databaseUrl: db.url, credentials: CREDENTIALS, logDir: dir, appDir: app.dir });
  target = { host: '127.0.0.1', port: server.port, credentials: CREDENTIALS };
  for (const name of PARENTS) {
    const o = await send(target, plain('POST', '/v1/scheduler/iso8601', JSON.stringify({ name, command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' })), { job: '', timeoutMs: ANSWER_MS, agent });
    expect(o.status, o.body).toBe(204);
  }
}, 420_000);

afterAll(async () => {
  agent.destroy();
  await server?.stop();
  app?.remove();
  await db?.drop();
  if (process.env.GENERATED_KEEP_LOGS) console.log(`[generated] server log kept in ${dir}`);
  else if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('generated requests against the production server', () => {
  test('any request answers below 500 in bounded time; a refused change leaves the jobs as they were', async () => {
    const mutating = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
    await fc.assert(
      fc.asyncProperty(anyRequest({ prefix: 'gsrv-', parents: PARENTS, bodyLimit: BODY_LIMIT, noOversize: true }), async (r) => {
        const before = mutating.has(r.method) ? await jobList() : null;
        const { o, job } = await exchange(r);
        expect(describeProblems(judgeRequest(r, o, { credentialsRequired: true })), show(r, job)).toBe('');
        if (before !== null && o.status >= 400) expect(await jobList(), `the jobs changed after a ${o.status}: ${show(r, job)}`).toBe(before);
      }),
      fcParams(160),
    );
  }, 300_000);

  test.each([...requestLineCases, ...declaredBodyCases(BODY_LIMIT)].map((r) => [r.label, r] as const))('request line: %s', async (_label, r) => {
    const { o, job } = await exchange(r);
    expect(describeProblems(judgeRequest(r, o, { credentialsRequired: true })), show(r, job)).toBe('');
  }, 60_000);

  test('no credentials or wrong ones are a 401 (checked before the body is read)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(credentialsRequest, oversizeRequest(BODY_LIMIT).map((r): GenRequest => ({ ...r, auth: 'bogus' }))), async (r) => {
        const { o, job } = await exchange(r);
        expect(o.status, show(r, job)).toBe(401);
        expect(describeProblems(judgeRequest(r, o, { credentialsRequired: true })), show(r, job)).toBe('');
      }),
      fcParams(40),
    );
  }, 120_000);

  test('a body over the limit is a 413', async () => {
    await fc.assert(
      fc.asyncProperty(oversizeRequest(BODY_LIMIT), async (r) => {
        const before = await jobList();
        const { o, job } = await exchange(r);
        expect(describeProblems(judgeRequest(r, o, { credentialsRequired: true })), show(r, job)).toBe('');
        expect(await jobList(), 'nothing stored').toBe(before);
      }),
      fcParams(10),
    );
  }, 120_000);
});
