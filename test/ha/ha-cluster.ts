/**
 * A test file's HA cluster: Sisyphus instances as real processes over the real ZooKeeper (an
 * election path of their own) and a throwaway PostgreSQL database, one mesos-local running real
 * task processes. Started before the file's first test, stopped after its last (the log directory
 * kept with HA_KEEP_LOGS).
 *
 *   const ha = useHaCluster({ name: 'backfill', agents: [{ cpus: 8, mem: 8192, disk: 10000 }], instances: 2 });
 *   it('…', async () => { const { leader } = await waitForLeader(ha.instances); await ha.db.query('…'); });
 */
import { afterAll, beforeAll } from 'vitest';
import type { MesosLocal, MesosLocalOptions } from '../../mesos-local/master';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { freshZkPath, makeLogDir, removeLogDir, startInstance, startMesosLocal, type Instance } from './support';

export interface HaClusterOptions {
  /** Names the log directory (`sisyphus-ha-<name>-…`) and the database (`sisyphus_ha_<name>_…`). */
  name: string;
  /** mesos-local's agents. */
  agents: MesosLocalOptions['agents'];
  /** How many instances; started at once (migrations run under an advisory lock). */
  instances: number;
  /** Extra environment of every instance, read when they start (after the file's earlier beforeAll hooks). */
  env?: () => Record<string, string>;
}

export interface HaCluster {
  /** The log directory: instance logs, mesos-local's work directory, whatever the tests write. */
  readonly dir: string;
  readonly db: TestDatabase;
  readonly mesos: MesosLocal;
  /** The instances in the order they were started; filled before the first test. */
  readonly instances: Instance[];
}

/** Registers the file's beforeAll (180 s allowed) and afterAll. */
export function useHaCluster(o: HaClusterOptions): HaCluster {
  let dir: string | undefined;
  let db: TestDatabase | undefined;
  let mesos: MesosLocal | undefined;
  const instances: Instance[] = [];
  beforeAll(async () => {
    dir = makeLogDir(`ha-${o.name}`);
    db = await createTestDatabase(`sisyphus_ha_${o.name}`);
    mesos = await startMesosLocal(dir, o.agents);
    const opts = { databaseUrl: db.url, zkPath: freshZkPath(), master: mesos.url, logDir: dir, env: o.env?.() };
    instances.push(...(await Promise.all(Array.from({ length: o.instances }, () => startInstance(opts)))));
  }, 180_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await mesos?.stop();
    await db?.drop();
    removeLogDir(dir);
  });
  const unset = (what: string): never => {
    throw new Error(`useHaCluster: the ${what} exists only while the file's tests run (after beforeAll)`);
  };
  return {
    get dir() {
      return dir ?? unset('log directory');
    },
    get db() {
      return db ?? unset('database');
    },
    get mesos() {
      return mesos ?? unset('mesos-local');
    },
    instances,
  };
}
