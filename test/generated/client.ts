/**
 * Sends a generated request (requests.ts, raw-requests.ts) to a server and says how it answered:
 * node:http for ordinary requests (the target is sent exactly as generated: fetch would resolve
 * `..` and re-encode), node:net for raw bytes. An answer is its status line and headers within
 * the deadline, then its body (the first 4 MiB unless asked for more; an event stream is cut
 * after its headers).
 * No answer by the deadline is a hang; a connection closed without a status line is status 0.
 * Redirects are followed (GET, same server) up to 10 hops to tell a redirect loop.
 */
import http from 'node:http';
import net from 'node:net';
import type { GenRequest } from './requests';

export interface Target {
  host: string;
  port: number;
  /** `user:password` the server wants (HTTP_CREDENTIALS), or null. */
  credentials: string | null;
}

export interface Outcome {
  /** 0: closed without an answer. */
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
  /** No answer (or no end of the body) by the deadline. */
  hang: boolean;
  /** The client could not send it (e.g. node:http refused the target); not the server's fault. */
  unsendable?: string;
  /** Locations followed from a 3xx. */
  redirects?: string[];
  redirectLoop?: boolean;
}

const BODY_CAP = 4 * 1024 * 1024;

export const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

/** The target with its placeholders filled in. */
export function fill(text: string, t: Target, job: string): string {
  return text.replaceAll('{job}', encodeURIComponent(job)).replaceAll('{host}', `${t.host}:${t.port}`);
}

/** A JSON job body of exactly `size` bytes (its description is the filler). */
export function bigJobBody(size: number): Buffer {
  const head = '{"name":"fuzz-big","command":"true","schedule":"R/2030-01-01T00:00:00Z/P1D","description":"';
  const tail = '"}';
  const n = Math.max(0, size - head.length - tail.length);
  return Buffer.concat([Buffer.from(head), Buffer.alloc(n, 0x78), Buffer.from(tail)]);
}

/** Writes `size` bytes of a job body in 64 KiB pieces with backpressure; stops quietly when the socket goes. */
async function writeBig(out: NodeJS.WritableStream & { destroyed?: boolean }, size: number): Promise<void> {
  const body = bigJobBody(size);
  for (let i = 0; i < body.length && !out.destroyed; i += 64 * 1024) {
    const ok = out.write(body.subarray(i, i + 64 * 1024));
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
    }
  }
}

function decodeChunked(b: Buffer): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Status, headers and body of a raw response; null until the head is complete. */
function parseRaw(buf: Buffer): { status: number; headers: Record<string, string>; body: Buffer; complete: boolean } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0]);
  if (!m) return { status: 0, headers: {}, body: Buffer.alloc(0), complete: true };
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
  }
  let body = buf.subarray(end + 4);
  const len = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  const chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
  const status = Number(m[1]);
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  const complete = noBody || (len !== null && body.length >= len) || (chunked && body.includes('\r\n0\r\n\r\n'));
  if (chunked) body = decodeChunked(body);
  return { status, headers, body, complete };
}

