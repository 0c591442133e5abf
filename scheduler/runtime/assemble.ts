/**
 * Builds the running scheduler of one process: the worker over a store, and (when a master is
 * configured) the Mesos framework feeding it offers and status updates. boot.ts uses it for the
 * server; integration tests use it against the real PostgreSQL and mesos-local.
 */
import type { Clock, Store } from '../ports';
import { MesosClient, MesosFramework, type MesosClientOptions, type MesosFrameworkOptions } from '../adapters/mesos';
import { Worker, type WorkerOptions } from './worker';
import { EventBus } from './events';
import { logSchedulerEvents, schedulerMetrics } from './metrics';

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
  /** Receives the worker before it loads its state (API calls then queue behind the load). */
  onWorker?: (worker: Worker) => void;
}

export interface Scheduler {
  worker: Worker;
  framework: MesosFramework | null;
  client: MesosClient | null;
  events: EventBus;
  stop(): Promise<void>;
}

export async function assemble(opts: AssembleOptions): Promise<Scheduler> {
  const events = opts.events ?? new EventBus();
  const worker = new Worker({ ...opts.worker, store: opts.store, clock: opts.clock, events });
  opts.onWorker?.(worker);
  let framework: MesosFramework | null = null;
  let client: MesosClient | null = null;
  if (opts.master) {
    client = new MesosClient({ ...opts.client, master: opts.master });
    const fw = new MesosFramework({
      ...opts.framework,
      connection: client,
      clock: opts.clock,
      ports: {
        loadFrameworkId: () => opts.store.framework.getFrameworkId(),
        saveFrameworkId: (id) => opts.store.framework.setFrameworkId(id),
        activeTasks: async () => worker.activeTasks(),
        onOffers: (offers) => worker.onOffers(offers),
        onUpdate: (u) => worker.onUpdate(u),
        hasWork: () => worker.hasWork(),
      },
    });
    framework = fw;
    worker.attachFramework({
      workArrived: () => fw.workArrived(),
      kill: (taskId, agentId, graceMs) => fw.kill(taskId, agentId, graceMs),
    });
    // Framework health is part of the scheduler's event stream (UI, metrics).
    fw.on('subscribed', (e) => events.emit('framework', { kind: 'subscribed', detail: `${e.frameworkId} at ${e.master ?? '?'}` }));
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
  await worker.start();
  if (framework) await framework.start();
  return {
    worker,
    framework,
    client,
    events,
    async stop() {
      unobserve.forEach((off) => off());
      metrics.leader.set(0);
      worker.stop();
      framework?.stop('scheduler stopping');
      client?.disconnect('scheduler stopping');
    },
  };
}
