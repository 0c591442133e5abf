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

const num = (v: string | undefined): number | undefined => (v && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** `host:port` this instance is reached at (followers proxy to it when it leads). */
export function instanceId(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.SISYPHUS_HOSTNAME || os.hostname()}:${env.PORT || '8080'}`;
}

export function createElector(id: string, env: NodeJS.ProcessEnv = process.env): LeaderElector {
  if (!env.ZK) return new SingleElector(id);
  return new ZkElector({
    servers: env.ZK,
    path: env.ZK_PATH || '/sisyphus/leader',
    id,
    sessionTimeoutMs: num(env.ZK_SESSION_TIMEOUT_MS) ?? 10_000,
    log: (level, message) => log[level]({ zk: env.ZK }, message),
  });
}

export async function boot(): Promise<Leadership> {
  const { getServices, RUNTIME_KEY } = await import('../api/context');
  const { store } = await getServices();
  const fencing = store as Store & Partial<FencingStore>;
  if (typeof fencing.fenced !== 'function' || typeof fencing.raiseEpoch !== 'function') {
    throw new Error('the store does not support fencing (raiseEpoch/fenced)');
  }
  const port = process.env.PORT ?? '8080';
  const id = instanceId();
  const master = process.env.MESOS_MASTER || null;
  if (!master) log.warn('MESOS_MASTER is not set: jobs are stored and scheduled but nothing is launched (npm start sets it to mesos-local)');
  const registry = globalThis as typeof globalThis & Registry & { [k: symbol]: unknown };
  const elector = createElector(id);
  const leadership = new Leadership({
    elector,
    store: fencing as Store & FencingStore,
    retryDelayMs: num(process.env.TAKEOVER_RETRY_MS),
    build: (fenced, events, onRuntime) =>
      assemble({
        store: fenced,
        events,
        onWorker: onRuntime,
        clock: systemClock,
        master,
        worker: {
          instanceId: id,
          retryDelayMs: num(process.env.RETRY_DELAY_MS),
          disableAfterFailures: num(process.env.DISABLE_AFTER_FAILURES),
          role: process.env.MESOS_ROLE || undefined,
        },
        framework: {
          hostname: os.hostname(),
          webuiUrl: `http://${os.hostname()}:${port}`,
          name: process.env.MESOS_FRAMEWORK_NAME || 'sisyphus',
          user: process.env.MESOS_USER || 'root',
          roles: process.env.MESOS_ROLE ? [process.env.MESOS_ROLE] : undefined,
          // tuning knobs (tests, soak): defaults are Chronos's
          reviveMinIntervalMs: num(process.env.MESOS_REVIVE_MIN_INTERVAL_MS),
          declineIdleSeconds: num(process.env.MESOS_DECLINE_IDLE_SECONDS),
          declineBusySeconds: num(process.env.MESOS_DECLINE_BUSY_SECONDS),
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
  log.info({ instanceId: id, master, zk: process.env.ZK ?? null }, process.env.ZK ? 'joined the leader election' : 'single instance: leading');
  const shutdown = () => void leadership.stop();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return leadership;
}
