/**
 * One Sisyphus instance without Next.js: the scheduler (scheduler/runtime/boot: leader election,
 * fencing, worker + Mesos framework while leading) behind a small HTTP server that answers the
 * Chronos API by calling the app's own route handlers (app/v1/scheduler/**\/route.ts, also under
 * /scheduler/...), proxies to the leader as the Next app's proxy.ts does, and adds:
 *
 *   GET /health   {"id","leader","isLeader","members","epoch","term","fencedWrites"}
 *   POST /__debug/fenced-write   (SISYPHUS_DEBUG=1 only) a write fenced by this instance's last
 *                 leadership epoch: {"ok":true} or {"ok":false,"error":…} (tests of fencing)
 *
 * Used by the HA tests and the soak (several real processes); `node --import tsx scripts/instance.ts`.
 * Environment: PORT, SISYPHUS_HOSTNAME, DATABASE_URL, ZK, ZK_PATH, ZK_SESSION_TIMEOUT_MS, MESOS_MASTER,
 * plus what boot.ts reads.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { boot } from '../scheduler/runtime/boot';
import { INSTANCE_HEADER, LEADER_HEADER, proxyToLeader, registeredLeaderView } from '../scheduler/api/leader-proxy';
import { FencedError, type FencingStore, type Store } from '../scheduler/ports';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;
interface Route {
  re: RegExp;
  names: string[];
  file: string;
  mod?: Record<string, Handler>;
}

/** Every route.ts under app/v1/scheduler and app/scheduler, most specific (fewest params) first. */
function findRoutes(): Route[] {
  const out: Route[] = [];
  const walk = (dir: string, segs: string[]) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), [...segs, e.name]);
      else if (e.name === 'route.ts') {
        const names: string[] = [];
        const pattern = segs
          .map((s) => {
            const m = /^\[(\.\.\.)?(\w+)\]$/.exec(s);
            if (!m) return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(m[2]);
            return m[1] ? '(.+)' : '([^/]+)';
          })
          .join('/');
        out.push({ re: new RegExp(`^/${pattern}/?$`), names, file: path.join(dir, e.name) });
      }
    }
  };
  walk(path.join(ROOT, 'app', 'v1', 'scheduler'), ['v1', 'scheduler']);
  walk(path.join(ROOT, 'app', 'scheduler'), ['scheduler']);
  return out.sort((a, b) => a.names.length - b.names.length);
}

async function route(routes: Route[], request: Request): Promise<Response | null> {
  let pathname = new URL(request.url).pathname;
  // Chronos also answers every /v1/scheduler path under /scheduler
  const candidates = [pathname];
  if (pathname.startsWith('/scheduler/')) candidates.push(`/v1${pathname}`);
  for (pathname of candidates) {
    for (const r of routes) {
      const m = r.re.exec(pathname);
      if (!m) continue;
      r.mod ??= (await import(r.file)) as Record<string, Handler>;
      const fn = r.mod[request.method] ?? (request.method === 'HEAD' ? r.mod.GET : undefined);
      if (!fn) return new Response(null, { status: 405 });
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return fn(request, { params: Promise.resolve(params) });
    }
  }
  return null;
}

function toRequest(req: http.IncomingMessage, body: Buffer, port: number): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`http://127.0.0.1:${port}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    body: hasBody && body.length > 0 ? new Uint8Array(body) : undefined,
  });
}

async function send(res: http.ServerResponse, r: Response): Promise<void> {
  const headers: Record<string, string> = {};
  r.headers.forEach((v, k) => (headers[k] = v));
  const body = r.body ? Buffer.from(await r.arrayBuffer()) : null;
  res.writeHead(r.status, headers);
  res.end(body);
}

const json = (v: unknown, status = 200) =>
  new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '8080');
  const routes = findRoutes();
  const leadership = await boot();
  const { getServices } = await import('../scheduler/api/context');
  const { store } = await getServices();
  let lastEpoch = 0;
  let fencedWrites = 0;
  leadership.events.on('leader', () => {
    lastEpoch = leadership.termInfo?.epoch ?? lastEpoch;
  });
  leadership.events.on('error', (e) => {
    if (/fenced/.test(e.message)) fencedWrites++;
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const request = toRequest(req, Buffer.concat(chunks), port);
        const view = registeredLeaderView();
        let response: Response;
        try {
          const url = new URL(request.url);
          const proxied = await proxyToLeader(request, view);
          if (proxied) response = proxied;
          else if (url.pathname === '/health' || url.pathname === '/ping') {
            const t = leadership.termInfo;
            response = json({
              id: leadership.id,
              leader: leadership.leader(),
              isLeader: leadership.isLeader(),
              members: leadership.members(),
              epoch: t?.epoch ?? null,
              lastEpoch,
              takeoverMs: t?.takeoverMs ?? null,
              fencedWrites,
              pid: process.pid,
            });
          } else if (url.pathname === '/__debug/fenced-write' && process.env.SISYPHUS_DEBUG === '1') {
            const fencing = store as Store & FencingStore;
            try {
              await fencing.fenced(lastEpoch).framework.set('fencing_probe', `${leadership.id} epoch ${lastEpoch}`);
              response = json({ ok: true, epoch: lastEpoch });
            } catch (e) {
              response = json({ ok: false, epoch: lastEpoch, fenced: e instanceof FencedError, error: (e as Error).message });
            }
          } else {
            response = (await route(routes, request)) ?? json({ message: 'not found' }, 404);
          }
        } catch (e) {
          response = json({ message: (e as Error).message, status: 'Internal Server Error' }, 500);
        }
        if (view && !response.headers.has(INSTANCE_HEADER)) {
          const h = new Headers(response.headers);
          h.set(INSTANCE_HEADER, view.id);
          h.set(LEADER_HEADER, view.leader() ?? '');
          response = new Response(response.body, { status: response.status, headers: h });
        }
        await send(res, response);
      })().catch(() => {
        res.statusCode = 500;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, process.env.BIND_HOST ?? '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ msg: 'instance listening', id: leadership.id, port })}\n`);
  const shutdown = () => {
    server.close();
    void leadership
      .stop()
      .then(() => store.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((e) => {
  process.stderr.write(`instance failed to start: ${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
