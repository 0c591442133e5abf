import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTimeoutError } from './http';
import { PipelinedHttp } from './pipelined-http';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A Node http server (as mesos-local) counting connections and the requests it saw. */
async function server(handler: http.RequestListener): Promise<{ url: string; connections: () => number; bodies: string[] }> {
  const bodies: string[] = [];
  let connections = 0;
  const s = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(parts).toString());
      handler(req, res);
    });
  });
  s.on('connection', () => connections++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closers.push(() => {
    s.closeAllConnections();
    return new Promise<void>((r) => s.close(() => r()));
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, connections: () => connections, bodies };
}

function pipes(n: number): PipelinedHttp {
  const p = new PipelinedHttp(n);
  closers.push(() => p.close());
  return p;
}

describe('PipelinedHttp', () => {
  it('many POSTs of one turn share one connection, each answered with its own status, headers and body, in order', async () => {
    const s = await server((req, res) => {
      const n = Number(req.headers['x-n']);
      // answers finish out of order; HTTP/1.1 still delivers them in request order
      setTimeout(() => {
        if (n % 3 === 0) res.writeHead(202).end();
        else res.writeHead(200, { 'content-type': 'text/plain', location: `//x/${n}` }).end(`answer ${n}`);
      }, (50 - n) % 7);
    });
    const p = pipes(1);
    const url = new URL('/api/v1/scheduler', s.url);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => p.post(url, { 'x-n': String(n), 'content-type': 'application/json' }, Buffer.from(`{"n":${n}}`), 5000)));
    expect(s.connections()).toBe(1);
    answers.forEach((a, n) => {
      if (n % 3 === 0) expect({ status: a.status, body: a.body.toString() }).toEqual({ status: 202, body: '' });
      else expect({ status: a.status, body: a.body.toString(), location: a.headers.location }).toEqual({ status: 200, body: `answer ${n}`, location: `//x/${n}` });
    });
    expect(s.bodies).toEqual(Array.from({ length: 50 }, (_, n) => `{"n":${n}}`));
  });

  it('reads a chunked answer (a body written without Content-Length)', async () => {
    const s = await server((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.write('Framework cannot ');
      setTimeout(() => res.end('be found'), 5);
    });
    const a = await pipes(1).post(new URL('/x', s.url), {}, Buffer.from('{}'), 5000);
    expect({ status: a.status, body: a.body.toString() }).toEqual({ status: 400, body: 'Framework cannot be found' });
  });

  it('spreads requests over at most N connections, and opens a new one after the server closed one', async () => {
    const s = await server((_req, res) => setTimeout(() => res.writeHead(202).end(), 20));
    const p = pipes(3);
    const url = new URL('/x', s.url);
    await Promise.all(Array.from({ length: 30 }, () => p.post(url, {}, Buffer.alloc(0), 5000)));
    expect(s.connections()).toBe(3);
    const s2 = await server((_req, res) => res.writeHead(202, { connection: 'close' }).end());
    const url2 = new URL('/y', s2.url);
    expect((await p.post(url2, {}, Buffer.alloc(0), 5000)).status).toBe(202);
    expect((await p.post(url2, {}, Buffer.alloc(0), 5000)).status).toBe(202);
    expect(s2.connections()).toBe(2);
  });

  it('a request whose deadline passes fails with HttpTimeoutError; the others on its connection fail as retryable (ECONNRESET)', async () => {
    const s = await server(() => {
      // never answers
    });
    const p = pipes(1);
    const url = new URL('/x', s.url);
    const slow = p.post(url, {}, Buffer.alloc(0), 100);
    const other = p.post(url, {}, Buffer.alloc(0), 60_000);
    await expect(slow).rejects.toBeInstanceOf(HttpTimeoutError);
    await expect(other).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('a connection the server drops fails what is on it with ECONNRESET; a refused one with ECONNREFUSED', async () => {
    const raw = net.createServer((sock) => sock.once('data', () => sock.destroy()));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const port = (raw.address() as AddressInfo).port;
    closers.push(() => new Promise<void>((r) => raw.close(() => r())));
    const p = pipes(1);
    await expect(p.post(new URL(`http://127.0.0.1:${port}/x`), {}, Buffer.alloc(0), 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const freePort = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    await expect(p.post(new URL(`http://127.0.0.1:${freePort}/x`), {}, Buffer.alloc(0), 5000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a malformed answer fails the connection instead of being taken for the next request', async () => {
    const raw = net.createServer((sock) => sock.once('data', () => sock.write('NOT HTTP\r\n\r\n')));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => raw.close(() => r())));
    const p = pipes(1);
    await expect(p.post(new URL(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/x`), {}, Buffer.alloc(0), 5000)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
