/**
 * HTTP/1.1 POSTs pipelined on a few keep-alive connections: the requests of one turn of the event
 * loop go out in one socket write, the answers come back in order on the same connection.
 *
 * Why: a status update costs the framework one ACKNOWLEDGE call, three per run, thousands a second.
 * Through Node's http.ClientRequest each one cost a request object, the agent's bookkeeping, a
 * writev and a response object: ~30% of the app's CPU in burst (b). Here a call is one string and
 * one Buffer, written together with the others of its turn; an answer is a status line, headers
 * and a Content-Length (or chunked) body read off a buffer.
 *
 * Mesos's HTTP server (libprocess) answers pipelined requests in order, as HTTP/1.1 requires, and
 * so does Node's (mesos-local). A connection that fails (error, close, a malformed answer, a
 * deadline passed) fails every request still on it, with a network error (code ECONNRESET, or the
 * socket's own code) the caller retries as it retries a dropped keep-alive socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Fifo } from '../../core/fifo';
import { HttpTimeoutError, type HttpResponse } from './http';

interface Pending {
  url: URL;
  deadline: number;
  resolve: (r: HttpResponse) => void;
  reject: (e: Error) => void;
}

/** Largest status line + headers accepted; a larger head fails the connection. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

function hangUp(reason: string): Error {
  return Object.assign(new Error(`socket hang up (${reason})`), { code: 'ECONNRESET' });
}

/** One keep-alive connection with requests pipelined on it. */
class Connection {
  readonly inFlight = new Fifo<Pending>();
  private readonly socket: net.Socket;
  private outbox: Buffer[] = [];
  private flushing = false;
  private buf: Buffer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  dead = false;

