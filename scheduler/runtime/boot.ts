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
import { SingleElector, ThreadedElector, ZkElector, electorThreadEntry } from '../adapters/zookeeper';
import { warmMesosTypes } from '../adapters/mesos';
import { registry } from '../registry';
import { log } from './log';
import { systemClock } from './system-clock';
import { assemble } from './assemble';
import { Leadership } from './leadership';
import { LATER_MS, StandbyMirror } from './standby-mirror';
import { StandbyRuns } from './standby-runs';
import type { JobSourceLoad } from './worker';
import type { Run } from '../core/types';
import { notifySetup } from './notify-setup';
import { config, type Config } from '../config';

/** framework_state key of the secret every instance signs proxied requests with. */
export const PROXY_SECRET_KEY = 'proxy_secret';

/** The process's store: the one registered, else opened from the settings and registered. */
export async function openStore(settings: Config = config()): Promise<Store> {
  const registered = registry.store.get();
  if (registered) return registered;
  const { database } = settings;
  const store = await createStore({
    databaseUrl: database.url ?? undefined,
    dataDir: database.dataDir,
    migrationsDir: database.migrationsDir ?? undefined,
    versionsKept: database.versionsKept,
    onRaiseCut: (pids) =>
      log.warn({ pids }, `taking over: ended ${pids.length} database session(s) of a deposed leader that held the leader epoch (frozen mid-write?)`),
  });
  // a concurrent opener may have won: keep one
  const winner = registry.store.get();
  if (winner) {
    await store.close();
    return winner;
  }
  registry.store.set(store);
  return store;
}

/**
 * The elector of this instance: ZooKeeper when `zk.servers` is set (its client in a thread of its
 * own, so a busy main thread cannot lose the session), else a single instance that always leads.
 */
export function createElector(id: string, zk: Config['zk']): LeaderElector {
  if (!zk.servers) return new SingleElector(id);
  const opts = {
    servers: zk.servers,
    path: zk.path,
    id,
    sessionTimeoutMs: zk.sessionTimeoutMs,
    log: (level: 'info' | 'warn' | 'error', message: string) => log[level]({ zk: zk.servers }, message),
  };
  const entry = electorThreadEntry();
  if (entry) return new ThreadedElector(entry, opts);
  log.warn(
    { zk: zk.servers },
    "the ZooKeeper thread's code (elector-thread) was not found beside this build: ZooKeeper runs on the main thread, where a main thread busy for longer than ZK_SESSION_TIMEOUT_MS loses the session; rebuild the server (`npm start` builds it when sources changed)",
  );
  return new ZkElector(opts);
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
  const notify = registry.notify.get() ?? notifySetup(settings.notify, (m) => log.warn({ where: 'notify' }, m));
  registry.notify.set(notify);
  // reachable servers, checked once in the background: a problem is logged and listed, never fatal
  void notify.verify();
  // A follower keeps every job and unfinished run warm for its takeover (ZooKeeper only: a single
  // instance always leads).
  const following = Boolean(settings.zk.servers) && settings.zk.standbyPollMs > 0;
  const standbyLog = (level: 'info' | 'warn', message: string) => log[level]({ instanceId: id }, message);
  const mirror = following && store.jobs.changes ? new StandbyMirror({ jobs: store.jobs, clock: systemClock, pollMs: settings.zk.standbyPollMs, log: standbyLog }) : null;
  const runs = following && store.runs.listActiveKeeping ? new StandbyRuns({ runs: store.runs, clock: systemClock, pollMs: settings.zk.standbyPollMs, log: standbyLog }) : null;
  const standby =
    mirror || runs
      ? {
          follow: () => {
            mirror?.follow();
            runs?.follow();
          },
          pause: () => {
            mirror?.pause();
            runs?.pause();
          },
          status: () => ({
            jobs: mirror?.size ?? 0,
            runs: runs?.size ?? 0,
            // every job read, its schedule read and the dependency graph built; every unfinished run read
            warm: (!mirror || (mirror.warm && mirror.hinted && mirror.graphReady)) && (!runs || runs.warm),
          }),
        }
      : null;
  const leadership = new Leadership({
    elector,
    standby: standby ?? undefined,
    store: fencing as Store & FencingStore,
    retryDelayMs: worker.takeoverRetryMs,
    build: (fenced, events, onRuntime, trace) =>
      assemble({
        store: fenced,
        events,
        onWorker: onRuntime,
        trace,
        clock: systemClock,
        master,
        notify,
        client: { encoding: mesos.encoding, credentials: mesos.credentials, callTimeoutMs: mesos.callTimeoutMs },
        worker: {
          jobSource: mirror ? () => takeMirror(mirror) : undefined,
          runSource: runs ? () => takeRuns(runs) : undefined,
          instanceId: id,
          retryDelayMs: worker.retryDelayMs,
          disableAfterFailures: worker.disableAfterFailures,
          catchUpMax: worker.catchUpMax,
          catchUpGraceMs: worker.catchUpGraceMs,
          prepareAheadMs: worker.prepareAheadMs,
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
  // a follower compiles the Mesos messages now, so that its takeover does not
  if (master && !leadership.isLeader()) setImmediate(() => warmMesosTypes(mesos.encoding));
  log.info({ instanceId: id, master, zk: settings.zk.servers }, settings.zk.servers ? 'joined the leader election' : 'single instance: leading');
  const shutdown = () => void leadership.stop();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  return leadership;
}

/** The standby's jobs for the new leader's load (after its epoch raise), logged; null: load them. */
async function takeMirror(standby: StandbyMirror): Promise<JobSourceLoad | null> {
  const t0 = performance.now();
  const handed = await standby.takeJobs();
  if (!handed) {
    log.info('taking over: no warm mirror of the jobs (never read); loading every job');
    return null;
  }
  log.info(
    `taking over: warm mirror of ${handed.jobs.size} jobs, ${handed.caughtUp} change(s) caught up in ${Math.round(performance.now() - t0)} ms; ${handed.later.size} schedules not due within ${LATER_MS / 1000} s indexed after the first launches; dependency graph ${handed.graph ? 'warm' : 'built at takeover (changed since the standby built it)'}`,
  );
  return handed;
}

/** The standby's unfinished runs for the new leader's load (after its epoch raise), logged; null: read them. */
async function takeRuns(standby: StandbyRuns): Promise<Run[] | null> {
  const t0 = performance.now();
  const handed = await standby.takeRuns();
  if (!handed) {
    log.info('taking over: no warm unfinished runs (never read); reading them all');
    return null;
  }
  log.info(`taking over: warm unfinished runs: ${handed.runs.length}, ${handed.caughtUp} read whole (written since the last read) in ${Math.round(performance.now() - t0)} ms`);
  return handed.runs;
}
