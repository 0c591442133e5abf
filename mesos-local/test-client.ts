/**
 * A tiny raw scheduler client for mesos-local's tests: Node http, a Buffer-based RecordIO reader,
 * and helpers to wait for events. It deliberately shares nothing with the real framework adapter
 * (scheduler/adapters/mesos), so the tests check mesos-local against the wire protocol only.
 */
import http from 'node:http';
import { mesosTypes, decode, encode, type Json } from '../proto';

/** Incremental RecordIO decoder: `<decimal length>\n<bytes>` records, any chunking. */
export class RecordIOReader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) break;
      const len = Number(this.buf.subarray(0, nl).toString('ascii'));
      if (!Number.isInteger(len) || len <= 0) throw new Error(`bad RecordIO length '${this.buf.subarray(0, nl).toString('ascii')}'`);
      if (this.buf.length < nl + 1 + len) break;
      out.push(this.buf.subarray(nl + 1, nl + 1 + len));
      this.buf = this.buf.subarray(nl + 1 + len);
    }
    return out;
  }
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Calls share a few keep-alive connections (never the stream's). */
const callAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One request; resolves with the whole response. */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: callAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export function getJson(url: string): Promise<Json> {
  return request(url, { method: 'GET' }).then((r) => {
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body}`);
    return JSON.parse(r.body);
  });
}

export function frameworkInfo(extra: Json = {}): Json {
  return { user: 'tester', name: 'mesos-local-test', failover_timeout: 60, ...extra };
}

type Pred = (e: Json) => boolean;

export interface SubscribeOptions {
  encoding?: 'json' | 'protobuf';
  frameworkInfo?: Json;
  suppressedRoles?: string[];
  headers?: Record<string, string>;
}

export class Subscription {
  streamId = '';
  frameworkId = '';
  status = 0;
  contentType = '';
  ended = false;
  readonly all: Json[] = [];
  private queue: Json[] = [];
  private waiters: { pred: Pred; resolve: (e: Json) => void }[] = [];
  private endWaiters: (() => void)[] = [];
  private req: http.ClientRequest | null = null;
  private res: http.IncomingMessage | null = null;

  constructor(
    readonly masterUrl: string,
    readonly encoding: 'json' | 'protobuf',
  ) {}

  static async open(masterUrl: string, opts: SubscribeOptions = {}): Promise<Subscription> {
    const sub = new Subscription(masterUrl, opts.encoding ?? 'json');
    await sub.start(opts);
    if (sub.status === 200) {
      const first = await sub.next(() => true, 5000);
      if (first.type === 'SUBSCRIBED') sub.frameworkId = first.subscribed.framework_id.value;
      else sub.queue.unshift(first);
    }
    return sub;
  }

  private start(opts: SubscribeOptions): Promise<void> {
    const info = opts.frameworkInfo ?? frameworkInfo();
    const call: Json = { type: 'SUBSCRIBE', subscribe: { framework_info: info, ...(opts.suppressedRoles ? { suppressed_roles: opts.suppressedRoles } : {}) } };
    if (info.id) call.framework_id = info.id;
    const types = mesosTypes();
    const body = this.encoding === 'json' ? JSON.stringify(call) : Buffer.from(encode(types.Call, call));
    const ct = this.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    return new Promise((resolve, reject) => {
      const req = http.request(this.masterUrl + '/api/v1/scheduler', { method: 'POST', agent: false, headers: { 'Content-Type': ct, Accept: ct, ...(opts.headers ?? {}) } }, (res) => {
        this.res = res;
        this.status = res.statusCode ?? 0;
        this.streamId = String(res.headers['mesos-stream-id'] ?? '');
        this.contentType = String(res.headers['content-type'] ?? '');
        const reader = new RecordIOReader();
        res.on('data', (chunk: Buffer) => {
          if (this.status !== 200) return;
          for (const rec of reader.push(chunk)) {
            const ev = this.encoding === 'json' ? JSON.parse(rec.toString('utf8')) : decode(types.Event, rec);
            this.all.push(ev);
            const w = this.waiters.findIndex((x) => x.pred(ev));
            if (w >= 0) this.waiters.splice(w, 1)[0].resolve(ev);
            else this.queue.push(ev);
          }
        });
        const end = () => {
          if (this.ended) return;
          this.ended = true;
          for (const w of this.endWaiters.splice(0)) w();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve();
      });
      this.req = req;
      req.on('error', (e) => {
        if (!this.res) reject(e);
      });
      req.end(body);
    });
  }

  /** The next event matching `pred` (events that do not match stay queued for later calls). */
  next(pred: Pred | string = () => true, timeoutMs = 5000): Promise<Json> {
    const p: Pred = typeof pred === 'string' ? (e) => e.type === pred : pred;
    const i = this.queue.findIndex(p);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred: p,
        resolve: (e: Json) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for an event; seen: ${this.all.map((e) => e.type + (e.update ? ':' + e.update.status.state : '')).join(', ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves true if an event matching `pred` arrives within `ms`, false otherwise (it is consumed if it does). */
  async arrives(pred: Pred | string, ms: number): Promise<boolean> {
    try {
      await this.next(pred, ms);
      return true;
    } catch {
      return false;
    }
  }

  /** Drops queued events matching `pred` (e.g. old OFFERS). */
  discard(pred: Pred | string): Json[] {
    const p: Pred = typeof pred === 'string' ? (e) => e.type === pred : pred;
    const dropped = this.queue.filter(p);
    this.queue = this.queue.filter((e) => !p(e));
    return dropped;
  }

  update(taskId: string, state?: string, timeoutMs = 5000): Promise<Json> {
    return this.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId && (!state || e.update.status.state === state), timeoutMs).then((e) => e.update.status);
  }

  waitEnd(timeoutMs = 5000): Promise<boolean> {
    if (this.ended) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.endWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Sends a call (framework_id filled in) with this stream's id; resolves with the raw response. */
  call(call: Json, opts: { headers?: Record<string, string>; encoding?: 'json' | 'protobuf' } = {}): Promise<RawResponse> {
    const full = { framework_id: { value: this.frameworkId }, ...call };
    const enc = opts.encoding ?? this.encoding;
    const body = enc === 'json' ? JSON.stringify(full) : Buffer.from(encode(mesosTypes().Call, full));
    return request(this.masterUrl + '/api/v1/scheduler', {
      headers: { 'Content-Type': enc === 'json' ? 'application/json' : 'application/x-protobuf', 'Mesos-Stream-Id': this.streamId, ...(opts.headers ?? {}) },
      body,
    });
  }

  ack(status: Json): Promise<RawResponse> {
    return this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  /** Launches `tasks` (partial TaskInfos: name/command/resources…) on the given offer. */
  launch(offer: Json, tasks: Json[], filters?: Json): Promise<RawResponse> {
    const task_infos = tasks.map((t, i) => ({
      name: t.name ?? `task-${i}`,
      agent_id: offer.agent_id,
      resources: t.resources ?? [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
        { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
      ],
      ...t,
    }));
    return this.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos } }], ...(filters ? { filters } : {}) },
    });
  }

  async offers(timeoutMs = 5000): Promise<Json[]> {
    const e = await this.next('OFFERS', timeoutMs);
    return e.offers.offers;
  }

  close(): void {
    this.res?.destroy();
    this.req?.destroy();
  }
}
