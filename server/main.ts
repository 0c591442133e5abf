/**
 * The production server (`npm start`, the e2e tests, the benchmarks):
 *
 *   node --import tsx server/main.ts [DIR] [-p PORT] [-H HOST]   (PORT / HOSTNAME by default)
 *   node .next/server-bundle/server/main.mjs [DIR] …              (the same, compiled: npm start)
 *
 * DIR holds the Next.js build (.next) to serve, as for `next start DIR`: the e2e tests and the
 * benchmarks serve a snapshot of the build while the tree may be rebuilt. Default: this checkout.
 *
 * One process, one port, as `next start` was:
 * - boots the scheduler (scheduler/runtime/boot: leader election, the worker and the Mesos
 *   framework while leading) — instrumentation.ts sees it booted and does nothing;
 * - answers every route handler (app/**\/route.ts: the Chronos REST API, /api/*, /metrics, /ping)
 *   by calling it directly through server/routes.ts, after the same proxy.ts as Next.js runs
 *   (CORS, basic auth, the follower → leader proxy, the instance headers);
 * - hands everything else (pages, /_next assets, 404s) to Next.js's own request handler.
 *
 * Next.js's pipeline cost ~1.7 ms of CPU per API request (~570 req/s for GET
 * /v1/scheduler/leader here, ~2,600 through the table): the REST API is the scheduler's hot
 * path (a burst of POSTs, GET /jobs at 100,000 jobs), so it no longer goes through it.
 * `next dev` (npm run dev) still serves everything through Next.js, from the same files.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { registry } from '../scheduler/registry';
import { boot } from '../scheduler/runtime/boot';
import { log } from '../scheduler/runtime/log';
import { ConfigError, config, reloadConfig } from '../scheduler/config';
import { BodyTooLargeError, readBody, sendResponse, toRequest, tooLargeMessage } from './node-web';
import { checkRequestTarget } from './request-target';
import { RouteTable } from './routes';

/** The tree this module is in: the checkout, or the compiled server (scripts/lib/server-bundle.mjs). */
const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The checkout: HERE, or for the compiled server (.next/server-bundle/server/main.mjs) the first
 * directory above it with both package.json and next.config.js.
 */
const ROOT = checkoutAbove(HERE);

function checkoutAbove(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'next.config.js'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

function arg(short: string, long: string): string | undefined {
  const a = process.argv;
  const i = a.findIndex((x) => x === short || x === long);
  return i >= 0 ? a[i + 1] : undefined;
}

/** The first argument that is neither a flag nor a flag's value. */
function positional(): string | undefined {
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith('-')) {
      i++;
      continue;
    }
    return a[i];
  }
  return undefined;
}

/** How long a refused request's body is read and dropped before its connection is cut. */
const DRAIN_MS = 10_000;
/** The methods the server answers; others (TRACE, CONNECT, PROPFIND…) get 405 before anything else. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * A refusal at the door in the shape of the API asked: the UI's API (/api/…) answers
 * {"error": message} as its routes do; everything else Chronos's {"message", "status"}.
 */
const doorError = (target: string | undefined, status: number, message: string, reason: string) =>
  new Response(JSON.stringify((target ?? '').startsWith('/api/') ? { error: message } : { message, status: reason }), {
    status,
    headers: { 'content-type': 'application/json' },
  });

