/**
 * Who made a request, for the record (a pause, a version): the basic-auth user when HTTP basic
 * auth is on (HTTP_CREDENTIALS; the server has checked the password before any handler runs),
 * else "" (the API is open: nobody in particular).
 */
import { config } from '../config';

/** The user of a `Basic` Authorization header, or null when there is none to read. */
export function basicUser(header: string | null): string | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  try {
    const bin = atob(m[1]);
    const decoded = new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    const i = decoded.indexOf(':');
    return i < 0 ? null : decoded.slice(0, i);
  } catch {
    return null;
  }
}

export function requestUser(request: Request, authOn: boolean = config().http.credentials !== null): string {
  return authOn ? (basicUser(request.headers.get('authorization')) ?? '') : '';
}
