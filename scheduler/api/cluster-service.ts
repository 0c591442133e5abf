/**
 * GET /api/cluster: the master's agents and frameworks, our offer counters, and a utilization
 * history sampled from /master/state once per `historyIntervalMs` (the sampler starts with the
 * first cluster request and keeps `historySize` samples). Also the dashboard's utilization.
 */
import type { Clock, MesosMasterState, MesosResources } from '../ports';
import type { InstanceService } from './instance-service';
import type { LiveScheduler } from './live-scheduler';
import type { MasterView } from './master-view';
import type { AgentInfo, ClusterState, Dashboard } from './ui-types';

const scalar = (r: MesosResources | undefined, k: string): number => {
  const v = r?.[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

/** Used and total cpus and memory of the active agents. */
function totals(state: MesosMasterState) {
  let cpusUsed = 0;
  let cpusTotal = 0;
  let memUsed = 0;
  let memTotal = 0;
  for (const a of state.slaves ?? []) {
    if (a.active === false) continue;
    cpusTotal += scalar(a.resources, 'cpus');
    memTotal += scalar(a.resources, 'mem');
    cpusUsed += scalar(a.used_resources, 'cpus');
    memUsed += scalar(a.used_resources, 'mem');
  }
  return { cpusUsed, cpusTotal, memUsed, memTotal };
}

export interface ClusterServiceDeps {
  clock: Clock;
  live: LiveScheduler;
  master: MasterView;
  instance: Pick<InstanceService, 'instance'>;
  /** Utilization sampling period (ms). */
  historyIntervalMs: number;
  /** Utilization samples kept. */
  historySize: number;
}

export class ClusterService {
  private history: ClusterState['history'] = [];
  private cancelSampler: (() => void) | null = null;
  private disposed = false;

  constructor(private readonly deps: ClusterServiceDeps) {}

  /** Stops the sampler. */
  dispose(): void {
    this.disposed = true;
    this.cancelSampler?.();
    this.cancelSampler = null;
  }

  /** Used and total cpus and memory now; null when the master is not configured or not reachable. */
  async utilization(): Promise<Dashboard['utilization']> {
    if (!this.deps.master.url()) return null;
    try {
      const t = totals(await this.deps.master.state());
      return { cpus: { used: t.cpusUsed, total: t.cpusTotal }, mem: { used: t.memUsed, total: t.memTotal } };
    } catch {
      return null;
    }
  }

  async cluster(): Promise<ClusterState> {
    const firstCall = this.cancelSampler === null;
    this.startSampler();
    const fw = this.deps.live.current()?.framework?.state() ?? null;
    const master = this.deps.master.url();
    const base: ClusterState = {
      master,
      reachable: false,
      agents: [],
      frameworks: [],
      ownFrameworkId: fw?.frameworkId ?? null,
      offers: {
        received: fw?.counters.offersReceived ?? 0,
        used: fw?.counters.offersUsed ?? 0,
        declined: fw?.counters.offersDeclined ?? 0,
      },
      history: [...this.history],
      instances: this.deps.instance.instance(),
    };
    if (!master) return { ...base, error: 'no Mesos master configured (MESOS_MASTER is not set)' };
    let state: MesosMasterState;
    try {
      state = await this.deps.master.state();
    } catch (e) {
      return { ...base, error: `cannot read ${master}/master/state: ${(e as Error).message}` };
    }
    if (firstCall && this.history.length === 0) await this.sample(state);
    const agents: AgentInfo[] = (state.slaves ?? []).map((a) => ({
      id: a.id,
      hostname: a.hostname ?? '',
      active: a.active !== false,
      resources: { cpus: scalar(a.resources, 'cpus'), mem: scalar(a.resources, 'mem'), disk: scalar(a.resources, 'disk') },
      used: { cpus: scalar(a.used_resources, 'cpus'), mem: scalar(a.used_resources, 'mem'), disk: scalar(a.used_resources, 'disk') },
      attributes: a.attributes ?? {},
    }));
    const frameworks = (state.frameworks ?? []).map((f) => ({
      id: f.id,
      name: f.name ?? '',
      active: f.active !== false,
      tasks: f.tasks?.length ?? 0,
      resources: { cpus: scalar(f.used_resources, 'cpus'), mem: scalar(f.used_resources, 'mem') },
    }));
    return { ...base, reachable: true, agents, frameworks, history: [...this.history] };
  }

  /** Starts the utilization sampler once (the first cluster request), one sample per interval. */
  private startSampler(): void {
    if (this.cancelSampler || this.disposed) return;
    const { clock, historyIntervalMs } = this.deps;
    const tick = () => {
      this.cancelSampler = clock.setTimer(historyIntervalMs, tick);
      void this.sample();
    };
    this.cancelSampler = clock.setTimer(historyIntervalMs, tick);
  }

  private async sample(state?: MesosMasterState): Promise<void> {
    try {
      const st = state ?? (await this.deps.master.state());
      const t = totals(st);
      this.history.push({ at: this.deps.clock.now(), ...t });
      if (this.history.length > this.deps.historySize) this.history.splice(0, this.history.length - this.deps.historySize);
    } catch {
      // the master is unreachable: no sample
    }
  }
}
