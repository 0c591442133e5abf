/**
 * server/main.ts runs proxy.ts's proxyDecision instead of proxy(): a request let through gets the
 * same headers, in the same order, as Next.js's NextResponse.next() carried; anything proxy()
 * answers itself is the same answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { proxy, proxyDecision } from '../proxy';
import { registry } from '../scheduler/registry';
import { reloadConfig } from '../scheduler/config';

const passedOn = (r: Response): [string, string][] => [...r.headers].filter(([k]) => !k.startsWith('x-middleware-'));
const asNext = (r: Request) => r as Parameters<typeof proxy>[0];

afterEach(() => {
  registry.elector.set(undefined);
  reloadConfig({});
});

describe('proxyDecision', () => {
  it('a request let through: the headers of NextResponse.next(), in its order, with and without an election view', async () => {
    for (const view of [undefined, { id: 'a:4400', isLeader: () => true, leader: () => 'a:4400' }, { id: 'b:4400', isLeader: () => true, leader: () => null }]) {
      registry.elector.set(view);
      const req = () => new Request('http://127.0.0.1:4400/v1/scheduler/iso8601', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      const next = await proxy(asNext(req()));
      expect(next.headers.get('x-middleware-next')).toBe('1');
      const decided = await proxyDecision(req());
      expect(decided).not.toBeInstanceOf(Response);
      expect(Object.entries(decided as Record<string, string>)).toEqual(passedOn(next));
    }
  });

  it('a preflight and a request without the credentials are answered as proxy() answers them', async () => {
    reloadConfig({ HTTP_CREDENTIALS: 'admin:secret' });
    const cases = [
      () => new Request('http://127.0.0.1:4400/v1/scheduler/jobs', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'X-Custom' } }),
      () => new Request('http://127.0.0.1:4400/v1/scheduler/jobs'),
    ];
    for (const make of cases) {
      const expected = await proxy(asNext(make()));
      const decided = (await proxyDecision(make())) as Response;
      expect(decided).toBeInstanceOf(Response);
      expect([decided.status, [...decided.headers], await decided.text()]).toEqual([expected.status, [...expected.headers], await expected.text()]);
    }
  });
});