async function main(): Promise<void> {
  // The settings first (a bad value stops start-up with one line naming it); -p and -H are the
  // command line's PORT and HOSTNAME.
  const flags: Record<string, string> = {};
  const portFlag = arg('-p', '--port');
  const hostFlag = arg('-H', '--hostname');
  if (portFlag !== undefined) flags.PORT = portFlag;
  if (hostFlag !== undefined) flags.HOSTNAME = hostFlag;
  const settings = reloadConfig(flags);
  const { port, host } = settings.http;

  const routes = RouteTable.scan(path.join(HERE, 'app'));
  registry.booted.set(true); // instrumentation.ts sees it and does nothing
  const dir = path.resolve(positional() ?? ROOT);
  const app = next({ dev: false, dir, hostname: host === '0.0.0.0' ? 'localhost' : host, port });
  const [leadership] = await Promise.all([boot(settings), app.prepare(), routes.load()]);
  const nextHandler = app.getRequestHandler();
  // the jobs page's snapshot built in the background once the scheduler has loaded, not on the first request
  const { warmUiOnLead } = await import('../scheduler/api/ui-warm');
  warmUiOnLead(leadership, (e) => log.warn({ where: 'ui warm-up' }, String((e as Error)?.message ?? e)));
  // next/server (NextResponse, in proxy.ts) needs the environment next() sets up: import it after
  const { proxyDecision, authorized, unauthorized } = await import('../proxy');
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const server = http.createServer((req, res) => {
    void serve(req, res).catch((e) => {
      log.error({ where: 'server', url: req.url }, String((e as Error)?.stack ?? e));
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Internal Server Error', status: 'Internal Server Error' }));
      } else {
        res.destroy();
      }
    });
  });

  const { maxBodyBytes, credentials: httpCredentials } = settings.http;

  /**
   * Answers before the body is read. What the client still sends is read and dropped, so the
   * answer reaches it (closing a connection with unread data resets it, and the client loses the
   * answer); a body still coming after DRAIN_MS has its connection cut.
   */
  async function refuse(req: http.IncomingMessage, res: http.ServerResponse, response: Response): Promise<void> {
    if (!req.complete && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) {
      // Node would close the socket as soon as the answer is written when the client asked for
      // `Connection: close`, with the body still arriving: the client then gets a reset instead of
      // the answer. Keep it open while the rest is read and dropped (a lingering close).
      res.shouldKeepAlive = true;
      req.resume();
      const cut = setTimeout(() => req.socket.destroy(), DRAIN_MS);
      cut.unref();
      req.once('end', () => clearTimeout(cut));
      req.once('close', () => clearTimeout(cut));
    }
    response.headers.set('access-control-allow-origin', '*');
    await sendResponse(req, res, response);
  }

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The request line first: `*`, a broken or NUL-holding target is a 400 before anything reads
    // it; the absolute form (`GET http://host/ping`) is served as its path (Next.js answered it
    // with a redirect to itself).
    if (!METHODS.has(req.method ?? '')) {
      const refused = doorError(req.url, 405, `the method ${req.method} is not served here; use ${[...METHODS].join(', ')}`, 'Method Not Allowed');
      refused.headers.set('allow', [...METHODS].join(', '));
      return refuse(req, res, refused);
    }
    const target = checkRequestTarget(req.url ?? '/');
    if (!target.ok) return refuse(req, res, doorError(req.url, 400, target.message, 'Bad Request'));
    req.url = target.path;
    const url = target.path;
    const q = url.indexOf('?');
    // matched as sent: the route table decodes each parameter once (decoding the path first made
    // `/job/a%2541` the job `aA`, and `%2500` a NUL)
    const pathname = q >= 0 ? url.slice(0, q) : url;
    const hit = pathname.startsWith('/_next/') ? null : await routes.match(req.method ?? 'GET', pathname);
    if (!hit) return nextHandler(req, res);

    // Credentials and size before the body: an unauthenticated or oversized upload is refused at
    // once, not after it has been read (CORS preflights carry no credentials: proxy.ts answers them).
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (httpCredentials && !preflight && !authorized(req.headers.authorization ?? null, httpCredentials)) {
      return refuse(req, res, unauthorized());
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBodyBytes) {
      return refuse(req, res, doorError(url, 413, tooLargeMessage(maxBodyBytes), 'Payload Too Large'));
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (e) {
      if (e instanceof BodyTooLargeError) return refuse(req, res, doorError(url, 413, e.message, 'Payload Too Large'));
      throw e;
    }
    const request = toRequest(req, res, body, origin);
    // proxy.ts first, exactly as Next.js runs it: it answers (preflight, 401, the leader's answer
    // on a follower) or lets the request through with headers for the response.
    const pre = await proxyDecision(request);
    let response: Response;
    // the proxy's headers go over the handler's as they are written (no second Response)
    let headers: Record<string, string> | undefined;
    if (pre instanceof Response) {
      response = pre;
    } else {
      if (hit.handler) {
        response = await hit.handler(request, { params: Promise.resolve(hit.params) });
      } else {
        response = new Response(null, { status: 405, headers: { allow: hit.methods.join(', ') } });
      }
      headers = pre;
    }
    await sendResponse(req, res, response, { gzip: pathname.startsWith('/api/'), headers });
  }

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  log.info({ port, host, routes: routes.size }, `listening on http://${host}:${port}`);
  process.stdout.write(`▲ Sisyphus ready on http://${host === '0.0.0.0' ? 'localhost' : host}:${port}\n`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    const force = setTimeout(() => process.exit(0), 10_000);
    force.unref();
    void leadership
      .stop()
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e) => {
  const msg = (e as Error)?.message ?? String(e);
  process.stderr.write(`sisyphus: the server did not start: ${msg}\n`);
  if (!(e instanceof ConfigError) && /debug|trace/.test(config().logLevel)) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  process.exit(1);
});
