/**
 * The production server at its door (issue 12): request lines, paths, bodies and credentials a
 * careless or hostile client sends, over raw sockets where fetch cannot send them. Never a 500,
 * never a redirect loop; credentials and size are checked before the body is read.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, startApp, type RunningApp } from './harness';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** ms from the first byte sent to the status line received. */
  ms: number;
}

/**
 * Sends `head` (request line and headers, without the blank line) and, if given, `body`, on a
 * raw socket; resolves with the answer's status line, headers and the body read so far when the
 * server ends the answer or `waitMs` passes after the headers.
 */
function raw(base: string, head: string, opts: { body?: Buffer | string; waitMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let data = '';
    let headAt = 0;
    let timer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      const [top, ...rest] = data.split('\r\n\r\n');
      const [statusLine, ...headerLines] = top.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = unchunk(body);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, ms: headAt - started });
    };
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error(`no answer within 15 s to ${head.split('\r\n')[0]}`));
    });
    socket.on('error', (e) => (data ? finish() : reject(e)));
    socket.on('data', (c) => {
      data += c.toString('latin1');
      if (!headAt && data.includes('\r\n\r\n')) {
        headAt = Date.now();
        timer = setTimeout(finish, opts.waitMs ?? 300);
      }
    });
    socket.on('end', finish);
    socket.write(`${head}\r\nHost: ${hostname}:${port}\r\n\r\n`);
    if (opts.body !== undefined) socket.write(opts.body);
  });
}

/** The payload of a chunked body (as much as arrived). */
function unchunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) return out;
    const size = parseInt(text.slice(at, eol), 16);
    if (!size) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

describe('request targets and paths', () => {
  const base = () => appUrl();

  it.each(['OPTIONS', 'GET'])('%s * is a 400 that says what to ask for', async (method) => {
    const a = await raw(base(), `${method} * HTTP/1.1`);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body)).toEqual({ message: expect.stringMatching(/request target '\*'.*ask for a path/), status: 'Bad Request' });
  });

  it('an absolute-form request line is served as its path (no redirect to itself)', async () => {
    const a = await raw(base(), `GET ${base()}/ping HTTP/1.1`);
    expect(a.status).toBe(200);
    expect(a.body).toBe('pong');
  });

  it.each([
    ['GET', '/v1/scheduler/job/%00', /the path contains a NUL character/],
    ['PUT', '/v1/scheduler/job/success/%00', /the path contains a NUL character/],
    ['DELETE', '/v1/scheduler/job/%00', /the path contains a NUL character/],
    ['GET', '/v1/scheduler/jobs/search?name=a%00b', /the query parameter 'name' contains a NUL/],
    ['PUT', '/v1/scheduler/job/x?arguments=%00', /the query parameter 'arguments' contains a NUL/],
    ['GET', '/jobs/%00', /the path contains a NUL character/],
    ['GET', '/v1/scheduler/job/%ZZ', /broken percent-encoding/],
    ['GET', '/v1/scheduler/job/%C0%AF', /broken percent-encoding/],
  ])('%s %s is a 400', async (method, path, message) => {
    const a = await raw(base(), `${method} ${path} HTTP/1.1`);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body).message).toMatch(message);
  });

  it.each([
    ['/api/dashboard?x=a%00', /the query parameter 'x' contains a NUL/],
    ['/api/jobs/%ED%BF%BF', /broken percent-encoding/],
  ])('GET %s is a 400 in the UI API\'s shape ({"error": …}, as its routes answer)', async (path, message) => {
    const a = await raw(base(), `GET ${path} HTTP/1.1`);
    expect(a.status).toBe(400);
    expect(JSON.parse(a.body)).toEqual({ error: expect.stringMatching(message) });
  });

  it('a job with a NUL in its command or a lone surrogate in its owner is a 400 naming the field; nothing is stored', async () => {
    for (const [json, field] of [
      ['{"name":"hostile-nul","command":"echo a\\u0000b","schedule":"R//PT1H"}', 'command'],
      ['{"name":"hostile-surrogate","command":"true","owner":"\\ud800","schedule":"R//PT1H"}', 'owner'],
    ]) {
      const res = await fetch(`${base()}/v1/scheduler/iso8601`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toMatch(new RegExp(`^${field}: `));
    }
    const jobs = (await (await fetch(`${base()}/v1/scheduler/jobs`)).json()) as { name: string }[];
    expect(jobs.filter((j) => j.name.startsWith('hostile-'))).toEqual([]);
  });
});

describe('credentials and size before the body (HTTP_CREDENTIALS set, HTTP_MAX_BODY_BYTES 64 KiB)', () => {
  let app: RunningApp;
  const auth = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
  beforeAll(async () => {
    app = await startApp({ env: { HTTP_CREDENTIALS: 'admin:s3cret', HTTP_MAX_BODY_BYTES: '64KiB' } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('an unauthenticated 10 MB upload gets its 401 before a byte of the body is sent', async () => {
    const a = await raw(app.url, 'POST /v1/scheduler/iso8601 HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 10485760');
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Basic realm="Sisyphus"');
  });

  it('an authenticated body declared over the limit gets its 413 before it is sent', async () => {
    const a = await raw(app.url, `POST /v1/scheduler/iso8601 HTTP/1.1\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 104857600`);
    expect(a.status).toBe(413);
    expect(JSON.parse(a.body)).toEqual({ message: expect.stringMatching(/larger than 65536 bytes.*HTTP_MAX_BODY_BYTES/), status: 'Payload Too Large' });
  });

  it('a chunked body is cut off with 413 as soon as it passes the limit', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const body = Array.from({ length: 8 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const a = await raw(app.url, `POST /v1/scheduler/iso8601 HTTP/1.1\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`, { body });
    expect(a.status).toBe(413);
  });

  it('an authenticated job of a normal size is stored', async () => {
    const res = await fetch(`${app.url}/v1/scheduler/iso8601`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fits', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', description: 'd'.repeat(30_000) }),
    });
    expect(res.status).toBe(204);
  });
});
