/**
 * Process entry point of the scheduler, called once per server process by server/main.ts (and
 * by instrumentation.ts under `npm run dev`, by scripts/instance.ts without Next.js): opens the
 * store shared with the API, joins the leader election (`ZK` set: ZooKeeper; unset: a single
 * instance that always leads) and runs the worker and the Mesos framework only while this
 * instance leads (scheduler/runtime/leadership.ts).
 *
 * What it starts is registered in scheduler/registry.ts: the store, the API's runtime, the
 * current term's scheduler, this instance's election view and the leadership.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FencingStore, LeaderElector, LeaderView, Store } from '../ports';
import { createStore } from '../adapters/prisma';
import { SingleElector, ZkElector } from '../adapters/zookeeper';
import { registry } from '../registry';
import { log } from './log';
import { systemClock } from './system-clock';
import { assemble } from './assemble';
import { Leadership } from './leadership';
import { config, type Config } from '../config';

/** framework_state key of the secret every instance signs proxied requests with. */
export const PROXY_SECRET_KEY = 'proxy_secret';

/** The process's store: the one registered, else opened from the settings and registered. */
export async function openStore(settings: Config = config()): Promise<Store> {
  const registered = registry.store.get();
  if (registered) return registered;
  const { database } = settings;
  const store = await createStore({ databaseUrl: database.url ?? undefined, dataDir: database.dataDir, migrationsDir: database.migrationsDir ?? undefined });
  // a concurrent opener may have won: keep one
  const winner = registry.store.get();
  if (winner) {
    await store.close();
    return winner;
  }
  registry.store.set(store);
  return store;
}

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
  const store = await openStore(settings);
  const fencing = store as Store & Partial<FencingStore>;
  if (typeof fencing.fenced !== 'function' || typeof fencing.raiseEpoch !== 'function') {
    throw new Error('the store does not support fencing (raiseEpoch/fenced)');
  }
  const { mesos, worker } = settings;
  const id = settings.instance.id;
  const master = mesos.master;
  if (!master) log.warn('MESOS_MASTER is not set: jobs are stored and scheduled but nothing is launched (npm start sets it to mesos-local)');
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
    onTerm: (s) => registry.scheduler.set(s ?? undefined),
    log: (level, message, fields) => log[level]({ instanceId: id, ...fields }, message),
  });
  leadership.events.on('error', (e) => log.error({ where: e.where }, e.message));
  leadership.events.on('framework', (e) => log.info({ framework: e.kind }, e.detail ?? e.kind));
  registry.leadership.set(leadership);
  const view: LeaderView = {
    id,
    isLeader: () => elector.isLeader(),
    leader: () => elector.leader(),
    members: () => elector.members?.() ?? [id],
    proxySecret: null,
  };
  registry.elector.set(view);
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
  registry.runtime.set(leadership.runtime);
  await leadership.start();
  log.info({ instanceId: id, master, zk: settings.zk.servers }, settings.zk.servers ? 'joined the leader election' : 'single instance: leading');
  const shutdown = () => void leadership.stop();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return leadership;
}
