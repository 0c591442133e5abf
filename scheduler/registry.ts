/**
 * The process-wide objects of one Sisyphus process, in one place. The server, the route handlers
 * and the scheduler reach each other only through these slots (or through explicit parameters):
 *
 *   store       the one Store (an embedded PGlite allows a single opener)
 *   runtime     the SchedulerRuntime the API talks to (the leading term's worker, else offline)
 *   scheduler   the current leadership term's Scheduler (worker, framework, events); absent while following
 *   elector     this instance's view of the election (the UI, the follower → leader proxy)
 *   leadership  the Leadership itself (events, term info)
 *   booted      set once the scheduler has been started in this process
 *   notify      the notifications set up from the settings (router, channels, problems)
 *
 * Each slot lives on globalThis under its own `Symbol.for` key: Next.js bundles the route handlers
 * apart from the server that boots the scheduler, so two copies of this module must see the same
 * objects. Only this module names those keys.
 */
import type { LeaderView, SchedulerRuntime, Store } from './ports';
import type { Scheduler } from './runtime/assemble';
import type { Leadership } from './runtime/leadership';
import type { NotifySetup } from './runtime/notify-setup';

type Global = typeof globalThis & { [key: symbol]: unknown };

export interface Slot<T> {
  get(): T | undefined;
  set(value: T | undefined): void;
}

function slot<T>(name: string): Slot<T> {
  const key = Symbol.for(`sisyphus.${name}`);
  const g = globalThis as Global;
  return {
    get: () => g[key] as T | undefined,
    set: (value) => {
      if (value === undefined) delete g[key];
      else g[key] = value;
    },
  };
}

export const registry = {
  store: slot<Store>('store'),
  runtime: slot<SchedulerRuntime>('runtime'),
  scheduler: slot<Scheduler>('scheduler'),
  elector: slot<LeaderView>('elector'),
  leadership: slot<Leadership>('leadership'),
  booted: slot<boolean>('scheduler.booted'),
  notify: slot<NotifySetup>('notify'),
} as const;

/** A slot of a module's own process-wide object (a cache, a service), named after the module. */
export function processSlot<T>(name: string): Slot<T> {
  return slot<T>(name);
}
