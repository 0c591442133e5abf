/**
 * Node http ↔ web Request/Response as the production server does it, over a real socket.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { BodyTooLargeError, readBody, sendResponse, toRequest } from './node-web';

/** The limit these tests serve with. */
const MAX_BODY_BYTES = 64 * 1024;

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(null));
  server = null;
});

async function serve(handler: (req: Request) => Promise<Response> | Response, gzip = false): Promise<string> {
  server = http.createServer((req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (e) {
        res.writeHead(e instanceof BodyTooLargeError ? 413 : 500);
        res.end();
        return;
      }
      await sendResponse(req, res, await handler(toRequest(req, res, body, 'http://local')), { gzip });
    })();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

describe('node-web', () => {
  it('the handler sees method, path, query, headers and body; its status, headers and body come back', async () => {
    const url = await serve(async (req) => {
      const u = new URL(req.url);
      return new Response(JSON.stringify({ method: req.method, path: u.pathname, q: u.searchParams.get('q'), h: req.headers.get('x-test'), body: await req.text() }), {
        status: 201,
        headers: { 'content-type': 'application/json', 'x-out': 'yes' },
      });
    });
    const res = await fetch(`${url}/a/b?q=1`, { method: 'POST', headers: { 'x-test': 'hi' }, body: 'payload é' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-out')).toBe('yes');
    expect(await res.json()).toEqual({ method: 'POST', path: '/a/b', q: '1', h: 'hi', body: 'payload é' });
  });

  it('gzips JSON for a client that accepts it, not a no-transform answer, not a client that does not', async () => {
    const big = JSON.stringify({ rows: Array.from({ length: 2000 }, (_, i) => ({ i, name: `job-${i}` })) });
    const url = await serve((req) =>
      new Response(big, { headers: { 'content-type': 'application/json', ...(new URL(req.url).pathname === '/raw' ? { 'cache-control': 'no-transform' } : {}) } }),
    true);
    const zipped = await get(`${url}/x`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(zipped.body).toString()).toBe(big);
    expect(zipped.body.length).toBeLessThan(big.length / 3);
    const plain = await get(`${url}/x`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
    const raw = await get(`${url}/raw`, { 'accept-encoding': 'gzip' });
    expect(raw.headers['content-encoding']).toBeUndefined();
  });

  it('a client that goes away aborts the request and cancels an endless body', async () => {
    let aborted = false;
    let cancelled = false;
    const url = await serve((req) => {
      req.signal.addEventListener('abort', () => (aborted = true));
      const stream = new ReadableStream<Uint8Array>({
        pull: async (c) => {
          await new Promise((r) => setTimeout(r, 20));
          c.enqueue(new TextEncoder().encode('data: tick\n\n'));
        },
        cancel: () => {
          cancelled = true;
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    });
    await new Promise<void>((resolve) => {
      const req = http.get(`${url}/events`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
    });
    for (let i = 0; i < 100 && !(aborted && cancelled); i++) await new Promise((r) => setTimeout(r, 20));
    expect(aborted).toBe(true);
    expect(cancelled).toBe(true);
  });

  it('a body over the limit is answered 413, and not kept', async () => {
    const url = await serve(() => new Response('never'));
    const res = await fetch(`${url}/big`, { method: 'POST', body: Buffer.alloc(MAX_BODY_BYTES + 1024) });
    expect(res.status).toBe(413);
  });

  it.each([
    { name: 'text()', read: (r: Request) => r.text() },
    { name: 'json()', read: async (r: Request) => JSON.stringify(await r.json()) },
    { name: 'arrayBuffer()', read: async (r: Request) => Buffer.from(await r.arrayBuffer()).toString() },
    { name: 'the body stream', read: async (r: Request) => new Response(r.body).text() },
  ])("a POST's body reads once through $name, whole; a second read is refused", async ({ read }) => {
    const url = await serve(async (req) => {
      const first = await read(req);
      const again = await req.text().then(
        () => 'read twice',
        () => 'refused',
      );
      return new Response(JSON.stringify({ first, again, used: req.bodyUsed }), { headers: { 'content-type': 'application/json' } });
    });
    const sent = JSON.stringify({ name: 'job é', n: 1 });
    const res = await fetch(`${url}/x`, { method: 'POST', body: sent });
    expect(await res.json()).toEqual({ first: sent, again: 'refused', used: true });
  });

  it("headers given to sendResponse go over the response's own", async () => {
    server = http.createServer((req, res) => {
      void sendResponse(req, res, new Response('x', { headers: { 'x-a': 'handler', 'x-b': 'handler' } }), { headers: { 'x-b': 'proxy', 'access-control-allow-origin': '*' } });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const res = await get(`http://127.0.0.1:${(server!.address() as { port: number }).port}/`);
    expect([res.headers['x-a'], res.headers['x-b'], res.headers['access-control-allow-origin'], res.body.toString()]).toEqual(['handler', 'proxy', '*', 'x']);
  });
});
