/**
 * Web-standard Request/Response helpers for the thin Chronos route handlers (no Next.js import:
 * the handlers are plain `(Request) => Response` functions).
 *
 * Chronos's conventions: mutations answer 204 with an empty body; every error is
 * `{"message":…,"status":"Bad Request"|"Internal Server Error"}` with 400 or 500 (not found is a
 * 400). An unexpected error is logged here and answered with a generic message: never a stack
 * trace, never a database error text.
 */
import { ApiError, toChronosBody } from './errors';
import { parseJsonBody, type JobStat, type StatEntry } from './chronos-service';
import { JsonDouble as D, writeJson, type JsonTree } from './job-json';

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** A JSON response from text already serialized (byte-exact Chronos JSON). */
export function jsonTextResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: { 'content-type': JSON_TYPE } });
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

/** The Chronos error response of any thrown value. */
export function errorResponse(e: unknown): Response {
  if (e instanceof ApiError) return jsonResponse(toChronosBody(e), e.httpStatus);
  console.error('[chronos-api] unexpected error', e);
  return jsonResponse(toChronosBody(ApiError.internal('Internal Server Error')), 500);
}

/** Runs a handler body; any throw becomes the Chronos error response. */
export async function handle(fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    return errorResponse(e);
  }
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
