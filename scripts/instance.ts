/**
 * One Sisyphus instance without Next.js (no build needed): the scheduler (scheduler/runtime/boot:
 * leader election, fencing, worker + Mesos framework while leading) behind a small HTTP server
 * that answers the app's route handlers through the production server's route table
 * (server/routes.ts: the Chronos API, also under /scheduler/..., and /api/*), proxies to the
 * leader as proxy.ts does, and adds:
 *
 *   GET /health   {"id","leader","isLeader","members","epoch","term","fencedWrites","standby"}
 *   POST /__debug/fenced-write   (SISYPHUS_DEBUG=1 only) a write fenced by this instance's last
 *                 leadership epoch: {"ok":true} or {"ok":false,"error":…} (tests of fencing)
 *
 * Used by the HA tests and the soak (several real processes); `node --import tsx scripts/instance.ts`.
 * Environment: PORT, SISYPHUS_HOSTNAME, DATABASE_URL, ZK, ZK_PATH, ZK_SESSION_TIMEOUT_MS, MESOS_MASTER,
 * plus what boot.ts reads.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { boot } from '../scheduler/runtime/boot';
import { INSTANCE_HEADER, LEADER_HEADER, proxyToLeader, registeredLeaderView } from '../scheduler/api/leader-proxy';
import { FencedError, type FencingStore, type Store } from '../scheduler/ports';
import { readBody, sendResponse, toRequest } from '../server/node-web';
import { RouteTable } from '../server/routes';
import { config } from '../scheduler/config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const json = (v: unknown, status = 200) =>
  new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json' } });

async function main(): Promise<void> {
  const settings = config();
  const port = settings.http.port;
  const routes = RouteTable.scan(path.join(ROOT, 'app'));
  const leadership = await boot(settings);
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
    void (async () => {
      const request = toRequest(req, res, await readBody(req, config().http.maxBodyBytes), `http://127.0.0.1:${port}`);
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
            standby: leadership.standbyStatus(),
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
          const hit = await routes.match(request.method, url.pathname);
          if (!hit) response = json({ message: 'not found' }, 404);
          else if (!hit.handler) response = new Response(null, { status: 405, headers: { allow: hit.methods.join(', ') } });
          else response = await hit.handler(request, { params: Promise.resolve(hit.params) });
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
      await sendResponse(req, res, response);
    })().catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
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
