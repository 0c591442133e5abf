/**
 * Runs before every request (Next.js 16 `proxy`, formerly middleware):
 * - `Access-Control-Allow-Origin: *` on every response, as Chronos sends it, and CORS preflight
 *   (OPTIONS) answered here with 204;
 * - HTTP basic auth on everything, API and UI alike, when HTTP_CREDENTIALS=user:password is set
 *   (Chronos's --http_credentials protects every path, /ping included). 401 carries
 *   `WWW-Authenticate: Basic realm="Sisyphus"`.
 * - On a follower, API requests go to the leader (scheduler/api/leader-proxy.ts); every response
 *   carries `X-Sisyphus-Instance` and `X-Sisyphus-Leader`.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { INSTANCE_HEADER, LEADER_HEADER, proxyToLeader, registeredLeaderView, shouldProxy } from './scheduler/api/leader-proxy';
import { config as settings } from './scheduler/config';

export const REALM = 'Sisyphus';
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';

/** Compare without an early exit on the first differing character. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** True when the Authorization header carries exactly these basic credentials. */
export function authorized(header: string | null, expected: { user: string; password: string }): boolean {
  if (!header) return false;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return false;
  let decoded: string;
  try {
    const bin = atob(m[1]);
    decoded = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return false;
  }
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  // Evaluate both comparisons always.
  const userOk = sameText(decoded.slice(0, i), expected.user);
  const passOk = sameText(decoded.slice(i + 1), expected.password);
  return userOk && passOk;
}

/** The 401 every protected path answers without credentials. */
export function unauthorized(): Response {
  return new Response(JSON.stringify({ message: 'Unauthorized', status: 'Unauthorized' }), {
    status: 401,
    headers: {
      'Content-Type': 'application/json',
      'WWW-Authenticate': `Basic realm="${REALM}"`,
      'Access-Control-Allow-Origin': '*',
    },
  });
}

/** The headers every answer that went through to its route handler carries (lower case, as sent). */
export type PassHeaders = Record<string, string>;

/**
 * What proxy() decides: the answer itself (a preflight, a 401, the leader's answer on a follower),
 * or the headers to put on the route handler's answer. server/main.ts calls this directly: the
 * NextResponse.next() that proxy() builds for a request let through cost ~2.7% of the app's CPU in
 * a burst of POSTs.
 */
export function proxyDecision(request: Request): Response | PassHeaders | Promise<Response | PassHeaders> {
  if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
    return new NextResponse(null, {
      status: 204,
      headers: {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': ALLOWED_METHODS,
        'Access-Control-Allow-Headers':
          request.headers.get('access-control-request-headers') ?? 'Content-Type, Authorization',
        'Access-Control-Max-Age': '600',
      },
    });
  }

  const credentials = settings().http.credentials;
  if (credentials && !authorized(request.headers.get('authorization'), credentials)) return unauthorized();

  const view = registeredLeaderView();
  if (shouldProxy(request, view)) {
    // a follower: the leader answers (asynchronously; everything else stays synchronous)
    return proxyToLeader(request, view).then((proxied) => {
      if (!proxied) return proxyDecision(request);
      proxied.headers.set('Access-Control-Allow-Origin', '*');
      return proxied;
    });
  }

  // in the order Headers lists them (by name), as the NextResponse's were read before
  const pass: PassHeaders = { 'access-control-allow-origin': '*' };
  if (view) {
    pass[INSTANCE_HEADER.toLowerCase()] = view.id;
    pass[LEADER_HEADER.toLowerCase()] = view.leader() ?? '';
  }
  return pass;
}

/** Next.js's proxy (`next dev`): proxyDecision, a request let through as NextResponse.next() with its headers. */
export function proxy(request: NextRequest): Response | Promise<Response> {
  const decided = proxyDecision(request);
  if (decided instanceof Promise) return decided.then(asResponse);
  return asResponse(decided);
}

function asResponse(decided: Response | PassHeaders): Response {
  if (decided instanceof Response) return decided;
  const response = NextResponse.next();
  for (const k in decided) response.headers.set(k, decided[k]);
  return response;
}

export const config = {
  matcher: ['/:path*'],
};
