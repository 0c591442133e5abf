/**
 * Process entry point of the scheduler, called once per server process by instrumentation.ts:
 * opens the store shared with the API, starts the worker and the Mesos framework, and registers
 * the worker as the API's runtime.
 */
import os from 'node:os';
import { log } from './log';
import { systemClock } from './system-clock';
import { assemble, type Scheduler } from './assemble';

export const SCHEDULER_KEY = Symbol.for('sisyphus.scheduler');
type Registry = { [SCHEDULER_KEY]?: Scheduler };

const num = (v: string | undefined): number | undefined => (v && Number.isFinite(Number(v)) ? Number(v) : undefined);

export async function boot(): Promise<void> {
  const { getServices, RUNTIME_KEY } = await import('../api/context');
  const { store } = await getServices();
  const port = process.env.PORT ?? '8080';
  const instanceId = `${process.env.SISYPHUS_HOSTNAME ?? os.hostname()}:${port}`;
  const master = process.env.MESOS_MASTER || null;
  if (!master) log.warn('MESOS_MASTER is not set: jobs are stored and scheduled but nothing is launched (npm start sets it to mesos-local)');
  const scheduler = await assemble({
    store,
    clock: systemClock,
    master,
    worker: {
      instanceId,
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
    },
  });
  scheduler.events.on('error', (e) => log.error({ where: e.where }, e.message));
  scheduler.events.on('framework', (e) => log.info({ framework: e.kind }, e.detail ?? e.kind));
  const registry = globalThis as typeof globalThis & Registry & { [k: symbol]: unknown };
  registry[SCHEDULER_KEY] = scheduler;
  registry[RUNTIME_KEY] = scheduler.worker;
  log.info({ instanceId, master }, 'scheduler worker started');
  const shutdown = () => void scheduler.stop();
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
