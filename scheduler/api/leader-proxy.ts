/**
 * Followers proxy API requests to the leader, as Chronos 3 does: same method, headers, query and
 * body; the leader's status, headers and body come back. If the leader cannot be reached the
 * answer is Chronos's 500 "Error proxying request to leader (maybe the leadership just changed?)".
 *
 * What is proxied (on a follower): `/v1/scheduler/*`, `/scheduler/*` and `/api/*`, except the
 * read-only UI endpoints every instance can answer from PostgreSQL alone (run history and this
 * instance's own view of the cluster), listed in LOCAL_READS. Everything that needs the worker's
 * live state (queue, running tasks, events, the framework) or changes anything goes to the leader.
 * UI pages, /ping, /metrics and static files are served by every instance.
 *
 * Every response carries `X-Sisyphus-Instance` (who answered) and `X-Sisyphus-Leader` (who leads,
 * as this instance knows it). A proxied request carries `X-Sisyphus-Proxied-By: <id> <ms> <hmac>`,
 * signed with a secret the instances share through the database (framework_state `proxy_secret`,
 * created by the first instance): an instance never proxies such a request again (no loops while
 * two instances disagree during a change). The same header from a client is not trusted: unsigned,
 * badly signed or older than PROXIED_MAX_AGE_MS, it is ignored and the request goes to the leader.
 *
 * No Next.js here: proxy.ts (Next 16's middleware) and scripts/instance.ts both call it.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LeaderView } from '../ports';
import { registry } from '../registry';

export type { LeaderView } from '../ports';

/** How old a signed proxied request may be (clock differences between instances included). */
export const PROXIED_MAX_AGE_MS = 5 * 60_000;

const signature = (secret: string, id: string, at: string, method: string, target: string): string =>
  createHmac('sha256', secret).update(`${id}\n${at}\n${method.toUpperCase()}\n${target}`).digest('base64url');

/** The `X-Sisyphus-Proxied-By` value instance `id` sends with `method target` at `now`. */
export function signProxied(secret: string, id: string, method: string, target: string, now: number): string {
  const at = String(now);
  return `${id} ${at} ${signature(secret, id, at, method, target)}`;
}

/** True when `request` carries a proxied-by header signed with the shared secret, recent enough. */
export function isSignedProxied(request: Request, view: LeaderView | null, now = Date.now()): boolean {
  const value = request.headers.get(PROXIED_HEADER);
  if (!value || !view?.proxySecret) return false;
  const [id, at, sig, extra] = value.split(' ');
  if (!id || !at || !sig || extra !== undefined || !/^\d{1,16}$/.test(at)) return false;
  if (Math.abs(now - Number(at)) > PROXIED_MAX_AGE_MS) return false;
  const url = new URL(request.url);
  const expected = Buffer.from(signature(view.proxySecret, id, at, request.method, `${url.pathname}${url.search}`));
  const given = Buffer.from(sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const INSTANCE_HEADER = 'X-Sisyphus-Instance';
export const LEADER_HEADER = 'X-Sisyphus-Leader';
export const PROXIED_HEADER = 'X-Sisyphus-Proxied-By';
export const PROXY_ERROR_MESSAGE = 'Error proxying request to leader (maybe the leadership just changed?)';

/**
 * Read-only UI endpoints answered locally (GET/HEAD only): run history from PostgreSQL, and
 * /api/instance, which says which instance answered (proxied, it named the leader as "self").
 */
export const LOCAL_READS: readonly RegExp[] = [/^\/api\/runs(\/|$)/, /^\/api\/instances?(\/|$)/];

const PROXIED_PREFIXES = ['/v1/scheduler/', '/scheduler/', '/api/'];
const PROXIED_EXACT = new Set(['/v1/scheduler', '/scheduler', '/api']);

/** Request headers not forwarded (hop-by-hop, or recomputed by fetch). */
const DROP_REQUEST = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'content-length', 'proxy-connection', 'expect']);
/** Response headers not copied back (hop-by-hop; fetch already decoded the body). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length']);

/** The registered elector view, if the scheduler booted in this process. */
export function registeredLeaderView(): LeaderView | null {
  return registry.elector.get() ?? null;
}

