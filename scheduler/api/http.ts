/**
 * Web-standard Request/Response helpers for the thin Chronos route handlers (no Next.js import:
 * the handlers are plain `(Request) => Response` functions).
 *
 * Chronos's conventions: mutations answer 204 with an empty body; every error is
 * `{"message":…,"status":"Bad Request"|"Internal Server Error"}` with 400 or 500 (not found is a
 * 400). An unexpected error is logged here and answered with a generic message: never a stack
 * trace, never a database error text. A database that cannot be reached is a 503
 * `{"message":"database unavailable: <reason>","status":"Service Unavailable"}` instead.
 */
import { SchedulerUnavailableError, StoreDataError } from '../ports';
import { schedulerMetrics } from '../runtime/metrics';
import { ApiError, toChronosBody } from './errors';
import { parseJsonBody } from './chronos-request';
import type { JobStat, StatEntry } from './chronos-stats';
import { JsonDouble as D, writeJson, type JsonTree } from './job-json';

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A JSON response from text already serialized (byte-exact Chronos JSON). */
export function jsonTextResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: { 'content-type': JSON_TYPE } });
}

/** Bytes per chunk of a streamed JSON array. */
const ARRAY_CHUNK_BYTES = 1024 * 1024;

/**
 * A JSON array response of `items`, each written by `encode` (its exact JSON text, a string or
 * UTF-8 bytes): `[` + the texts joined by `,` + `]`, streamed in chunks of about 1 MiB. An item is
 * encoded only when its chunk is pulled, so at most one chunk of text is alive at a time (GET /jobs
 * at 100,000 jobs is ~66 MB: never one giant string, never every text at once, and the first bytes
 * leave at once).
 *
 * `Cache-Control: no-transform` keeps a server from gzipping it: at 100,000 jobs that is ~66 MB
 * deflated again on each request, CPU taken from the leader's scheduling, and a client (Node's
 * fetch) that then took longer to inflate it than to read it plain. Chronos (Jetty) does not
 * compress it either.
 */
export function jsonArrayResponse<T>(items: readonly T[], encode: (item: T) => string | Uint8Array, status = 200): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = i === 0 ? '[' : '';
      const parts: Uint8Array[] = [];
      let size = 0;
      const flush = () => {
        if (text === '') return;
        const b = Buffer.from(text, 'utf8');
        parts.push(b);
        size += b.length;
        text = '';
      };
      while (i < items.length && size + text.length < ARRAY_CHUNK_BYTES) {
        const e = encode(items[i]);
        if (i > 0) text += ',';
        if (typeof e === 'string') text += e;
        else {
          flush();
          parts.push(e);
          size += e.length;
        }
        i++;
      }
      if (i >= items.length) text += ']';
      flush();
      controller.enqueue(parts.length === 1 ? parts[0] : Buffer.concat(parts, size));
      if (i >= items.length) controller.close();
    },
  });
  return new Response(body, { status, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-transform' } });
}

/** A JSON response of a plain value (`JSON.stringify`). */
export function jsonResponse(value: unknown, status = 200): Response {
  return jsonTextResponse(JSON.stringify(value), status);
}

/** A JSON response of a tree with Java doubles (`0.0`, `128.0`). */
export function jsonTreeResponse(tree: JsonTree, status = 200): Response {
  return jsonTextResponse(writeJson(tree), status);
}

export function textResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: { 'content-type': TEXT_TYPE } });
}

/** 204, empty body. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

const DB_DOWN_CODES = new Set([
  // node / pg sockets
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  // PostgreSQL SQLSTATE: connection exceptions, shutdown, too many connections, cannot connect now
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  // Prisma: cannot reach, server closed the connection, pool timeout, connection lost
  'P1001', 'P1002', 'P1017', 'P2024', 'P1008',
]);
const DB_DOWN_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionStartTimeout']);
const DB_DOWN_TEXT =
  /(ECONNREFUSED|ECONNRESET|Connection terminated|connection closed|Can't reach database|Server has closed the connection|terminating connection due to administrator command|the database system is (starting up|shutting down)|Timed out fetching a new connection|Connection refused|connect ETIMEDOUT|Unable to start a transaction in the given time)/i;

/**
 * The reason, when `e` says the database cannot be reached (refused, reset, shut down, pool timed
 * out), looking through `cause` chains and Prisma's driver-adapter error shapes; else null.
 */
