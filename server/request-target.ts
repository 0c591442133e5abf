/**
 * The request target of an HTTP request line, checked before anything else looks at it
 * (RFC 9112 §3.2): the origin form (`/path?query`) is served; the absolute form
 * (`http://host:port/path`, which proxies send) is served as its path; the asterisk form (`*`,
 * server-wide OPTIONS) and anything else get a 400. A path whose percent-encoding is broken or
 * holds a NUL, or a query value holding a NUL, gets a 400 naming it: PostgreSQL cannot take a NUL,
 * and no resource has a name that cannot be decoded. Pure.
 */

export type RequestTarget = { ok: true; path: string } | { ok: false; message: string };

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

export function checkRequestTarget(raw: string): RequestTarget {
  if (raw === '*') {
    return { ok: false, message: "the request target '*' (a server-wide OPTIONS) is not served here: ask for a path such as /v1/scheduler/jobs" };
  }
  let target = raw;
  if (ABSOLUTE.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { ok: false, message: `the request target '${shorten(raw)}' is not a valid URL` };
    }
    target = `${url.pathname}${url.search}`;
  }
  if (!target.startsWith('/')) {
    return { ok: false, message: `the request target '${shorten(raw)}' must be a path starting with '/'` };
  }
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return { ok: false, message: `the path '${shorten(path)}' has a broken percent-encoding (such as %ZZ, or bytes that are not UTF-8)` };
  }
  if (decoded.includes('\u0000')) return { ok: false, message: 'the path contains a NUL character (%00)' };
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(target.slice(q + 1))) {
      if (key.includes('\u0000') || value.includes('\u0000')) {
        return { ok: false, message: `the query parameter '${key.replaceAll('\u0000', '\\0')}' contains a NUL character (%00)` };
      }
    }
  }
  return { ok: true, path: target };
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
