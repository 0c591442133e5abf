/**
 * The master's connections, read here first: scheduler calls made on a framework's stream
 * (POST /api/v1/scheduler with a Mesos-Stream-Id, so never a SUBSCRIBE that opens one) are parsed,
 * handled and answered here, and the answers of one turn of the event loop leave in one write.
 * Anything else (SUBSCRIBE, the state and files endpoints, faults, a request this reader does not
 * take: chunked, Expect, HTTP/1.0, a head over 64 KiB) hands the connection, from that request
 * on, to Node's HTTP server, which serves it as before.
 *
 * Why: Node's server answers pipelined requests one after the other, each answer written when the
 * previous one has been (ServerResponse.end uncorks the socket), so every ACKNOWLEDGE cost the
 * master a writev of its own, the framework a read, and both a loopback wake-up. With 40,000
 * tasks starting that write was a quarter of mesos-local's CPU (node --cpu-prof, running-tasks
 * bench) and mesos-local the limit of how fast updates went round.
 */
import http from 'node:http';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { SchedulerEndpoint } from './scheduler-endpoint';
import { HttpError } from './http-io';

/** Longest request head read here; a longer one goes to Node's server (which answers 431). */
const MAX_HEAD = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
const ACCEPTED = 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n';

interface Head {
  method: string;
  target: string;
  version: string;
  headers: http.IncomingHttpHeaders;
  /** bytes of the head, with its blank line */
  length: number;
}

function parseHead(b: Buffer, end: number): Head | null {
  const lines = b.toString('latin1', 0, end).split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0]);
  if (!m) return null;
  const headers: http.IncomingHttpHeaders = {};
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c <= 0) return null;
    const k = lines[i].slice(0, c).trim().toLowerCase();
    const v = lines[i].slice(c + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : `${String(prev)}, ${v}`;
  }
  return { method: m[1], target: m[2], version: m[3], headers, length: end + 4 };
}

/** Whether this reader answers the request (else Node's server gets the connection from it on). */
function takes(h: Head): boolean {
  const path = h.target.split('?', 1)[0];
  return (
    path === '/api/v1/scheduler' &&
    h.version === '1.1' &&
    h.headers['mesos-stream-id'] !== undefined &&
    h.headers['transfer-encoding'] === undefined &&
    h.headers.expect === undefined &&
    /^\d+$/.test(String(h.headers['content-length'] ?? '0'))
  );
}

function answer(status: number, body: string, headers: Record<string, string>): string {
  const buf = Buffer.from(body);
  let head = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n`;
  if (buf.length) head += 'Content-Type: text/plain; charset=utf-8\r\n';
  head += `Content-Length: ${buf.length}\r\n`;
  for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
  return `${head}\r\n${body}`;
}

/** The socket seen by Node's server once handed over: what was read already, then the rest. */
class HandedOver extends Duplex {
  constructor(private readonly socket: net.Socket) {
    super({ allowHalfOpen: true });
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (e) => this.destroy(e));
    socket.on('close', () => this.destroy());
    socket.on('timeout', () => this.emit('timeout'));
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms, cb);
    return this;
  }
  setNoDelay(on?: boolean): this {
    this.socket.setNoDelay(on);
    return this;
  }
  setKeepAlive(on?: boolean, delay?: number): this {
    this.socket.setKeepAlive(on, delay);
    return this;
  }
  override _read(): void {
    this.socket.resume();
  }
  override _write(chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.socket.write(chunk, enc, cb);
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (e?: Error | null) => void): void {
    this.socket.write(Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.socket.end(cb);
  }
  override _destroy(e: Error | null, cb: (e: Error | null) => void): void {
    this.socket.destroy(e ?? undefined);
    cb(e);
  }
}

/** One connection while this reader has it. */
class Conn {
  private buf: Buffer | null = null;
  private out: string[] = [];
  private flushQueued = false;
  private closing = false;
  private handedOver = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly front: PipelinedCalls,
  ) {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => front.forget(socket));
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf && !this.handedOver && !this.closing) {
      const b: Buffer = this.buf;
      const end = b.indexOf(CRLF2);
      if (end < 0) {
        if (b.length > MAX_HEAD) this.handOver();
        return;
      }
      const head = end <= MAX_HEAD ? parseHead(b, end) : null;
      if (!head || !takes(head)) {
        this.handOver();
        return;
      }
      const n = Number(head.headers['content-length'] ?? 0);
      if (b.length < head.length + n) return;
      const body = b.subarray(head.length, head.length + n);
      this.buf = b.length > head.length + n ? b.subarray(head.length + n) : null;
      this.respond(this.front.handle(head.method, head.headers, body));
      if (/\bclose\b/i.test(String(head.headers.connection ?? ''))) {
        this.closing = true;
        this.flush();
        this.socket.end();
      }
    }
  };

  private respond(text: string): void {
    this.out.push(text);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    if (this.out.length === 0 || this.socket.destroyed) return;
    const text = this.out.length === 1 ? this.out[0] : this.out.join('');
    this.out = [];
    this.socket.write(text, 'latin1');
  };

  /** From the request at the start of `buf` on, Node's server has this connection. */
  private handOver(): void {
    this.handedOver = true;
    this.flush(); // the answers so far go first
    this.socket.off('data', this.onData);
    this.socket.pause();
    this.front.forget(this.socket);
    const rest = this.buf;
    this.buf = null;
    const duplex = new HandedOver(this.socket);
    if (rest) duplex.push(rest);
    this.front.server.emit('connection', duplex);
    this.socket.resume();
  }
}

export class PipelinedCalls {
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly server: http.Server,
    private readonly endpoint: SchedulerEndpoint,
    private readonly log: (line: string) => void,
  ) {}

  /** Takes every new connection of `server` first (call before it listens). */
  install(): void {
    const node = this.server.listeners('connection') as Array<(s: net.Socket) => void>;
    this.server.removeAllListeners('connection');
    // sockets handed over are emitted again as 'connection' (a Duplex): those go to Node's listener
    this.server.on('connection', (s: net.Socket) => {
      if (s instanceof HandedOver) for (const l of node) l.call(this.server, s);
      else {
        this.sockets.add(s);
        new Conn(s, this);
      }
    });
  }

  /** The answer (status line to body) to one call. */
  handle(method: string, headers: http.IncomingHttpHeaders, body: Buffer): string {
    try {
      if (this.endpoint.call({ method, headers, body })) throw new Error('SUBSCRIBE with a Mesos-Stream-Id was accepted');
      return ACCEPTED;
    } catch (err) {
      if (err instanceof HttpError) return answer(err.status, err.message, err.headers);
      this.log(`request failed: ${(err as Error).stack ?? err}`);
      return answer(500, (err as Error).message, {});
    }
  }

  forget(socket: net.Socket): void {
    this.sockets.delete(socket);
  }

  /** Closes the connections this reader still has (Node's server closes the others). */
  closeAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}
