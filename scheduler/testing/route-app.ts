/**
 * The app as the UI and REST route handlers see it in tests: a throwaway PostgreSQL database, the
 * store, a worker without Mesos (runs are queued, never launched) registered as the scheduler, and
 * the shared services set over them. Route tests call the Next.js handlers directly, with the
 * request helpers below.
 */
import { createStore, type PrismaStore, type CreateStoreOptions } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { setServicesForTesting, type Services } from '../api/context';
import { registry } from '../registry';
import { assemble, type Scheduler } from '../runtime/assemble';
import { systemClock } from '../runtime/system-clock';

export interface RouteApp {
  db: TestDatabase;
  store: PrismaStore;
  scheduler: Scheduler;
  services: Services;
  /** Unsets the services and the scheduler, then stops the worker, closes the store and drops the database. */
  stop(): Promise<void>;
}

export async function startRouteApp(
  dbPrefix: string,
  storeOptions: Omit<CreateStoreOptions, 'databaseUrl'> = {},
): Promise<RouteApp> {
  const db = await createTestDatabase(dbPrefix);
  const store = await createStore({ poolSize: 4, ...storeOptions, databaseUrl: db.url });
  const scheduler = await assemble({ store, clock: systemClock, master: null });
  registry.scheduler.set(scheduler);
  const services = setServicesForTesting({ store, runtime: scheduler.worker })!;
  return {
    db,
    store,
    scheduler,
    services,
    async stop() {
      registry.scheduler.set(undefined);
      setServicesForTesting(null);
      await scheduler.stop();
      await store.close();
      await db.drop();
    },
  };
}

/** A GET of `path` on the app, as Next.js hands it to a route handler. */
export const getRequest = (path: string, headers: Record<string, string> = {}): Request =>
  new Request(`http://localhost${path}`, { headers });

/** A POST of `body` (a string as is, anything else as JSON) to `path`. */
export const postRequest = (path: string, body?: unknown, headers: Record<string, string> = {}): Request =>
  new Request(`http://localhost${path}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });

/** The second argument Next.js passes a dynamic route's handler: its path parameters. */
export const routeParams = <P extends Record<string, string>>(params: P) => ({ params: Promise.resolve(params) });