/** True when a request to this path and method must be answered by the leader. */
export function mustGoToLeader(pathname: string, method: string): boolean {
  const api = PROXIED_EXACT.has(pathname) || PROXIED_PREFIXES.some((p) => pathname.startsWith(p));
  if (!api) return false;
  const m = method.toUpperCase();
  if ((m === 'GET' || m === 'HEAD') && LOCAL_READS.some((re) => re.test(pathname))) return false;
  return m !== 'OPTIONS';
}

/** Sets the instance and leader headers on a response (mutable headers) and returns it. */
export function tagResponse(res: Response, view: LeaderView | null): Response {
  if (!view) return res;
  try {
    res.headers.set(INSTANCE_HEADER, view.id);
    res.headers.set(LEADER_HEADER, view.leader() ?? '');
    return res;
  } catch {
    // immutable headers (a fetch Response): copy
    const headers = new Headers(res.headers);
    headers.set(INSTANCE_HEADER, view.id);
    headers.set(LEADER_HEADER, view.leader() ?? '');
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

function chronosError(status: number, message: string, view: LeaderView): Response {
  const reason = status === 503 ? 'Service Unavailable' : 'Internal Server Error';
  return tagResponse(
    new Response(JSON.stringify({ message, status: reason }), { status, headers: { 'content-type': 'application/json' } }),
    view,
  );
}

export interface ProxyOptions {
  fetch?: typeof fetch;
  /** Give up on the leader when its answer has not begun after this long (default 30 s). */
  timeoutMs?: number;
  /** Scheme to reach the leader with (default http). */
  scheme?: 'http' | 'https';
}

/** True when this instance follows and `request` must be answered by the leader (synchronous). */
export function shouldProxy(request: Request, view: LeaderView | null): boolean {
  if (!view || view.isLeader()) return false;
  if (!mustGoToLeader(new URL(request.url).pathname, request.method)) return false;
  if (isSignedProxied(request, view)) return false; // already proxied once by an instance: answer here
  return view.leader() !== view.id; // ZooKeeper names us but we are not acting yet: answer here
}

/**
 * The leader's answer to `request` when this instance follows and the path must go to the leader;
 * null when this instance answers itself.
 */
export async function proxyToLeader(request: Request, view: LeaderView | null, opts: ProxyOptions = {}): Promise<Response | null> {
  if (!view || !shouldProxy(request, view)) return null;
  const url = new URL(request.url);
  const leader = view.leader();
  if (!leader) return chronosError(503, 'no leader is elected right now (maybe the leadership just changed?)', view);
  const target = `${opts.scheme ?? 'http'}://${leader}${url.pathname}${url.search}`;
  const headers = new Headers();
  request.headers.forEach((value, key) => {
    if (!DROP_REQUEST.has(key.toLowerCase())) headers.append(key, value);
  });
  if (view.proxySecret) headers.set(PROXIED_HEADER, signProxied(view.proxySecret, view.id, request.method, `${url.pathname}${url.search}`, Date.now()));
  else headers.delete(PROXIED_HEADER);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  // The timeout covers the leader's answer beginning, not its body: the body is streamed through
  // as it comes (the UI's event stream never ends; buffering it hung the follower's UI and ended
  // in a 500 after the timeout).
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error('the leader did not answer in time')), opts.timeoutMs ?? 30_000);
  try {
    const body = hasBody ? await request.arrayBuffer() : undefined;
    const res = await (opts.fetch ?? fetch)(target, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      signal: ctl.signal,
    });
    const out = new Headers();
    res.headers.forEach((value, key) => {
      if (!DROP_RESPONSE.has(key.toLowerCase())) out.append(key, value);
    });
    out.set(INSTANCE_HEADER, view.id);
    out.set(LEADER_HEADER, leader);
    const payload = request.method === 'HEAD' || res.status === 204 || res.status === 304 ? null : res.body;
    if (!payload) await res.body?.cancel().catch(() => {});
    return new Response(payload, { status: res.status, statusText: res.statusText, headers: out });
  } catch {
    return chronosError(500, PROXY_ERROR_MESSAGE, view);
  } finally {
    clearTimeout(timer);
  }
}
