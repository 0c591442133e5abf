/**
 * A whole scheduler for integration tests: a throwaway PostgreSQL database, mesos-local on a free
 * port (fast heartbeats, allocation and update retries), the worker and Mesos framework assembled
 * over them, and the Chronos service — subscribed and ready when the promise resolves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MesosLocal, MesosLocalOptions } from '../../mesos-local/master';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { ChronosService } from '../api/chronos-service';
import { assemble, type AssembleOptions, type Scheduler } from '../runtime/assemble';
import type { NotifySetup } from '../runtime/notify-setup';
import { systemClock } from '../runtime/system-clock';
import { startTestMesos } from './test-mesos';

export interface LocalCluster {
  db: TestDatabase;
  store: PrismaStore;
  mesos: MesosLocal;
  scheduler: Scheduler;
  api: ChronosService;
  stop(): Promise<void>;
}

export async function startLocalCluster(opts: {
  dbPrefix: string;
  agents?: MesosLocalOptions['agents'];
  worker?: AssembleOptions['worker'];
  /** Extra mesos-local options (e.g. `scale` for simulated no-op tasks). */
  mesos?: Partial<MesosLocalOptions>;
  /** Notifications (runtime/notify-setup.ts): routed by the worker and the API, delivered by the deliverer. */
  notify?: NotifySetup;
  /** The worker writes through a store fenced by epoch 1 (as a leader's does), not the root store. */
  fenced?: boolean;
}): Promise<LocalCluster> {
  const db = await createTestDatabase(opts.dbPrefix);
  const store = await createStore({ databaseUrl: db.url });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `${opts.dbPrefix}-`));
  const mesos = await startTestMesos(workDir, opts.agents ?? [{ cpus: 8, mem: 8192, disk: 10000 }], opts.mesos);
  if (opts.fenced) await store.raiseEpoch(1);
  const scheduler = await assemble({
    store: opts.fenced ? store.fenced(1) : store,
    clock: systemClock,
    master: mesos.url,
    worker: opts.worker ?? { retryDelayMs: 300, killGraceMs: 500 },
    notify: opts.notify ?? null,
    framework: { declineIdleSeconds: 1, declineBusySeconds: 0.2, reviveMinIntervalMs: 100 },
  });
  const api = new ChronosService({ store, runtime: scheduler.worker, clock: systemClock, notify: () => opts.notify?.router ?? null });
  await scheduler.subscribed(20_000);
  return {
    db,
    store,
    mesos,
    scheduler,
    api,
    async stop() {
      await scheduler.stop();
      await mesos.stop();
      await store.close();
      await db.drop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
