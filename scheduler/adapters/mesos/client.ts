/**
 * MesosClient: the transport half of the v1 scheduler HTTP API (shared/reference/mesos.md §1).
 *
 * - SUBSCRIBE runs on its own connection (its own http.Agent, no socket timeout). The chunked
 *   RecordIO body is decoded on Buffers and each record emitted as an `event` (Mesos JSON shape
 *   in both encodings). The `Mesos-Stream-Id` header is kept for the other calls.
 * - Every other call goes through one queue onto a separate keep-alive connection
 *   (pipelined-http.ts), strictly one after another, in the order `call()` was invoked, with `Mesos-Stream-Id` and
 *   `framework_id`. ACKNOWLEDGE is the exception: it needs no order, and goes at once on a small
 *   pool of its own so acknowledgements keep up with thousands of updates a second.
 * - 307: the protocol-relative `Location` is resolved against the current scheme, the new leader
 *   remembered, the request re-sent. 503 and 404 (and dropped connections) are retried with
 *   exponential backoff until the call's deadline (~75 s). 400 "Framework cannot be found" and 403
 *   emit `resubscribe`. Other statuses emit `error` with the body and reject.
 * - A malformed record, an early end, or a socket error on the stream emits `disconnected`, once;
 *   nothing is thrown out of a socket callback. Reconnecting is the framework's decision.
 *
 * No Mesos behaviour (what to do on SUBSCRIBED, acknowledgements, watchdogs) lives here: that is
 * framework.ts.
 */
import http from 'node:http';
import https from 'node:https';
import { CONTENT_TYPE, deserialize, mesosTypes, serialize, type Encoding, type Json } from '../../../proto';
import { createDetector, type MasterDetector } from './detect';
import { TypedEmitter } from './emitter';
import {
  basicAuthHeader,
  masterBase,
  openRequest,
  resolveLocation,
  type Credentials,
} from './http';
import { PipelinedHttp } from './pipelined-http';
import { ackJson } from './ack-json';
import { RecordIODecoder } from './recordio';
import { Fifo } from '../../core/fifo';

export const SCHEDULER_PATH = '/api/v1/scheduler';

export interface MesosClientOptions {
  /** `http://h:5050`, `h1:5050,h2:5050`, `zk://h:2181/mesos`, or a ready detector. */
  master: string | MasterDetector;
  /** Wire encoding of calls and events (default json; MESOS_ENCODING in scheduler/config.ts). */
  encoding?: Encoding;
  /** Basic-auth credentials sent on every request. */
  credentials?: Credentials | null;
  /** Deadline of one call, retries included (default 75 s). */
  callTimeoutMs?: number;
  /** Deadline for the SUBSCRIBE response headers (default 75 s). */
  subscribeTimeoutMs?: number;
  /** Backoff of 503/404/connection retries: first delay and cap (default 250 ms, 5 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Redirects followed per request (default 5). */
  maxRedirects?: number;
  /** Largest event accepted (default 64 MiB). */
  maxEventBytes?: number;
}

/** A non-success HTTP answer from the master. */
export class MesosHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly callType: string,
    /** True when the master says this framework must SUBSCRIBE again. */
    readonly needsResubscribe: boolean,
  ) {
    super(`${callType}: HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`);
    this.name = 'MesosHttpError';
  }
}

/** A call made while no stream is open; it was not sent. */
export class NotSubscribedError extends Error {
  constructor(callType: string) {
    super(`${callType}: not subscribed (no open stream)`);
    this.name = 'NotSubscribedError';
  }
}

export interface ClientEventMap {
  /** One decoded scheduler Event (Mesos JSON shape). */
  event: Json;
  /** The SUBSCRIBE stream is open (HTTP 200). */
  connected: { streamId: string; master: string };
  /** The stream ended, broke, or carried a malformed record. Emitted once per stream. */
  disconnected: { reason: string; streamId: string | null; error?: Error };
  /** A call was answered 400 "Framework cannot be found" or 403: SUBSCRIBE again. */
  resubscribe: { reason: string; status: number; body: string; callType: string };
  /** A call failed for another reason (body included). */
  error: { message: string; status?: number; body?: string; callType?: string };
  /** A 307 (or the detector) named a new leading master. */
  leader: { master: string };
}

interface StreamState {
  gen: number;
  streamId: string | null;
  req: http.ClientRequest;
  res: http.IncomingMessage | null;
  ended: boolean;
}

/** Concurrent ACKNOWLEDGE calls (in flight at the master): those released in one turn go in one write. */
export const ACK_SOCKETS = 256;
/** Keep-alive connections the acknowledgements in flight are pipelined on. */
export const ACK_CONNECTIONS = 4;

