/**
 * The SchedulerRuntime the API uses when no worker runs in this process (the worker registers
 * itself at `globalThis[Symbol.for('sisyphus.runtime')]` when it boots). Reads still work: every
 * job is idle. Changes to jobs are only stored (a worker reloads the store when it starts). What
 * needs a running scheduler (manual runs, kills, async completion) throws SchedulerUnavailableError
 * (the API answers 503).
 */
import { config } from '../config';
import type { Job } from '../core/types';
import { SchedulerUnavailableError, type JobActivity, type SchedulerRuntime } from '../ports';

export const WORKER_NOT_RUNNING = 'the scheduler worker is not running';

export class OfflineRuntime implements SchedulerRuntime {
  constructor(private readonly leaderId: string = defaultLeaderId()) {}

  async jobChanged(_job: Job, _previous: Job | null): Promise<void> {}

  async jobDeleted(_job: Job): Promise<void> {}

  async runNow(_job: Job, _args: string): Promise<string> {
    throw new SchedulerUnavailableError(WORKER_NOT_RUNNING);
  }

  async markSuccess(_job: Job): Promise<void> {
    throw new SchedulerUnavailableError(WORKER_NOT_RUNNING);
  }

  async killJob(_name: string): Promise<void> {
    throw new SchedulerUnavailableError(WORKER_NOT_RUNNING);
  }

  async completeTask(_taskId: string, _statusCode: number): Promise<boolean> {
    throw new SchedulerUnavailableError(WORKER_NOT_RUNNING);
  }

  activity(_name: string): JobActivity {
    return { queued: 0, running: 0 };
  }

  leader(): string {
    return this.leaderId;
  }
}

/** host:port of this process, as Chronos names a leader. */
export function defaultLeaderId(): string {
  return config().instance.id;
}
