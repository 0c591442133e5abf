/**
 * Builds the running scheduler of one process: the worker over a store, and (when a master is
 * configured) the Mesos framework feeding it offers and status updates. boot.ts uses it for the
 * server; integration tests use it against the real PostgreSQL and mesos-local.
 */
import type { Clock, Store } from '../ports';
import { MesosClient, MesosFramework, type MesosClientOptions, type MesosFrameworkOptions } from '../adapters/mesos';
import { MasterHttpClient } from '../adapters/mesos/master-http';
import { tailLines } from './sandbox';
import { Worker, type WorkerOptions } from './worker';
import { NotifyDeliverer, type DelivererOptions } from './notify-deliverer';
import { BackfillRunner } from './backfill-runner';
import type { NotifySetup } from './notify-setup';
import { LongRunWatch } from './long-run-watch';
import { EventBus } from './events';
import { logSchedulerEvents, schedulerMetrics } from './metrics';
import type { TakeoverTrace } from './takeover-trace';

export interface AssembleOptions {
  store: Store;
  clock: Clock;
  /** `http://host:5050`, a list, or `zk://…/mesos`; null runs the worker without Mesos. */
  master: string | null;
  worker?: Omit<WorkerOptions, 'store' | 'clock' | 'events'>;
  client?: Omit<MesosClientOptions, 'master'>;
  framework?: Partial<Omit<MesosFrameworkOptions, 'connection' | 'ports' | 'clock'>>;
  /** The event bus to emit on (one that outlives this scheduler, e.g. across leadership terms). */
  events?: EventBus;
  /** Notifications: the worker routes events into the outbox, the deliverer sends them (leader only). */
  notify?: NotifySetup | null;
  /** The deliverer's reader of a run's stderr tail (the Mesos sandbox); optional. */
  stderrOf?: DelivererOptions['stderrOf'];
  /** Receives the worker before it loads its state (API calls then queue behind the load). */
  onWorker?: (worker: Worker) => void;
  /** A takeover's phases, marked as they pass (takeover-trace.ts). */
  trace?: TakeoverTrace;
}

export interface Scheduler {
  worker: Worker;
  /** The notifications deliverer of this term, when notifications are set up. */
  deliverer: NotifyDeliverer | null;
  /** The backfill runner of this term (leader only, beside the worker). */
  backfills: BackfillRunner;
  /** The watch for runs still running past their limit, when notifications are set up. */
  longRuns: LongRunWatch | null;
  framework: MesosFramework | null;
  client: MesosClient | null;
  events: EventBus;
  /**
   * Resolves once the framework is subscribed: at once when it already is (it subscribes while the
   * worker loads, so SUBSCRIBED may come before assemble() returns), else at the next SUBSCRIBED.
   */
  subscribed(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function assemble(opts: AssembleOptions): Promise<Scheduler> {
  const events = opts.events ?? new EventBus();
  const worker = new Worker({ ...opts.worker, store: opts.store, clock: opts.clock, events, notify: opts.notify?.router ?? null, trace: opts.trace });
  let client: MesosClient | null = null;
  // the last lines of a failed run's stderr, for its notification: from its sandbox on the agent
  const masterHttp = new MasterHttpClient();
  const stderrOf: DelivererOptions['stderrOf'] =
    opts.stderrOf ??
    (async (taskId, lines) => {
      const master = client?.master;
      const run = master ? await opts.store.runs.getByTaskId(taskId) : null;
      if (!master || !run) return null;
      return tailLines(run, master, { state: () => masterHttp.masterState(master), http: masterHttp }, 'stderr', lines);
    });
  const deliverer = opts.notify
    ? new NotifyDeliverer({ store: opts.store, clock: opts.clock, events, channels: opts.notify.channels, settings: opts.notify.settings, stderrOf })
    : null;
  const longRuns = opts.notify ? new LongRunWatch({ worker, store: opts.store, clock: opts.clock, events, router: opts.notify.router, settings: opts.notify.longRun }) : null;
  opts.onWorker?.(worker);
  let framework: MesosFramework | null = null;
  if (opts.master) {
    client = new MesosClient({ ...opts.client, master: opts.master });
    // The worker is the framework's FrameworkPorts and the framework its FrameworkDriver (scheduler/ports.ts).
    const fw = new MesosFramework({ ...opts.framework, connection: client, clock: opts.clock, ports: worker });
    framework = fw;
    worker.attachFramework(fw);
    // Framework health is part of the scheduler's event stream (UI, metrics).
    fw.on('subscribed', (e) => {
      opts.trace?.mark('framework subscribed');
      events.emit('framework', { kind: 'subscribed', detail: `${e.frameworkId} at ${e.master ?? '?'}` });
    });
    fw.on('disconnected', (e) => events.emit('framework', { kind: 'disconnected', detail: e.reason }));
    fw.on('watchdog', (e) => events.emit('framework', { kind: 'watchdog', detail: `${e.kind}: ${e.action} after ${e.silentMs} ms` }));
    fw.on('revive', (e) => events.emit('framework', { kind: 'revive', detail: e.reason }));
    fw.on('suppress', (e) => events.emit('framework', { kind: 'suppress', detail: e.reason }));
    fw.on('error', (e) => events.emit('error', { where: 'mesos', message: e.message }));
    fw.on('stopped', (e) => events.emit('framework', { kind: 'stopped', detail: e.reason }));
  }
  // Prometheus metrics and key-event logs (scheduler/runtime/metrics.ts); a scheduler runs only
  // while this process leads.
  const metrics = schedulerMetrics();
  const unobserve = [metrics.observe(events), framework ? metrics.observeFramework(framework) : () => {}, logSchedulerEvents(events, framework)];
  metrics.leader.set(1);
  // The framework subscribes while the worker loads (at 100,000 jobs the load takes seconds; the
  // SUBSCRIBE round trip and the first offers no longer wait for it): offers and status updates
  // are worker steps, queued behind the load, and reconciliation asks for the active tasks only
  // once they are loaded (Worker.activeTasks). Until then hasWork() is false (SUBSCRIBE suppressed);
  // the load REVIVEs when runs wait.
  const loading = worker.start();
  try {
    if (framework) await framework.start();
    await loading;
    metrics.loaded.set(1);
  } catch (e) {
    // neither half may outlive a failed build: the leadership retries with a new scheduler
    worker.stop();
    framework?.stop('scheduler failed to start');
    client?.disconnect('scheduler failed to start');
    await loading.catch(() => {});
    unobserve.forEach((off) => off());
    metrics.leader.set(0);
    throw e;
  }
  // after the worker: the outbox left by the previous leader is delivered by this one, and its
  // open backfills go on here
  deliverer?.start();
  longRuns?.start();
  const backfills = new BackfillRunner({ store: opts.store, clock: opts.clock, events, worker });
  backfills.start();
  return {
    worker,
    deliverer,
    backfills,
    longRuns,
    framework,
    client,
    events,
    async subscribed(timeoutMs = 30_000) {
      if (!framework) throw new Error('this scheduler has no Mesos master to subscribe to');
      if (framework.state().connected) return;
      await events.next('framework', (e) => e.kind === 'subscribed', timeoutMs);
    },
    async stop() {
      unobserve.forEach((off) => off());
      metrics.leader.set(0);
      metrics.loaded.set(0);
      await backfills.stop();
      worker.stop();
      longRuns?.stop();
      await deliverer?.stop();
      framework?.stop('scheduler stopping');
      client?.disconnect('scheduler stopping');
    },
  };
}
