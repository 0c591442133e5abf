'use client';
/**
 * Fetching JSON from the UI API and the Chronos REST API.
 *
 * - `apiFetch` / `apiSend`: one request; a non-2xx answer throws `ApiRequestError` carrying the
 *   server's message and, when the server names one, the field (`{error, field}` from /api/…;
 *   `{message}` from /v1/scheduler/… often reads "field: reason": the job editor reads that field
 *   with scheduler/api/job-schema.ts `splitFieldMessage`, which pages without zod need not load).
 * - `useApi(url, {refreshOn})`: SWR-like hook; keeps the last data while refetching, refetches when
 *   an event from /api/events matches `refreshOn` (coalesced), when the stream reconnects, and when
 *   the window regains focus. `url = null` means "do not fetch yet". When the page's server
 *   component read the answer for the first URL already (<Preloaded>, preload.tsx), that is the
 *   data from the first render and nothing is fetched; with `refreshOn`, it is refetched once after
 *   the event stream first opens (events between the server's read and then were not seen).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { UiEvent } from '@/scheduler/api/ui-types';
import { useEventStream } from './events';
import { usePreloaded, whenIdle } from './preload';
import { noteServerClock } from './time';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly field: string | null;
  constructor(message: string, status: number, field: string | null = null) {
    super(message);
    this.name = 'ApiRequestError';
    this.status = status;
    this.field = field;
  }
}

async function errorFrom(res: Response): Promise<ApiRequestError> {
  const text = await res.text().catch(() => '');
  let message = text || `${res.status} ${res.statusText}`;
  let field: string | null = null;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; field?: unknown };
    if (typeof body.error === 'string') message = body.error;
    else if (typeof body.message === 'string') message = body.message;
    if (typeof body.field === 'string') field = body.field;
  } catch {
    /* plain text */
  }
  return new ApiRequestError(message, res.status, field);
}

/** GET a JSON value; throws ApiRequestError on a non-2xx answer or a network failure. */
export async function apiFetch<T>(url: string, init?: RequestInit): Promise<T> {
  let res: Response;
  const sentAt = Date.now();
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiRequestError(`cannot reach the server (${(e as Error).message})`, 0);
  }
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  noteServerClock(res.headers.get('date'), sentAt, Date.now());
  return (text ? JSON.parse(text) : null) as T;
}

/** A mutation (POST/PUT/DELETE) with an optional JSON body; resolves to the parsed body or text. */
export async function apiSend<T = unknown>(method: 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiRequestError(`cannot reach the server (${(e as Error).message})`, 0);
  }
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

export interface UseApiOptions {
  /** Refetch when an event matches (default: never on events). `true` = on every event. */
  refreshOn?: ((e: UiEvent) => boolean) | true;
  /** Minimum time between event-driven refetches, ms (default 1000). */
  throttleMs?: number;
  /** Also poll every n ms (default: no polling). */
  pollMs?: number;
}

export interface UseApiResult<T> {
  data: T | undefined;
  error: ApiRequestError | null;
  /** True until the first answer (or error) for the current URL. */
  loading: boolean;
  refresh: () => void;
  /** Replace the data locally (optimistic update); the next fetch overwrites it. */
  mutate: (data: T) => void;
}

export function useApi<T>(url: string | null, options: UseApiOptions = {}): UseApiResult<T> {
  const preloaded = usePreloaded<T>(url);
  const [state, setState] = useState<{ url: string | null; data: T | undefined; error: ApiRequestError | null; loading: boolean }>(() =>
    preloaded !== undefined ? { url, data: preloaded, error: null, loading: false } : { url, data: undefined, error: null, loading: url !== null },
  );
  /** The URL whose answer came with the page (not fetched on mount), until the first fetch. */
  const preloadedUrl = useRef(preloaded !== undefined ? url : null);
  const catchUp = useRef(preloaded !== undefined);
  const seq = useRef(0);
  const urlRef = useRef(url);
  urlRef.current = url;

  const load = useCallback(() => {
    const target = urlRef.current;
    if (target === null) return;
    const mine = ++seq.current;
    apiFetch<T>(target).then(
      (data) => {
        if (mine === seq.current) setState({ url: target, data, error: null, loading: false });
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        const error = e instanceof ApiRequestError ? e : new ApiRequestError(String((e as Error)?.message ?? e), 0);
        setState((s) => ({ url: target, data: s.url === target ? s.data : undefined, error, loading: false }));
      },
    );
  }, []);

  // A new URL: forget data of the old one (unless it was the same) and fetch.
  useEffect(() => {
    const fromServer = preloadedUrl.current !== null && preloadedUrl.current === url;
    preloadedUrl.current = null;
    if (fromServer) return; // the page came with this answer
    if (url === null) {
      seq.current++;
      setState({ url, data: undefined, error: null, loading: false });
      return;
    }
    setState((s) => (s.url === url ? s : { url, data: undefined, error: null, loading: true }));
    load();
  }, [url, load]);

  // Event-driven refetch, coalesced: at most one per throttle window, trailing edge included.
  const throttleMs = options.throttleMs ?? 1000;
  const refreshOn = options.refreshOn;
  const refreshRef = useRef(refreshOn);
  refreshRef.current = refreshOn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastRun = useRef(0);
  const schedule = useCallback(() => {
    if (timer.current) return;
    const wait = Math.max(0, lastRun.current + throttleMs - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      lastRun.current = Date.now();
      load();
    }, wait);
  }, [load, throttleMs]);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  useEventStream(
    useCallback(
      (e: UiEvent) => {
        const r = refreshRef.current;
        if (!r) return;
        if (r === true || r(e)) schedule();
      },
      [schedule],
    ),
    useCallback(() => {
      if (refreshRef.current) schedule();
    }, [schedule]),
    useCallback(() => {
      // data from the server render: catch up on what happened before the stream was open, once
      // the page has loaded
      if (!catchUp.current) return;
      catchUp.current = false;
      if (refreshRef.current) whenIdle(schedule);
    }, [schedule]),
  );

  useEffect(() => {
    if (!options.pollMs) return;
    const id = setInterval(load, options.pollMs);
    return () => clearInterval(id);
  }, [options.pollMs, load]);

  useEffect(() => {
    const onFocus = () => {
      if (document.visibilityState === 'visible') load();
    };
    document.addEventListener('visibilitychange', onFocus);
    return () => document.removeEventListener('visibilitychange', onFocus);
  }, [load]);

  const mutate = useCallback((data: T) => setState((s) => ({ ...s, data })), []);
  const current = state.url === url ? state : { url, data: undefined, error: null, loading: url !== null };
  return { data: current.data, error: current.error, loading: current.loading, refresh: load, mutate };
}