export function databaseUnavailableReason(e: unknown, depth = 0): string | null {
  if (!e || typeof e !== 'object' || depth > 6) return null;
  const o = e as { code?: unknown; errorCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: unknown; originalCode?: unknown };
  const message = typeof o.message === 'string' ? o.message : '';
  const lastLine = message.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
  for (const c of [o.code, o.errorCode, o.originalCode]) {
    if (typeof c === 'string' && DB_DOWN_CODES.has(c)) return lastLine || c;
  }
  if (typeof o.kind === 'string' && DB_DOWN_KINDS.has(o.kind)) return lastLine || o.kind;
  const m = DB_DOWN_TEXT.exec(message);
  if (m) return m[0];
  return databaseUnavailableReason(o.cause, depth + 1) ?? databaseUnavailableReason(o.meta, depth + 1);
}

/** The Chronos error response of any thrown value. */
export function errorResponse(e: unknown): Response {
  if (e instanceof ApiError) return jsonResponse(toChronosBody(e), e.httpStatus);
  if (e instanceof SchedulerUnavailableError) return jsonResponse(toChronosBody(ApiError.unavailable(e.message)), 503);
  if (e instanceof StoreDataError) {
    // The database refused a value this request carried that the checks at the door let through:
    // the request's fault, not the server's; nothing was stored.
    return jsonResponse(toChronosBody(ApiError.badRequest(`a value of this request cannot be stored: ${e.message}`)), 400);
  }
  if (e instanceof Error && e.name === 'FencedError') {
    // This instance lost its leadership while answering: nothing was written; the caller retries
    // and reaches the new leader.
    return jsonResponse({ message: `not the leader any more: ${e.message}`, status: 'Service Unavailable' }, 503);
  }
  const down = databaseUnavailableReason(e);
  if (down !== null) {
    // An outage, not a bug: 503 with the reason so clients and load balancers retry.
    return jsonResponse({ message: `database unavailable: ${down}`, status: 'Service Unavailable' }, 503);
  }
  console.error('[chronos-api] unexpected error', e);
  return jsonResponse(toChronosBody(ApiError.internal('Internal Server Error')), 500);
}

/**
 * Runs a handler body; any throw becomes the Chronos error response. `route` ("GET /v1/…", the
 * route pattern, never the concrete path) labels the request in the API latency histogram.
 */
export async function handle(fn: () => Promise<Response> | Response, route?: string): Promise<Response> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fn();
  } catch (e) {
    res = errorResponse(e);
  }
  if (route) schedulerMetrics().observeRequest(route, res.status, (performance.now() - started) / 1000);
  return res;
}

/** The request body parsed as JSON; malformed or empty JSON is a 400 naming the problem. */
export async function readJsonBody(request: Request): Promise<unknown> {
  return parseJsonBody(await request.text());
}

/** Next.js dynamic route context: `params` is a Promise. */
export interface RouteContext<P extends Record<string, string>> {
  params: Promise<P>;
}

/* ------------------------------------------------------------------ Chronos views with doubles */

/** /job/stat as Chronos writes it: percentiles as doubles (`0.0`), count as an integer. */
export function jobStatTree(s: JobStat): JsonTree {
  const h = s.histogram;
  return {
    histogram: {
      '75thPercentile': new D(h['75thPercentile']),
      '95thPercentile': new D(h['95thPercentile']),
      '98thPercentile': new D(h['98thPercentile']),
      '99thPercentile': new D(h['99thPercentile']),
      median: new D(h.median),
      mean: new D(h.mean),
      count: h.count,
    },
    taskStatHistory: s.taskStatHistory.map((t) => ({ ...t }) as { [k: string]: JsonTree }),
  };
}

/** /stats/{pct}: `time` as a double (`0.0`). */
export function statsTree(entries: readonly StatEntry[]): JsonTree {
  return entries.map((e) => ({ jobNameLabel: e.jobNameLabel, time: new D(e.time) }));
}
