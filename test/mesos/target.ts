/**
 * The two Mesos masters the suite in suite.ts runs against, behind one interface: real Apache Mesos
 * (scripts/mesos/cluster.ts: a mesos-master and two mesos-agents) and mesos-local (in process).
 * Both have two agents, rack:a and rack:b, 4 cpus and 4 GB each.
 *
 * What a test does to the master or an agent is the same user-visible event on both: a master
 * restart (real: kill -9 and start again on the same port; mesos-local: its `failover` fault, a
 * new master id with the agents and their tasks kept, which is what the real one looks like to a
 * framework) and an agent stopped and started again (real: kill -9 the agent, its executors keep
 * running and it recovers them; mesos-local: `stop-agent` / `start-agent`, see agent-restart.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MesosLocal } from '../../mesos-local/master';
import { MesosCluster } from '../../scripts/mesos/cluster';
import { mesosBuild } from '../../scripts/mesos/install';

export type TargetName = 'real' | 'mesos-local';

export interface MesosTarget {
  name: TargetName;
  masterUrl: string;
  /** The master's id of agent i (0: rack:a, 1: rack:b) while it is registered. */
  agentId(i: number): Promise<string | null>;
  /** The master goes away and comes back (see above). */
  restartMaster(): Promise<void>;
  stopAgent(i: number): Promise<void>;
  startAgent(i: number): Promise<void>;
  stop(): Promise<void>;
}

/** True when this machine has a Mesos build (MESOS_HOME, MESOS_BUILD or ../shared/mesos). */
export const realMesosAvailable = (): boolean => mesosBuild() !== null;

export async function startTarget(name: TargetName): Promise<MesosTarget> {
  return name === 'real' ? startReal() : startLocal();
}

async function startReal(): Promise<MesosTarget> {
  const c = await MesosCluster.start({ agents: [{ attributes: 'rack:a' }, { attributes: 'rack:b' }] });
  return {
    name: 'real',
    masterUrl: c.masterUrl,
    agentId: (i) => c.agentId(i),
    restartMaster: () => c.restartMaster(),
    stopAgent: (i) => c.stopAgent(i),
    startAgent: (i) => c.startAgent(i),
    stop: () => c.stop(),
  };
}

async function startLocal(): Promise<MesosTarget> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-mesos-local-parity-'));
  const ml = new MesosLocal({
    port: 0,
    host: '127.0.0.1',
    heartbeatIntervalSeconds: 1,
    allocationIntervalMs: 200,
    statusUpdateRetryMs: 500,
    workDir,
    agents: [
      { hostname: '127.0.0.1', cpus: 4, mem: 4096, disk: 8192, attributes: { rack: 'a' } },
      { hostname: '127.0.0.1', cpus: 4, mem: 4096, disk: 8192, attributes: { rack: 'b' } },
    ],
  });
  await ml.start();
  const agentIds = async (): Promise<string[]> => {
    const r = await fetch(`${ml.url}/master/slaves`);
    const s = (await r.json()) as { slaves: Array<{ id: string; attributes?: Record<string, string> }> };
    return ['a', 'b'].map((rack) => s.slaves.find((x) => x.attributes?.rack === rack)?.id ?? '');
  };
  const ids = await agentIds();
  const lost = new Set<number>();
  const fault = (...a: Parameters<MesosLocal['fault']>) => {
    const r = ml.fault(...a);
    if (!r.ok) throw new Error(`mesos-local fault ${a.join(' ')} refused: ${JSON.stringify(r)}`);
  };
  return {
    name: 'mesos-local',
    masterUrl: ml.url,
    agentId: async (i) => (lost.has(i) ? null : ids[i] || null),
    restartMaster: async () => fault('failover'),
    stopAgent: async (i) => {
      lost.add(i);
      fault('stop-agent', ids[i]);
    },
    startAgent: async (i) => {
      lost.delete(i);
      fault('start-agent', ids[i]);
    },
    stop: async () => {
      await ml.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