function sendRaw(t: Target, r: GenRequest, job: string, timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  const auth = r.auth === 'good' && t.credentials ? `Authorization: ${basic(t.credentials)}\r\n` : '';
  const text = fill(r.raw!.text, t, job).replaceAll('{auth}', auth);
  return new Promise((resolve) => {
    // the head is parsed once; after it only the body's length is followed (a 30 MB answer
    // re-parsed on every chunk would make the client, not the server, slow)
    let head: Buffer[] = [];
    let parsed: ReturnType<typeof parseRaw> = null;
    let bodySeen = 0;
    let tail = Buffer.alloc(0);
    const body: Buffer[] = [];
    let kept = 0;
    let done = false;
    const socket = net.connect(t.port, t.host);
    const complete = () => {
      if (!parsed) return false;
      if (parsed.complete) return true;
      const len = parsed.headers['content-length'] === undefined ? null : Number(parsed.headers['content-length']);
      if (len !== null) return bodySeen >= len;
      return /chunked/i.test(parsed.headers['transfer-encoding'] ?? '') && tail.includes('\r\n0\r\n\r\n');
    };
    const finish = (hang: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (!parsed) parsed = parseRaw(Buffer.concat(head));
      const raw = Buffer.concat(body);
      const text = /chunked/i.test(parsed?.headers['transfer-encoding'] ?? '') ? decodeChunked(raw) : raw;
      resolve({
        status: parsed?.status ?? 0,
        headers: parsed?.headers ?? {},
        body: text.subarray(0, BODY_CAP).toString('utf8'),
        ms: Date.now() - started,
        hang: hang && !complete(),
      });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    const keep = (d: Buffer) => {
      bodySeen += d.length;
      tail = Buffer.concat([tail, d]).subarray(-16);
      if (kept < BODY_CAP) {
        body.push(d);
        kept += d.length;
      }
    };
    socket.on('data', (d: Buffer) => {
      if (!parsed) {
        head.push(d);
        const all = Buffer.concat(head);
        parsed = parseRaw(all);
        if (!parsed) return;
        head = [];
        keep(all.subarray(all.indexOf('\r\n\r\n') + 4));
      } else keep(d);
      if (complete()) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', () => {
      socket.write(Buffer.from(text, r.raw!.encoding));
      if (r.bigBody) void writeBig(socket, r.bigBody);
    });
  });
}

function sendHttp(t: Target, r: GenRequest, job: string, timeoutMs: number, agent: http.Agent | undefined, target = fill(r.target, t, job), method = r.method, cap = BODY_CAP): Promise<Outcome> {
  const started = Date.now();
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of r.headers) {
    const key = k.toLowerCase();
    const prev = headers[key];
    headers[key] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  if (r.auth === 'good' && t.credentials) headers.authorization = basic(t.credentials);
  if (r.auth === 'bogus' && headers.authorization === undefined) headers.authorization = 'Basic Zm9vOmJhcg==';
  const body = r.body !== undefined ? Buffer.from(r.body, 'utf8') : null;
  if (body) headers['content-length'] = String(body.length);
  else if (r.bigBody) headers['content-length'] = String(r.bigBody);
  return new Promise((resolve) => {
    let done = false;
    let req: http.ClientRequest;
    const finish = (o: Omit<Outcome, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...o, ms: Date.now() - started });
    };
    const timer = setTimeout(() => {
      finish({ status: 0, headers: {}, body: '', hang: true });
      req?.destroy();
    }, timeoutMs);
    try {
      req = http.request({ host: t.host, port: t.port, method, path: target, headers, agent, insecureHTTPParser: true }, (res) => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : String(v);
        if (/text\/event-stream/.test(h['content-type'] ?? '')) {
          finish({ status: res.statusCode ?? 0, headers: h, body: '', hang: false });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < cap) chunks.push(d);
          size += d.length;
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).subarray(0, cap).toString('utf8'), hang: false }));
        res.on('error', () => finish({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8'), hang: false }));
      });
    } catch (e) {
      finish({ status: 0, headers: {}, body: '', hang: false, unsendable: (e as Error).message });
      return;
    }
    req.on('error', () => finish({ status: 0, headers: {}, body: '', hang: false }));
    if (body) req.end(body);
    else if (r.bigBody) void writeBig(req, r.bigBody).then(() => req.end());
    else req.end();
  });
}

/** Sends `r` (with `{job}` = `job`) and follows same-server redirects; never throws. */
export async function send(t: Target, r: GenRequest, opts: { job: string; timeoutMs: number; agent?: http.Agent; maxBodyBytes?: number }): Promise<Outcome> {
  const first = r.raw ? await sendRaw(t, r, opts.job, opts.timeoutMs) : await sendHttp(t, r, opts.job, opts.timeoutMs, opts.agent, undefined, undefined, opts.maxBodyBytes);
  if (first.status < 300 || first.status >= 400 || !first.headers.location) return first;
  const seen = new Set<string>();
  const redirects: string[] = [];
  let location = first.headers.location;
  let base = `http://${t.host}:${t.port}${r.raw ? '/' : fill(r.target, t, opts.job)}`;
  for (let hop = 0; hop < 10; hop++) {
    let u: URL;
    try {
      u = new URL(location, base);
    } catch {
      return { ...first, redirects };
    }
    redirects.push(u.href);
    if (seen.has(u.href)) return { ...first, redirects, redirectLoop: true };
    seen.add(u.href);
    if (u.host !== `${t.host}:${t.port}`) return { ...first, redirects };
    const next = await sendHttp(t, { ...r, body: undefined, bigBody: undefined, headers: [] }, opts.job, opts.timeoutMs, opts.agent, `${u.pathname}${u.search}`, 'GET');
    if (next.status < 300 || next.status >= 400 || !next.headers.location) return { ...first, redirects };
    base = u.href;
    location = next.headers.location;
  }
  return { ...first, redirects, redirectLoop: true };
}
