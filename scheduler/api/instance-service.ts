/**
 * GET /api/instance: which instance answered and who leads. With HA (ZooKeeper) the elector
 * boot.ts registers says; without, this instance leads while its scheduler runs.
 */
import type { SchedulerRuntime } from '../ports';
import type { LiveScheduler } from './live-scheduler';
import type { InstanceInfo } from './ui-types';

/** The leader elector as the UI sees it (registered by the HA code when ZooKeeper is configured). */
export interface UiElector {
  readonly id: string;
  isLeader(): boolean;
  leader(): string | null;
  members?(): string[];
}

export interface InstanceServiceDeps {
  runtime: SchedulerRuntime;
  live: LiveScheduler;
  elector: () => UiElector | null;
}

export class InstanceService {
  constructor(private readonly deps: InstanceServiceDeps) {}

  instance(): InstanceInfo {
    const elector = this.deps.elector();
    const s = this.deps.live.current();
    if (elector) {
      return {
        self: elector.id,
        leader: elector.leader(),
        isLeader: elector.isLeader(),
        members: elector.members?.() ?? [],
      };
    }
    const self = this.deps.runtime.leader();
    return { self, leader: s ? self : null, isLeader: s !== null, members: [] };
  }
}
