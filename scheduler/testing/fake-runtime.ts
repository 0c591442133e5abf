/**
 * A SchedulerRuntime that records every call and does nothing else, for API service tests.
 * Activity (queued/running counts) and known task ids are set by the test.
 */
import { buildTaskId } from '../core/taskid';
import type { Job } from '../core/types';
import type { Clock, JobActivity, RerunAt, SchedulerRuntime } from '../ports';

export type RuntimeCall =
  | { method: 'jobChanged'; job: Job; previous: Job | null }
  | { method: 'jobDeleted'; job: Job }
  | { method: 'runNow'; job: Job; args: string; taskId: string; at?: RerunAt }
  | { method: 'markSuccess'; job: Job }
  | { method: 'killJob'; name: string }
  | { method: 'completeTask'; taskId: string; statusCode: number; known: boolean };

export class FakeRuntime implements SchedulerRuntime {
  readonly calls: RuntimeCall[] = [];
  /** Activity by job name; absent means idle. */
  readonly activities = new Map<string, JobActivity>();
  /** Task ids completeTask knows (answers true for). */
  readonly knownTasks = new Set<string>();
  leaderId = '127.0.0.1:8080';

  constructor(private readonly clock: Clock) {}

  /** The calls of one method, in order. */
  callsOf<M extends RuntimeCall['method']>(method: M): Extract<RuntimeCall, { method: M }>[] {
    return this.calls.filter((c): c is Extract<RuntimeCall, { method: M }> => c.method === method);
  }

  reset(): void {
    this.calls.length = 0;
  }

  async jobChanged(job: Job, previous: Job | null): Promise<void> {
    this.calls.push({ method: 'jobChanged', job, previous });
  }

  async jobDeleted(job: Job): Promise<void> {
    this.calls.push({ method: 'jobDeleted', job });
  }

  /** `args` is the task-id argument string the service computed (Chronos rule already applied). */
  async runNow(job: Job, args: string, at?: RerunAt): Promise<string> {
    const taskId = buildTaskId(job, at?.due ?? this.clock.now(), at?.attempt ?? 0, args);
    this.calls.push({ method: 'runNow', job, args, taskId, ...(at ? { at } : {}) });
    return taskId;
  }

  async markSuccess(job: Job): Promise<void> {
    this.calls.push({ method: 'markSuccess', job });
  }

  async killJob(name: string): Promise<void> {
    this.calls.push({ method: 'killJob', name });
  }

  async completeTask(taskId: string, statusCode: number): Promise<boolean> {
    const known = this.knownTasks.has(taskId);
    this.calls.push({ method: 'completeTask', taskId, statusCode, known });
    return known;
  }

  activity(name: string): JobActivity {
    return this.activities.get(name) ?? { queued: 0, running: 0 };
  }

  leader(): string {
    return this.leaderId;
  }
}
