/**
 * Why a queued run waits, in words: the one answer the dashboard, the job page and the run page
 * show. With a scheduler in this process it is the worker's own reason (a retry not yet due, no
 * framework, disconnected, the matcher's latest "needs N cpus…; the most free on an eligible agent
 * is …", or waiting for an offer); on a follower, that the leader holds the queue.
 */
import type { Run } from '../core/types';
import type { InstanceService } from './instance-service';
import type { LiveScheduler } from './live-scheduler';

export interface QueueReasonsDeps {
  live: LiveScheduler;
  instance: Pick<InstanceService, 'instance'>;
}

export class QueueReasons {
  constructor(private readonly deps: QueueReasonsDeps) {}

  /** The reason a run waits; null when it is not QUEUED. */
  of(run: Pick<Run, 'taskId' | 'state'>): string | null {
    if (run.state !== 'QUEUED') return null;
    const s = this.deps.live.current();
    if (s) return s.worker.waitingReason(run.taskId, s.framework?.state() ?? null) ?? 'waiting';
    return this.offline();
  }

  /** The reason every queued run has while no scheduler runs in this instance. */
  offline(): string {
    const leader = this.deps.instance.instance().leader;
    return leader ? `queued on the leader (${leader}); no scheduler runs in this instance` : 'no scheduler runs in this instance';
  }
}
