/**
 * The API services of this process, created once and shared by every route handler.
 *
 * - The Store: the process's one store (scheduler/registry.ts), opened by boot() when the
 *   scheduler starts in this process, else opened here from the settings (scheduler/config.ts).
 * - The runtime: the registered one, looked up on every call (the leading term's worker, or an
 *   offline runtime: every job idle, manual runs and kills a 503).
 */
import type { ChangeStamp } from '../core/job-version';
import type { Job } from '../core/types';
import type { Clock, JobActivity, RerunAt, SchedulerRuntime, Store } from '../ports';
import { processSlot, registry } from '../registry';
import { OfflineRuntime } from '../runtime/offline-runtime';
import { systemClock } from '../runtime/system-clock';
import { ChronosService, type ChronosServiceOptions } from './chronos-service';

export interface Services {
  chronos: ChronosService;
  store: Store;
  /** The live runtime (the worker's, or the offline one while no worker runs). */
  runtime: SchedulerRuntime;
  clock: Clock;
}

const servicesSlot = processSlot<Promise<Services>>('api.services');

export { systemClock };
/** The worker's runtime when registered, else an offline one. Resolved on every call. */
export class RegisteredRuntime implements SchedulerRuntime {
  private readonly offline = new OfflineRuntime();
  private get current(): SchedulerRuntime {
    return registry.runtime.get() ?? this.offline;
  }
  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.current.jobChanged(job, previous);
  }
  storeJob(job: Job, keep: readonly (keyof Job)[], stamp?: ChangeStamp): Promise<boolean> {
    return this.current.storeJob?.(job, keep, stamp) ?? Promise.resolve(false);
  }
  jobDeleted(job: Job): Promise<void> {
    return this.current.jobDeleted(job);
  }
  runNow(job: Job, args: string, at?: RerunAt): Promise<string> {
    return this.current.runNow(job, args, at);
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
  const { openStore } = await import('../runtime/boot');
  const store = await openStore();
  const runtime = new RegisteredRuntime();
  const clock = systemClock;
  const notify = () => registry.notify.get()?.router ?? null;
  return { chronos: new ChronosService({ store, runtime, clock, options, notify }), store, runtime, clock };
}

/** The shared services, created on first use (a failure is retried on the next call). */
export function getServices(): Promise<Services> {
  let p = servicesSlot.get();
  if (!p) {
    p = createServices();
    servicesSlot.set(p);
    p.catch(() => {
      if (servicesSlot.get() === p) servicesSlot.set(undefined);
    });
  }
  return p;
}

/** Tests: use these services (or build them from a store and runtime); null forgets them. */
export function setServicesForTesting(
  s: { store: Store; runtime: SchedulerRuntime; clock?: Clock; options?: ChronosServiceOptions } | null,
): Services | null {
  if (s === null) {
    servicesSlot.set(undefined);
    return null;
  }
  const clock = s.clock ?? systemClock;
  const services: Services = {
    chronos: new ChronosService({ store: s.store, runtime: s.runtime, clock, options: s.options }),
    store: s.store,
    runtime: s.runtime,
    clock,
  };
  servicesSlot.set(Promise.resolve(services));
  return services;
}
