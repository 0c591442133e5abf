/** HTTP basic authentication of scheduler calls (realm mesos-master-scheduler). */
import type http from 'node:http';
import type { Credential } from './options';
import { HttpError } from './http-io';

/** The authenticated principal; null when no credentials are configured; throws 401 otherwise. */
export function authenticate(credentials: Credential | Credential[] | undefined, req: { headers: http.IncomingHttpHeaders }): string | null {
  const creds = credentials;
  if (!creds) return null;
  const list = Array.isArray(creds) ? creds : [creds];
  const h = req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(h);
  const unauthorized = new HttpError(401, 'Authentication required', { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' });
  if (!m) throw unauthorized;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const user = decoded.slice(0, i);
  const pass = decoded.slice(i + 1);
  if (i < 0 || !list.some((c) => c.principal === user && c.secret === pass)) throw unauthorized;
  return user;
}
