/**
 * GET /api/dashboard: job counts by status and activity, the runs going and waiting (with why
 * they wait), the last failures, the framework's health, who leads, and the cluster's utilization.
 */
import type { Run, RunState } from '../core/types';
import type { Clock, SchedulerRuntime, Store } from '../ports';
import type { ClusterService } from './cluster-service';
import type { FrameworkHealthService } from './framework-health';
import type { InstanceService } from './instance-service';
import type { JobsSnapshot } from './jobs-snapshot';
import type { LiveScheduler } from './live-scheduler';
import type { QueueReasons } from './queue-reason';
import { runRow } from './run-row';
import type { Dashboard, QueuedRunInfo } from './ui-types';

const FAILURE_STATES: RunState[] = ['FAILED', 'LOST', 'ERROR', 'DROPPED'];

export interface DashboardServiceDeps {
  store: Store;
  clock: Clock;
  runtime: SchedulerRuntime;
  live: LiveScheduler;
  snapshot: JobsSnapshot;
  instance: Pick<InstanceService, 'instance'>;
  framework: Pick<FrameworkHealthService, 'framework'>;
  cluster: Pick<ClusterService, 'utilization'>;
  reasons: QueueReasons;
}

export class DashboardService {
  constructor(private readonly deps: DashboardServiceDeps) {}

  async dashboard(): Promise<Dashboard> {
    const { store, runtime } = this.deps;
    const s = this.deps.live.current();
    const [snap, active, failures, util] = await Promise.all([
      this.deps.snapshot.get(),
      s ? Promise.resolve(null) : store.runs.listActive(),
      store.runs.list({ states: FAILURE_STATES, limit: 10 }),
      this.deps.cluster.utilization(),
    ]);
    const counts = { jobs: snap.entries.length, success: 0, failure: 0, fresh: 0, retrying: 0, idle: 0, queued: 0, running: 0, disabled: 0 };
    for (const e of snap.entries) {
      counts[e.status]++;
      if (e.job.disabled) counts.disabled++;
      const a = runtime.activity(e.job.name);
      counts[a.running > 0 ? 'running' : a.queued > 0 ? 'queued' : 'idle']++;
      if (a.retrying !== undefined && a.retrying >= 1) counts.retrying++;
    }
    let running: Run[];
    let queued: QueuedRunInfo[];
    if (s) {
      running = s.worker.inflightRuns();
      const now = this.deps.clock.now();
      queued = s.worker.queuedRuns().map((run) => ({
        run: runRow(run),
        reason: this.deps.reasons.of(run) ?? 'waiting',
        ...(run.trigger === 'retry' && run.due > now ? { retryAt: run.due } : {}),
      }));
    } else {
      const reason = this.deps.reasons.offline();
      running = (active ?? []).filter((r) => r.state !== 'QUEUED');
      queued = (active ?? []).filter((r) => r.state === 'QUEUED').map((run) => ({ run: runRow(run), reason }));
    }
    running.sort((a, b) => (b.launchedAt ?? b.queuedAt) - (a.launchedAt ?? a.queuedAt));
    return {
      counts,
      running: running.slice(0, 500).map(runRow),
      queued: queued.slice(0, 500),
      recentFailures: failures.runs.map(runRow),
      framework: this.deps.framework.framework(),
      leader: this.deps.instance.instance(),
      utilization: util,
    };
  }
}
