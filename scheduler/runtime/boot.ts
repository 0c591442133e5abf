/**
 * Process entry point of the scheduler, called once per server process by instrumentation.ts (and
 * by scripts/instance.ts without Next.js): opens the store shared with the API, joins the leader
 * election (`ZK` set: ZooKeeper; unset: a single instance that always leads) and runs the worker
 * and the Mesos framework only while this instance leads (scheduler/runtime/leadership.ts).
 *
 * Registered on globalThis:
 *   Symbol.for('sisyphus.runtime')    the API's runtime (the leader's worker, else offline)
 *   Symbol.for('sisyphus.scheduler')  the current term's Scheduler (absent while following)
 *   Symbol.for('sisyphus.elector')    `{ id, isLeader(), leader(), members() }` for the UI and proxy
 *   Symbol.for('sisyphus.leadership') the Leadership itself (events, term info)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FencingStore, LeaderElector, Store } from '../ports';
import { SingleElector, ZkElector } from '../adapters/zookeeper';
import { log } from './log';
import { systemClock } from './system-clock';
import { assemble, type Scheduler } from './assemble';
import { Leadership } from './leadership';
import { config, type Config } from '../config';

export const SCHEDULER_KEY = Symbol.for('sisyphus.scheduler');
export const ELECTOR_KEY = Symbol.for('sisyphus.elector');
export const LEADERSHIP_KEY = Symbol.for('sisyphus.leadership');

/** What the UI and the leader proxy read at `globalThis[Symbol.for('sisyphus.elector')]`. */
export interface ElectorView {
  id: string;
  isLeader(): boolean;
  leader(): string | null;
  members(): string[];
  /** Signs requests proxied between instances (scheduler/api/leader-proxy.ts); null until read. */
  proxySecret: string | null;
}

/** framework_state key of the secret every instance signs proxied requests with. */
export const PROXY_SECRET_KEY = 'proxy_secret';

type Registry = {
  [SCHEDULER_KEY]?: Scheduler;
  [ELECTOR_KEY]?: ElectorView;
  [LEADERSHIP_KEY]?: Leadership;
};

/** The elector of this instance: ZooKeeper when `zk.servers` is set, else a single instance that always leads. */
export function createElector(id: string, zk: Config['zk']): LeaderElector {
  if (!zk.servers) return new SingleElector(id);
  return new ZkElector({
    servers: zk.servers,
    path: zk.path,
    id,
    sessionTimeoutMs: zk.sessionTimeoutMs,
    log: (level, message) => log[level]({ zk: zk.servers }, message),
  });
}

export async function boot(settings: Config = config()): Promise<Leadership> {
  const { getServices, RUNTIME_KEY } = await import('../api/context');
  const { store } = await getServices();
  const fencing = store as Store & Partial<FencingStore>;
  if (typeof fencing.fenced !== 'function' || typeof fencing.raiseEpoch !== 'function') {
    throw new Error('the store does not support fencing (raiseEpoch/fenced)');
  }
  const { mesos, worker } = settings;
  const id = settings.instance.id;
  const master = mesos.master;
  if (!master) log.warn('MESOS_MASTER is not set: jobs are stored and scheduled but nothing is launched (npm start sets it to mesos-local)');
  const registry = globalThis as typeof globalThis & Registry & { [k: symbol]: unknown };
  const elector = createElector(id, settings.zk);
  const leadership = new Leadership({
    elector,
    store: fencing as Store & FencingStore,
    retryDelayMs: worker.takeoverRetryMs,
    build: (fenced, events, onRuntime) =>
      assemble({
        store: fenced,
        events,
        onWorker: onRuntime,
        clock: systemClock,
        master,
        client: { encoding: mesos.encoding, credentials: mesos.credentials, callTimeoutMs: mesos.callTimeoutMs },
        worker: {
          instanceId: id,
          retryDelayMs: worker.retryDelayMs,
          disableAfterFailures: worker.disableAfterFailures,
          role: mesos.role,
        },
        framework: {
          hostname: os.hostname(),
          webuiUrl: `http://${settings.instance.hostname}:${settings.http.port}`,
          name: mesos.frameworkName,
          user: mesos.user,
          roles: [mesos.role],
          reviveMinIntervalMs: mesos.reviveMinIntervalMs,
          declineIdleSeconds: mesos.declineIdleSeconds,
          declineBusySeconds: mesos.declineBusySeconds,
        },
      }),
    onTerm: (s) => {
      if (s) registry[SCHEDULER_KEY] = s;
      else delete registry[SCHEDULER_KEY];
    },
    log: (level, message, fields) => log[level]({ instanceId: id, ...fields }, message),
  });
  leadership.events.on('error', (e) => log.error({ where: e.where }, e.message));
  leadership.events.on('framework', (e) => log.info({ framework: e.kind }, e.detail ?? e.kind));
  // Once leading, the API's GET /jobs texts are made ahead (in slices), not by the first request.
  leadership.events.on('leader', (e) => {
    if (e.isLeader) {
      void getServices()
        .then((s) => s.chronos.warmListCache())
        .catch((err) => log.warn({ where: 'warm /jobs' }, String((err as Error)?.message ?? err)));
    }
  });
  registry[LEADERSHIP_KEY] = leadership;
  const view: ElectorView = {
    id,
    isLeader: () => elector.isLeader(),
    leader: () => elector.leader(),
    members: () => elector.members?.() ?? [id],
    proxySecret: null,
  };
  registry[ELECTOR_KEY] = view;
  // The instances share one secret through the database (the first one stores it); until it is
  // read, this instance trusts no request as proxied and signs none.
  const readSecret = (): void => {
    store.framework
      .getOrSet(PROXY_SECRET_KEY, randomBytes(32).toString('base64url'))
      .then((secret) => {
        view.proxySecret = secret;
      })
      .catch((e) => {
        log.warn({ where: 'proxy secret' }, `cannot read the proxy secret yet (${String((e as Error)?.message ?? e)}); retrying in 5 s`);
        setTimeout(readSecret, 5_000).unref();
      });
  };
  readSecret();
  registry[RUNTIME_KEY] = leadership.runtime;
  await leadership.start();
  log.info({ instanceId: id, master, zk: settings.zk.servers }, settings.zk.servers ? 'joined the leader election' : 'single instance: leading');
  const shutdown = () => void leadership.stop();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return leadership;
}
