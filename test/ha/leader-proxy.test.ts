/**
 * The follower → leader proxy (scheduler/api/leader-proxy.ts) against a real HTTP "leader":
 * method, headers, query, body and status go through; read-only UI endpoints stay local; a loop
 * is impossible; an unreachable leader is Chronos's 500.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignedProxied, mustGoToLeader, proxyToLeader, PROXY_ERROR_MESSAGE, signProxied, type LeaderView } from '../../scheduler/api/leader-proxy';
import { freePort } from './support';

let leader: http.Server;
let leaderId: string;
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  leader = http.createServer((req, res) => {
    if (req.url === '/api/events') {
      // an endless event stream: one chunk now, one later
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
      const t = setTimeout(() => res.write('data: {"type":"later"}\n\n'), 600);
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (req.url === '/v1/scheduler/silent') return; // never answers
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(req.url!.includes('bad') ? 400 : 201, { 'content-type': 'application/json', 'x-from': 'leader' });
      res.end(JSON.stringify({ echoed: body }));
    });
  });
  await new Promise<void>((r) => leader.listen(0, '127.0.0.1', r));
  leaderId = `127.0.0.1:${(leader.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => leader.close(() => r())));

/** The secret the instances of these tests share (boot.ts reads it from framework_state). */
const SECRET = 'test-secret';
const follower = (lead: string | null): LeaderView => ({ id: '127.0.0.1:1', isLeader: () => false, leader: () => lead, proxySecret: SECRET });

describe('which requests go to the leader', () => {
  it.each([
    { path: '/v1/scheduler/jobs', method: 'GET', proxied: true },
    { path: '/scheduler/iso8601', method: 'POST', proxied: true },
    { path: '/v1/scheduler/leader', method: 'GET', proxied: true },
    { path: '/api/queue', method: 'GET', proxied: true },
    { path: '/api/runs', method: 'GET', proxied: false },
    { path: '/api/runs/123', method: 'GET', proxied: false },
    { path: '/api/runs', method: 'POST', proxied: true },
    { path: '/api/instances', method: 'GET', proxied: false },
    { path: '/api/instance', method: 'GET', proxied: false },
    { path: '/api/events', method: 'GET', proxied: true },
    { path: '/jobs', method: 'GET', proxied: false },
    { path: '/ping', method: 'GET', proxied: false },
    { path: '/v1/scheduler/jobs', method: 'OPTIONS', proxied: false },
  ])('$method $path → leader: $proxied', ({ path, method, proxied }) => expect(mustGoToLeader(path, method)).toBe(proxied));
});

describe('proxyToLeader', () => {
  it('forwards method, headers, query and body; returns status, headers and body', async () => {
    const req = new Request('http://127.0.0.1:1/v1/scheduler/iso8601?x=1&y=two', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dTpw', 'x-custom': 'yes' },
      body: '{"name":"a"}',
    });
    const res = (await proxyToLeader(req, follower(leaderId)))!;
    expect(res.status).toBe(201);
    expect(res.headers.get('x-from')).toBe('leader');
    expect(res.headers.get('x-sisyphus-instance')).toBe('127.0.0.1:1');
    expect(res.headers.get('x-sisyphus-leader')).toBe(leaderId);
    expect(await res.json()).toEqual({ echoed: '{"name":"a"}' });
    const got = seen.at(-1)!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/v1/scheduler/iso8601?x=1&y=two');
    expect(got.headers.authorization).toBe('Basic dTpw');
    expect(got.headers['x-custom']).toBe('yes');
    // signed for this method and target with the shared secret
    expect(got.headers['x-sisyphus-proxied-by']).toMatch(/^127\.0\.0\.1:1 \d+ [\w-]+$/);
    const forwarded = new Request(`http://${leaderId}${got.url}`, { method: 'POST', headers: { 'x-sisyphus-proxied-by': String(got.headers['x-sisyphus-proxied-by']) } });
    expect(isSignedProxied(forwarded, follower(leaderId))).toBe(true);
  });

  it('passes the leader errors through unchanged', async () => {
    const res = (await proxyToLeader(new Request('http://127.0.0.1:1/v1/scheduler/bad', { method: 'DELETE' }), follower(leaderId)))!;
    expect(res.status).toBe(400);
  });

  it('answers locally on the leader, for local reads, and for an already proxied request', async () => {
    const lead: LeaderView = { id: 'me:1', isLeader: () => true, leader: () => 'me:1' };
    expect(await proxyToLeader(new Request('http://x/v1/scheduler/jobs'), lead)).toBeNull();
    expect(await proxyToLeader(new Request('http://x/api/runs'), follower(leaderId))).toBeNull();
    const signed = signProxied(SECRET, 'other:1', 'GET', '/v1/scheduler/jobs', Date.now());
    expect(
      await proxyToLeader(new Request('http://x/v1/scheduler/jobs', { headers: { 'x-sisyphus-proxied-by': signed } }), follower(leaderId)),
    ).toBeNull();
    expect(await proxyToLeader(new Request('http://x/v1/scheduler/jobs'), null)).toBeNull();
  });

  it.each([
    ['an unsigned header', () => 'other:1'],
    ['a forged signature', () => `other:1 ${Date.now()} AAAA`],
    ['a signature for another path', () => signProxied(SECRET, 'other:1', 'POST', '/v1/scheduler/dependency', Date.now())],
    ['a signature for another method', () => signProxied(SECRET, 'other:1', 'GET', '/v1/scheduler/iso8601', Date.now())],
    ['another secret', () => signProxied('guessed', 'other:1', 'POST', '/v1/scheduler/iso8601', Date.now())],
    ['an old signature (replayed)', () => signProxied(SECRET, 'other:1', 'POST', '/v1/scheduler/iso8601', Date.now() - 10 * 60_000)],
  ])('an X-Sisyphus-Proxied-By header from outside is not trusted (%s): the follower forwards the write to the leader', async (_, header) => {
    const before = seen.length;
    const req = new Request('http://127.0.0.1:1/v1/scheduler/iso8601', { method: 'POST', headers: { 'x-sisyphus-proxied-by': header() }, body: '{"name":"x"}' });
    const res = await proxyToLeader(req, follower(leaderId));
    expect(res?.status).toBe(201);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.headers['x-sisyphus-proxied-by']).toMatch(/^127\.0\.0\.1:1 /);
  });

  it('streams the body of the leader as it comes: an endless event stream is not buffered, nor cut by the timeout', async () => {
    const res = (await proxyToLeader(new Request('http://127.0.0.1:1/api/events'), follower(leaderId), { timeoutMs: 300 }))!;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('later')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    expect(text).toBe(': connected\n\ndata: {"type":"later"}\n\n'); // the second chunk came after the 300 ms timeout
    await reader.cancel();
  });

  it('a leader that does not begin to answer within the timeout is a 500', async () => {
    const started = Date.now();
    const res = (await proxyToLeader(new Request('http://127.0.0.1:1/v1/scheduler/silent'), follower(leaderId), { timeoutMs: 300 }))!;
    expect(res.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an unreachable leader is a 500 "Error proxying request to leader"; no leader is a 503', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const res = (await proxyToLeader(new Request('http://x/v1/scheduler/jobs'), follower(dead)))!;
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: PROXY_ERROR_MESSAGE, status: 'Internal Server Error' });
    const none = (await proxyToLeader(new Request('http://x/v1/scheduler/jobs'), follower(null)))!;
    expect(none.status).toBe(503);
  });
});
