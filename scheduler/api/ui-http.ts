/**
 * Request/response helpers for the UI's route handlers under app/api/ (no Next.js import).
 * Errors are `{ "error": string, "field"?: string }` with 400 (bad request), 404 (not found) or
 * 503 (the scheduler is not running here); anything unexpected is logged and answered with a
 * generic 500.
 */
import { ApiError } from './errors';
import type { SchedulerEventMap, SchedulerEventName } from '../runtime/events';
import { toUiEvent } from './ui-event';
import { UiFieldError } from './ui-query';

const UI_STATUS: Record<ApiError['code'], number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  unauthorized: 401,
  internal: 500,
};

export function uiJson(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

export function uiErrorResponse(e: unknown): Response {
  if (e instanceof ApiError && e.code !== 'internal') {
    return uiJson(e instanceof UiFieldError ? { error: e.message, field: e.field } : { error: e.message }, UI_STATUS[e.code]);
  }
  console.error('[ui-api] unexpected error', e);
  return uiJson({ error: 'Internal Server Error' }, 500);
}

/** Runs a handler body; a throw becomes the UI error response. */
export async function uiHandle(fn: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    return uiErrorResponse(e);
  }
}

/** The request body as JSON; empty or malformed is a 400. */
export async function uiJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') throw new UiFieldError('body', 'the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UiFieldError('body', `malformed JSON body: ${(e as Error).message}`);
  }
}

/** A non-negative integer query parameter with a default; a bad value is a 400 naming it. */
export function uiIntParam(url: URL, name: string, dflt: number, max: number): number {
  const v = url.searchParams.get(name);
  if (v === null || v.trim() === '') return dflt;
  if (!/^\d+$/.test(v.trim()) || Number(v) > max) throw new UiFieldError(name, `${name} must be an integer from 0 to ${max}`);
  return Number(v);
}

/* ------------------------------------------------------------------ server-sent events */

/** What the event stream subscribes to: the running scheduler's event bus. */
export interface EventSource {
  onAny(fn: <K extends SchedulerEventName>(name: K, payload: SchedulerEventMap[K]) => void): () => void;
}

export interface EventStreamOptions {
  /** The bus of the running scheduler, looked up again at each ping until one exists. */
  bus: () => EventSource | null;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** Comment ping period (ms). Default 15 000. */
  pingMs?: number;
}

/**
 * A `text/event-stream` response: `: connected` first, then one `data: <UiEvent JSON>` per
 * scheduler event, a `: ping` comment every pingMs; unsubscribed when the client aborts.
 */
export function uiEventStream(opts: EventStreamOptions): Response {
  const enc = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let off: (() => void) | null = null;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(enc.encode(text));
        } catch {
          cleanup();
        }
      };
      let attached: EventSource | null = null;
      // the scheduler can come and go (leadership): follow the current one
      const attach = () => {
        const bus = opts.bus();
        if (bus === attached) return;
        off?.();
        off = null;
        attached = bus;
        if (bus) off = bus.onAny((name, payload) => send(`data: ${JSON.stringify(toUiEvent(name, payload))}\n\n`));
      };
      const ping = setInterval(() => {
        attach();
        send(': ping\n\n');
      }, opts.pingMs ?? 15_000);
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        off?.();
        opts.signal?.removeEventListener('abort', cleanup);
        try {
          controller.close();
        } catch {
          // already closed or cancelled
        }
      };
      if (opts.signal?.aborted) return cleanup();
      opts.signal?.addEventListener('abort', cleanup);
      send(': connected\n\n');
      attach();
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