  constructor(
    readonly origin: string,
    url: URL,
    private readonly onDead: (c: Connection) => void,
  ) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    this.socket = url.protocol === 'https:' ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(hangUp('closed by the server')));
  }

  send(head: string, body: Buffer, p: Pending): void {
    this.inFlight.push(p);
    this.outbox.push(Buffer.from(head, 'latin1'), body);
    if (p.deadline < this.timerAt) this.arm(p.deadline);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    if (this.dead || this.outbox.length === 0) return;
    const out = this.outbox.length === 1 ? this.outbox[0] : Buffer.concat(this.outbox);
    this.outbox = [];
    this.socket.write(out);
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, at - Date.now()));
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.dead) return;
    const now = Date.now();
    let next = Infinity;
    let late: Pending | null = null;
    // every request on the connection, oldest first (Fifo has no iterator: rotate it once)
    for (let i = 0, n = this.inFlight.size; i < n; i++) {
      const p = this.inFlight.shift()!;
      if (!late && p.deadline <= now) late = p;
      else next = Math.min(next, p.deadline);
      this.inFlight.push(p);
    }
    if (late) {
      const ms = Math.max(0, Math.round(late.deadline - now));
      this.fail(new HttpTimeoutError(late.url, ms), late);
    } else if (Number.isFinite(next)) this.arm(next);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    try {
      while (this.buf && this.buf.length > 0 && !this.dead) {
        const r = this.parseOne(this.buf);
        if (!r) break;
        this.buf = r.rest.length ? r.rest : null;
        const p = this.inFlight.shift();
        if (!p) throw new Error('an answer to no request');
        p.resolve(r.response);
        if (r.close) {
          this.fail(hangUp('Connection: close'));
          return;
        }
      }
      if (this.buf && this.buf.length > MAX_HEAD_BYTES * 64) throw new Error('answer too large');
    } catch (e) {
      this.fail(hangUp((e as Error).message));
      return;
    }
    if (this.inFlight.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.timerAt = Infinity;
    }
  }

  /** One whole answer at the start of `b`, or null while it is incomplete. Throws on a malformed one. */
  private parseOne(b: Buffer): { response: HttpResponse; rest: Buffer; close: boolean } | null {
    const end = b.indexOf(CRLF2);
    if (end < 0) {
      if (b.length > MAX_HEAD_BYTES) throw new Error('answer head too large');
      return null;
    }
    const lines = b.toString('latin1', 0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) throw new Error(`malformed status line '${lines[0].slice(0, 60)}'`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(':');
      if (c <= 0) continue;
      const k = lines[i].slice(0, c).trim().toLowerCase();
      const v = lines[i].slice(c + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    const close = /\bclose\b/i.test(headers.connection ?? '') || lines[0].startsWith('HTTP/1.0');
    let at = end + 4;
    if (status >= 100 && status < 200) return { response: { status, headers, body: Buffer.alloc(0) }, rest: b.subarray(at), close: false };
    let body: Buffer;
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = b.indexOf('\r\n', at);
        if (eol < 0) return null;
        const size = parseInt(b.toString('latin1', at, eol).split(';')[0], 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed chunk size');
        if (size === 0) {
          // no trailers expected: the last chunk ends with an empty line
          const fin = b.indexOf('\r\n', eol + 2);
          if (fin < 0) return null;
          at = fin + 2;
          break;
        }
        if (b.length < eol + 2 + size + 2) return null;
        parts.push(b.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (!Number.isInteger(n) || n < 0) throw new Error('malformed Content-Length');
      if (b.length < at + n) return null;
      body = Buffer.from(b.subarray(at, at + n));
      at += n;
    } else if (status === 204 || status === 304) {
      body = Buffer.alloc(0);
    } else {
      // a body that ends with the connection: not pipelinable
      throw new Error('an answer without Content-Length');
    }
    // headers as Node gives them (IncomingHttpHeaders): the caller reads location and content-type
    return { response: { status, headers, body }, rest: b.subarray(at), close };
  }

  /** Fails every request on this connection (`first`, the one that caused it, with `e`). */
  fail(e: Error, first?: Pending): void {
    if (this.dead) return;
    this.dead = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onDead(this);
    this.socket.destroy();
    const other = first && e instanceof HttpTimeoutError ? hangUp('another request on the connection timed out') : e;
    for (const p of this.inFlight.drain()) p.reject(p === first ? e : other);
    this.outbox = [];
  }

  close(): void {
    this.fail(hangUp('client closed'));
  }
}

/** A few pipelined connections per origin; each request goes on the one with the fewest waiting. */
export class PipelinedHttp {
  private readonly pools = new Map<string, Connection[]>();
  /** The request head up to Content-Length for the last (url, headers) seen: callers reuse both. */
  private head: { url: URL; headers: Record<string, string>; text: string } | null = null;

  constructor(private readonly connectionsPerOrigin: number) {}

  /** POSTs `body` to `url` with `headers` (Host and Content-Length are added); the answer, read whole. */
  post(url: URL, headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      if (this.head?.url !== url || this.head.headers !== headers) {
        let text = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
        for (const k in headers) text += `${k}: ${headers[k]}\r\n`;
        this.head = { url, headers, text };
      }
      const head = `${this.head.text}Content-Length: ${body.length}\r\n\r\n`;
      this.connection(url).send(head, body, { url, deadline: Date.now() + timeoutMs, resolve, reject });
    });
  }

  private connection(url: URL): Connection {
    const origin = url.origin;
    let pool = this.pools.get(origin);
    if (!pool) this.pools.set(origin, (pool = []));
    let best: Connection | null = null;
    for (const c of pool) if (!best || c.inFlight.size < best.inFlight.size) best = c;
    if (best && (best.inFlight.size === 0 || pool.length >= this.connectionsPerOrigin)) return best;
    const c = new Connection(origin, url, (dead) => {
      const list = this.pools.get(dead.origin);
      if (list) this.pools.set(dead.origin, list.filter((x) => x !== dead));
    });
    pool.push(c);
    return c;
  }

  /** Fails what is in flight and closes every connection. */
  close(): void {
    for (const pool of this.pools.values()) for (const c of [...pool]) c.close();
    this.pools.clear();
  }
}