interface PendingAck {
  call: Json;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const RETRYABLE_NET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export class MesosClient extends TypedEmitter<ClientEventMap> {
  readonly encoding: Encoding;
  private readonly detector: MasterDetector;
  private readonly credentials: Credentials | null;
  private readonly callTimeoutMs: number;
  private readonly subscribeTimeoutMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly maxRedirects: number;
  private readonly maxEventBytes: number;
  private readonly ownsDetector: boolean;
  private readonly offDetector: () => void;

  /** Agents: the stream's (no keep-alive, no timeout) and the calls' (one keep-alive socket). */
  private streamAgents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
  /** The other calls: one keep-alive connection, one call at a time (pipelined-http.ts). */
  private callPipe = new PipelinedHttp(1);
  /**
   * ACKNOWLEDGE calls go on connections of their own: an acknowledgement needs no order relative
   * to other calls or to other tasks' acknowledgements (a task has one unacknowledged update at a
   * time), so thousands of updates a second are not acknowledged one round trip after another.
   * At most ACK_SOCKETS are in flight, pipelined on ACK_CONNECTIONS connections (those of one
   * turn in one write); the others wait in this client's own FIFO (ackLane).
   */
  private ackPipe = new PipelinedHttp(ACK_CONNECTIONS);
  private ackLane = new Fifo<PendingAck>();
  /** Acknowledgements sent and not yet answered (at most ACK_SOCKETS). */
  private acksInFlight = 0;
  /** Waiting or in flight, by task id and uuid: a resent update acknowledged twice costs one call. */
  private acksByKey = new Map<string, Promise<void>>();

  private leaderUrl: URL | null = null;
  private stream: StreamState | null = null;
  private gen = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private _streamId: string | null = null;
  /** Added to every call that does not carry one. Set by the framework on SUBSCRIBED. */
  frameworkId: string | null = null;

  constructor(options: MesosClientOptions) {
    super();
    this.encoding = options.encoding ?? 'json';
    this.credentials = options.credentials ?? null;
    this.ownsDetector = typeof options.master === 'string';
    this.detector =
      typeof options.master === 'string'
        ? createDetector(options.master, { credentials: this.credentials })
        : options.master;
    this.callTimeoutMs = options.callTimeoutMs ?? 75_000;
    this.subscribeTimeoutMs = options.subscribeTimeoutMs ?? 75_000;
    this.retryInitialMs = options.retryInitialMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.maxEventBytes = options.maxEventBytes ?? 64 * 1024 * 1024;
    this.offDetector = this.detector.onChange((leader) => {
      // ZooKeeper saw a new leader: calls go there; the framework re-subscribes on `leader`.
      if (leader && leader.origin !== this.leaderUrl?.origin) {
        this.leaderUrl = leader;
        this.emit('leader', { master: leader.origin });
      }
    });
  }

  get streamId(): string | null {
    return this._streamId;
  }

  /** The leading master's base URL as last known. */
  get master(): string | null {
    return this.leaderUrl?.origin ?? null;
  }

  get connected(): boolean {
    return !!this.stream && !this.stream.ended && !!this.stream.res;
  }

  describeMaster(): string {
    return this.detector.describe();
  }

  /**
   * Opens the SUBSCRIBE stream with `call` (a Mesos JSON Call of type SUBSCRIBE). Any previous
   * stream is dropped first. Resolves once the master answered 200; events follow on `event`.
   * Rejects with MesosHttpError (e.g. 503 while no leader is elected) or a network error.
   */
  async subscribe(call: Json): Promise<{ streamId: string; master: string }> {
    if (this.closed) throw new Error('client closed');
    this.disconnect('re-subscribing');
    const gen = ++this.gen;
    const body = serialize(mesosTypes().Call, call, this.encoding);
    for (let redirects = 0; ; redirects++) {
      const base = await this.leader();
      if (gen !== this.gen) throw new Error('subscribe superseded');
      const url = new URL(SCHEDULER_PATH, base);
      const { req, response } = openRequest({
        url,
        method: 'POST',
        headers: this.headers({ Accept: CONTENT_TYPE[this.encoding] }),
        body,
        agent: url.protocol === 'https:' ? this.streamAgents.https : this.streamAgents.http,
      });
      req.on('socket', (s) => {
        s.setKeepAlive(true, 10_000);
        s.setNoDelay(true);
      });
      const state: StreamState = { gen, streamId: null, req, res: null, ended: false };
      this.stream = state;
      let timer: NodeJS.Timeout | null = null;
      let res: http.IncomingMessage;
      try {
        res = await Promise.race([
          response,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`SUBSCRIBE: no answer within ${this.subscribeTimeoutMs} ms`)), this.subscribeTimeoutMs);
          }),
        ]);
      } catch (e) {
        req.destroy();
        if (this.stream === state) this.stream = null;
        this.detector.failed(base);
        if (this.leaderUrl?.origin === base.origin) this.leaderUrl = null;
        throw e;
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (gen !== this.gen) {
        res.destroy();
        throw new Error('subscribe superseded');
      }
      const status = res.statusCode ?? 0;
      if (status === 307 && res.headers.location && redirects < this.maxRedirects) {
        res.resume();
        this.followRedirect(res.headers.location, url);
        continue;
      }
      if (status !== 200) {
        const text = await readBody(res).catch(() => '');
        if (this.stream === state) this.stream = null;
        throw new MesosHttpError(status, text, 'SUBSCRIBE', status === 403 || isFrameworkNotFound(status, text));
      }
      const streamId = headerValue(res.headers['mesos-stream-id']);
      if (!streamId) {
        res.destroy();
        if (this.stream === state) this.stream = null;
        throw new MesosHttpError(status, 'no Mesos-Stream-Id header in the SUBSCRIBE answer', 'SUBSCRIBE', false);
      }
      state.res = res;
      state.streamId = streamId;
      this._streamId = streamId;
      this.attachStream(state, res);
      const master = masterBase(url).origin;
      this.emit('connected', { streamId, master });
      return { streamId, master };
    }
  }

  /** Drops the current stream (if any); emits `disconnected` once for it. */
  disconnect(reason = 'dropped by the framework'): void {
    const s = this.stream;
    if (!s) return;
    this.endStream(s, reason);
    s.res?.destroy();
    s.req.destroy();
  }

  /**
   * Queues one call (Mesos JSON Call, any type but SUBSCRIBE). Calls are sent strictly in order on
   * one keep-alive connection; the promise settles when the master answered this one.
   */
  call(call: Json): Promise<void> {
    if (call.type === 'ACKNOWLEDGE') return this.acknowledge(call);
    const p = this.queue.then(() => this.send(call, this.callPipe));
    this.queue = p.catch(() => {});
    return p;
  }

  /**
   * Queues an ACKNOWLEDGE: sent as soon as one of the ACK_SOCKETS sockets is free, oldest first.
   * The same (task, uuid) waiting or in flight shares that call. Closing the client or losing the
   * stream rejects the waiting ones (NotSubscribedError): the agent resends unacknowledged updates.
   */
  private acknowledge(call: Json): Promise<void> {
    const ack = call.acknowledge as Json | undefined;
    const key = `${ack?.task_id?.value ?? ''}\u0000${ack?.uuid ?? ''}`;
    const existing = this.acksByKey.get(key);
    if (existing) return existing;
    const p = new Promise<void>((resolve, reject) => this.ackLane.push({ call, resolve, reject }));
    this.acksByKey.set(key, p);
    const forget = () => {
      if (this.acksByKey.get(key) === p) this.acksByKey.delete(key);
    };
    p.then(forget, forget);
    this.pumpAcks();
    return p;
  }

  private pumpAcks(): void {
    while (this.acksInFlight < ACK_SOCKETS && this.ackLane.size > 0) {
      const a = this.ackLane.shift()!;
      this.acksInFlight++;
      this.send(a.call, this.ackPipe).then(a.resolve, a.reject).finally(() => {
        this.acksInFlight--;
        this.pumpAcks();
      });
    }
  }

  /** Waits until every queued call has been answered. */
  async drain(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.gen++;
    this.disconnect('client closed');
    for (const a of this.ackLane.drain()) a.reject(new NotSubscribedError('ACKNOWLEDGE'));
    this.offDetector();
    if (this.ownsDetector) await this.detector.close();
    for (const a of [this.streamAgents.http, this.streamAgents.https]) a.destroy();
    this.callPipe.close();
    this.ackPipe.close();
  }

  /* ---------------------------------------------------------------------------------------- */

  private async leader(): Promise<URL> {
    if (this.leaderUrl) return this.leaderUrl;
    const url = await this.detector.detect();
    this.leaderUrl = url;
    return url;
  }

  private followRedirect(location: string, from: URL): void {
    const next = masterBase(resolveLocation(location, from));
    this.leaderUrl = next;
    this.detector.redirected(next);
    this.emit('leader', { master: next.origin });
  }

  /** The scheduler endpoint of `base` and the calls' headers, made once per leader and stream (thousands of calls a second). */
  private callTarget: { base: URL; url: URL } | null = null;
  private callHeaderSet: { streamId: string; headers: Record<string, string> } | null = null;

  private callUrl(base: URL): URL {
    if (this.callTarget?.base !== base) this.callTarget = { base, url: new URL(SCHEDULER_PATH, base) };
    return this.callTarget.url;
  }

  private callHeaders(streamId: string): Record<string, string> {
    if (this.callHeaderSet?.streamId !== streamId) this.callHeaderSet = { streamId, headers: this.headers({ 'Mesos-Stream-Id': streamId, Accept: 'application/json' }) };
    return this.callHeaderSet.headers;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { 'Content-Type': CONTENT_TYPE[this.encoding], ...extra };
    if (this.credentials) h.Authorization = basicAuthHeader(this.credentials);
    return h;
  }

  private attachStream(state: StreamState, res: http.IncomingMessage): void {
    const decoder = new RecordIODecoder({ maxRecordBytes: this.maxEventBytes });
    const ct = headerValue(res.headers['content-type']) ?? '';
    const enc: Encoding = ct.includes('protobuf') ? 'protobuf' : ct.includes('json') ? 'json' : this.encoding;
    const { Event } = mesosTypes();
    res.on('data', (chunk: Buffer) => {
      if (state.ended) return;
      let records: Buffer[];
      try {
        records = decoder.push(chunk);
      } catch (e) {
        this.failStream(state, `malformed RecordIO: ${(e as Error).message}`, e as Error);
        return;
      }
      for (const rec of records) {
        if (state.ended) return;
        let event: Json;
        try {
          event = deserialize(Event, rec, enc);
        } catch (e) {
          this.failStream(state, `malformed event: ${(e as Error).message}`, e as Error);
          return;
        }
        this.emit('event', event);
      }
    });
    res.on('end', () => this.endStream(state, decoder.idle ? 'stream ended' : 'stream ended inside a record'));
    res.on('close', () => this.endStream(state, 'stream closed'));
    res.on('error', (e) => this.endStream(state, `stream error: ${e.message}`, e));
    state.req.on('error', (e) => this.endStream(state, `stream error: ${e.message}`, e));
  }

  private failStream(state: StreamState, reason: string, error: Error): void {
    this.endStream(state, reason, error);
    state.res?.destroy();
    state.req.destroy();
  }

  private endStream(state: StreamState, reason: string, error?: Error): void {
    if (state.ended) return;
    state.ended = true;
    if (this.stream === state) {
      this.stream = null;
      this._streamId = null;
    }
    if (state.res) this.emit('disconnected', { reason, streamId: state.streamId, error });
  }

  private async send(call: Json, pipe: PipelinedHttp): Promise<void> {
    const callType = String(call.type ?? 'UNKNOWN');
    const streamId = this._streamId;
    if (!streamId || this.closed) throw new NotSubscribedError(callType);
    // an ACKNOWLEDGE (one per status update) is written directly; the others: copy, framework_id, serialise
    const body = (this.encoding === 'json' && ackJson(call, this.frameworkId)) || serialize(mesosTypes().Call, call.framework_id || !this.frameworkId ? call : { ...call, framework_id: { value: this.frameworkId } }, this.encoding);
    const deadline = Date.now() + this.callTimeoutMs;
    let delay = this.retryInitialMs;
    let redirects = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`${callType}: no answer within ${this.callTimeoutMs} ms`);
      const base = this.leaderUrl ?? (await this.leader());
      const url = this.callUrl(base);
      let status: number;
      let text: string;
      let location: string | undefined;
      try {
        const res = await pipe.post(url, this.callHeaders(streamId), body, remaining);
        status = res.status;
        text = res.body.toString('utf8');
        location = headerValue(res.headers.location);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const retryable = RETRYABLE_NET.has(code) || /socket hang up/i.test((e as Error).message);
        if (!retryable || Date.now() + delay >= deadline || this.closed) throw e;
        if (code === 'ECONNREFUSED') {
          this.detector.failed(base);
          if (this.leaderUrl?.origin === base.origin) this.leaderUrl = null;
        }
        await sleep(delay);
        delay = Math.min(delay * 2, this.retryMaxMs);
        continue;
      }
      if (status === 202 || status === 200) return;
      if (status === 307 && location && redirects < this.maxRedirects) {
        redirects++;
        this.followRedirect(location, url);
        continue;
      }
      if ((status === 503 || status === 404) && Date.now() + delay < deadline && !this.closed) {
        await sleep(delay);
        delay = Math.min(delay * 2, this.retryMaxMs);
        continue;
      }
      const needsResubscribe = status === 403 || isFrameworkNotFound(status, text);
      const err = new MesosHttpError(status, text, callType, needsResubscribe);
      if (needsResubscribe) this.emit('resubscribe', { reason: err.message, status, body: text, callType });
      else this.emit('error', { message: err.message, status, body: text, callType });
      throw err;
    }
  }
}

function isFrameworkNotFound(status: number, body: string): boolean {
  return status === 400 && /framework cannot be found/i.test(body);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of res) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
