/**
 * The API services of this process, created once and shared by every route handler.
 *
 * - The Store: registered by the worker at `globalThis[Symbol.for('sisyphus.store')]` when it
 *   boots (so both share one connection pool, and one embedded PGlite, which allows a single
 *   opener); otherwise created here with `createStore` (DATABASE_URL, or embedded PGlite).
 * - The runtime: looked up on every call at `globalThis[Symbol.for('sisyphus.runtime')]`, which
 *   the worker sets at boot; while it is absent an `OfflineRuntime` answers (every job idle,
 *   manual runs and kills are a 503).
 */
import type { Job } from '../core/types';
import type { Clock, JobActivity, SchedulerRuntime, Store } from '../ports';
import { ChronosService, type ChronosServiceOptions } from './chronos-service';
import { OfflineRuntime } from '../runtime/offline-runtime';
import { systemClock } from '../runtime/system-clock';
import { config } from '../config';

export const RUNTIME_KEY = Symbol.for('sisyphus.runtime');
export const STORE_KEY = Symbol.for('sisyphus.store');
const SERVICES_KEY = Symbol.for('sisyphus.api.services');

export interface Services {
  chronos: ChronosService;
  store: Store;
  /** The live runtime (the worker's, or the offline one while no worker runs). */
  runtime: SchedulerRuntime;
  clock: Clock;
}

type Registry = {
  [RUNTIME_KEY]?: SchedulerRuntime;
  [STORE_KEY]?: Store;
  [SERVICES_KEY]?: Promise<Services>;
};
const registry = globalThis as typeof globalThis & Registry;

export { systemClock };
/** The worker's runtime when registered, else an offline one. Resolved on every call. */
export class RegisteredRuntime implements SchedulerRuntime {
  private readonly offline = new OfflineRuntime();
  private get current(): SchedulerRuntime {
    return registry[RUNTIME_KEY] ?? this.offline;
  }
  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.current.jobChanged(job, previous);
  }
  storeJob(job: Job, keep: readonly (keyof Job)[]): Promise<boolean> {
    return this.current.storeJob?.(job, keep) ?? Promise.resolve(false);
  }
  jobDeleted(job: Job): Promise<void> {
    return this.current.jobDeleted(job);
  }
  runNow(job: Job, args: string): Promise<string> {
    return this.current.runNow(job, args);
  }
  markSuccess(job: Job): Promise<void> {
    return this.current.markSuccess(job);
  }
  killJob(name: string): Promise<void> {
    return this.current.killJob(name);
  }
  completeTask(taskId: string, statusCode: number): Promise<boolean> {
    return this.current.completeTask(taskId, statusCode);
  }
  activity(name: string): JobActivity {
    return this.current.activity(name);
  }
  leader(): string {
    return this.current.leader();
  }
  jobsView(): ReadonlyMap<string, Job> | null {
    return this.current.jobsView?.() ?? null;
  }
}

async function createServices(options?: ChronosServiceOptions): Promise<Services> {
  let store = registry[STORE_KEY];
  if (!store) {
    const { createStore } = await import('../adapters/prisma');
    const { database } = config();
    store = await createStore({ databaseUrl: database.url ?? undefined, dataDir: database.dataDir, migrationsDir: database.migrationsDir ?? undefined });
    registry[STORE_KEY] ??= store;
    store = registry[STORE_KEY];
  }
  const runtime = new RegisteredRuntime();
  const clock = systemClock;
  return { chronos: new ChronosService({ store, runtime, clock, options }), store, runtime, clock };
}

/** The shared services, created on first use (a failure is retried on the next call). */
export function getServices(): Promise<Services> {
  let p = registry[SERVICES_KEY];
  if (!p) {
    p = createServices();
    registry[SERVICES_KEY] = p;
    p.catch(() => {
      if (registry[SERVICES_KEY] === p) delete registry[SERVICES_KEY];
    });
  }
  return p;
}

/** Tests: use these services (or build them from a store and runtime); null forgets them. */
export function setServicesForTesting(
  s: { store: Store; runtime: SchedulerRuntime; clock?: Clock; options?: ChronosServiceOptions } | null,
): Services | null {
  if (s === null) {
    delete registry[SERVICES_KEY];
    return null;
  }
  const clock = s.clock ?? systemClock;
  const services: Services = {
    chronos: new ChronosService({ store: s.store, runtime: s.runtime, clock, options: s.options }),
    store: s.store,
    runtime: s.runtime,
    clock,
  };
  registry[SERVICES_KEY] = Promise.resolve(services);
  return services;
}
