/**
 * The production server's route table over the app's real route files: the same paths Next.js
 * would route, matched without it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RouteTable } from './routes';

const table = RouteTable.scan(path.join(import.meta.dirname, '..', 'app'));

describe('RouteTable over app/', () => {
  const cases: Array<[string, string, string | null, Record<string, string>?]> = [
    ['GET', '/ping', 'app/ping/route.ts'],
    ['GET', '/v1/scheduler/jobs', 'app/v1/scheduler/jobs/route.ts'],
    ['GET', '/v1/scheduler/jobs/search', 'app/v1/scheduler/jobs/search/route.ts'],
    ['DELETE', '/v1/scheduler/job/nightly%20transcode', 'app/v1/scheduler/job/[name]/route.ts', { name: 'nightly transcode' }],
    ['POST', '/v1/scheduler/job/a/task/ct:1:0:a:/progress', 'app/v1/scheduler/job/[name]/task/[taskId]/progress/route.ts', { name: 'a', taskId: 'ct:1:0:a:' }],
    // Chronos 2.x paths: /scheduler/... answered by the /v1/scheduler/... handlers
    ['GET', '/scheduler/jobs', 'app/v1/scheduler/jobs/route.ts'],
    ['DELETE', '/scheduler/task/kill/a', 'app/v1/scheduler/task/kill/[name]/route.ts', { name: 'a' }],
    // ... except the 2.x async completion, which has its own route
    ['PUT', '/scheduler/task/ct:1:0:a:', 'app/scheduler/task/[taskId]/route.ts', { taskId: 'ct:1:0:a:' }],
    ['GET', '/api/jobs/a/next', 'app/api/jobs/[name]/next/route.ts', { name: 'a' }],
    // a static segment wins over a parameter at the same place
    ['GET', '/v1/scheduler/jobs/summary', 'app/v1/scheduler/jobs/summary/route.ts'],
    // pages are not routes: Next.js serves them
    ['GET', '/jobs', null],
    ['GET', '/', null],
    ['GET', '/v1/scheduler/nothing-here', null],
  ];
  for (const [method, p, file, params] of cases) {
    it(`${method} ${p} → ${file ?? 'no route'}`, async () => {
      const hit = await table.match(method, p);
      if (file === null) {
        expect(hit).toBeNull();
        return;
      }
      expect(hit?.route.replaceAll(path.sep, '/')).toMatch(new RegExp(`${file.replace(/[[\]]/g, '\\$&')}$`));
      expect(typeof hit?.handler).toBe('function');
      if (params) expect(hit?.params).toEqual(params);
    });
  }

  it('a method the route does not answer has no handler, and the methods it answers for Allow', async () => {
    const hit = await table.match('PATCH', '/v1/scheduler/iso8601');
    expect(hit?.handler).toBeNull();
    expect(hit?.methods).toEqual(expect.arrayContaining(['POST', 'PUT']));
  });

  it('HEAD is answered by GET', async () => {
    const hit = await table.match('HEAD', '/ping');
    expect(typeof hit?.handler).toBe('function');
    const res = await hit!.handler!(new Request('http://x/ping', { method: 'HEAD' }), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
  });
});
