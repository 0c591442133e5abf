/**
 * A small fake Mesos master for the adapter's tests: a Node http server that speaks enough of the
 * v1 scheduler API (both encodings, RecordIO stream, 202 calls) and lets a test script answers
 * (307, 503, 400, 403, malformed records, truncated streams, re-chunked records).
 * Not a simulator: mesos-local is that. This only exists to exercise the client's edges.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPE, deserialize, mesosTypes, serialize, type Encoding, type Json } from '../../../../proto';
import { encodeRecord } from '../recordio';
import { prng, randInt } from '../../../testing/prng';

export interface RecordedCall {
  call: Json;
  encoding: Encoding;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export class FakeStream {
  closed = false;
  constructor(
    readonly res: http.ServerResponse,
    readonly encoding: Encoding,
    readonly streamId: string,
    private readonly rand: (() => number) | null,
  ) {
    res.on('close', () => (this.closed = true));
  }

  /** Sends one event, re-chunked at random points when the master was created with `rechunk`. */
  send(event: Json): void {
    this.sendRaw(encodeRecord(serialize(mesosTypes().Event, event, this.encoding)));
  }

  sendRaw(bytes: Buffer): void {
    if (this.closed) return;
    if (!this.rand) {
      this.res.write(bytes);
      return;
    }
    let i = 0;
    while (i < bytes.length) {
      const n = randInt(this.rand, 1, 7);
      this.res.write(bytes.subarray(i, i + n));
      i += n;
    }
  }

  end(): void {
    this.closed = true;
    this.res.end();
  }

  /** Drops the TCP connection without a clean end. */
  destroy(): void {
    this.closed = true;
    this.res.socket?.destroy();
  }
}

export interface FakeMasterOptions {
  /** Re-chunk every record into 1–7 byte writes (seeded). */
  rechunk?: number | false;
  /** Send SUBSCRIBED + HEARTBEAT automatically on SUBSCRIBE (default true). */
  autoSubscribed?: boolean;
  frameworkId?: string;
  heartbeatIntervalSeconds?: number;
}

export class FakeMaster {
  readonly server: http.Server;
  readonly calls: RecordedCall[] = [];
  readonly subscribes: RecordedCall[] = [];
  readonly redirectHits: http.IncomingHttpHeaders[] = [];
  streams: FakeStream[] = [];
  /** Scripted answers, consumed in order, for SUBSCRIBE and for other calls. */
  subscribeReplies: Reply[] = [];
  callReplies: Reply[] = [];
  /** Answer for `GET /redirect` (default 307 to itself). */
  redirectTo: string | null = null;
  /** Delay before answering calls (ms), to prove ordering under latency. */
  callDelayMs: (call: Json) => number = () => 0;
  private streamSeq = 0;
  private rand: (() => number) | null;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: FakeMasterOptions = {}) {
    this.rand = options.rechunk === undefined || options.rechunk === false ? null : prng(options.rechunk);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get stream(): FakeStream | undefined {
    return this.streams[this.streams.length - 1];
  }

  async stop(): Promise<void> {
    for (const s of this.streams) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Resolves when `pred()` holds (checked after every request); rejects after `ms`. */
  until(pred: () => boolean, ms = 5000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FakeMaster.until timed out')), ms);
      const check = () => {
        if (pred()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
        }
      };
      this.waiters.push(check);
    });
  }

  callsOfType(type: string): Json[] {
    return this.calls.filter((c) => c.call.type === type).map((c) => c.call);
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/redirect') {
      this.redirectHits.push(req.headers);
      res.writeHead(307, { Location: this.redirectTo ?? `//127.0.0.1:${this.port}` });
      res.end();
      this.notify();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/api/v1/scheduler') {
      res.writeHead(404);
      res.end();
      return;
    }
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    const ct = req.headers['content-type'] ?? '';
    const encoding: Encoding = ct.includes('protobuf') ? 'protobuf' : 'json';
    const call = deserialize(mesosTypes().Call, Buffer.concat(parts), encoding);
    const rec: RecordedCall = { call, encoding, headers: req.headers, at: Date.now() };
    if (call.type === 'SUBSCRIBE') {
      this.subscribes.push(rec);
      const scripted = this.subscribeReplies.shift();
      if (scripted) {
        res.writeHead(scripted.status, scripted.headers ?? {});
        res.end(scripted.body ?? '');
        this.notify();
        return;
      }
      const accept = String(req.headers.accept ?? '');
      const enc: Encoding = accept.includes('protobuf') ? 'protobuf' : 'json';
      const streamId = `stream-${++this.streamSeq}`;
      res.writeHead(200, { 'Content-Type': CONTENT_TYPE[enc], 'Mesos-Stream-Id': streamId });
      res.flushHeaders();
      const stream = new FakeStream(res, enc, streamId, this.rand);
      this.streams.push(stream);
      if (this.options.autoSubscribed !== false) {
        const id = call.framework_id?.value ?? call.subscribe?.framework_info?.id?.value ?? this.options.frameworkId ?? 'fw-1';
        stream.send({
          type: 'SUBSCRIBED',
          subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: this.options.heartbeatIntervalSeconds ?? 15 },
        });
        stream.send({ type: 'HEARTBEAT' });
      }
      this.notify();
      return;
    }
    this.calls.push(rec);
    const delay = this.callDelayMs(call);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const scripted = this.callReplies.shift();
    res.writeHead(scripted?.status ?? 202, scripted?.headers ?? {});
    res.end(scripted?.body ?? '');
    this.notify();
  }
}
