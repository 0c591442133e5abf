/**
 * The runs the worker holds in memory, by where they are:
 *   - queued: due and waiting for an offer (RunQueue, in launch order);
 *   - delayed: queued but due later (retries) or held back by a jitter, in a min-heap by launch instant;
 *   - in flight: launched and not terminal, with a count per job (non-concurrent jobs wait for 0).
 * Plus the read-only views the API and the UI ask for. Nothing here is stored: the worker stores
 * first and then updates this.
 */
import type { Instant, Run, RunState } from '../core/types';
import { isTerminal } from '../core/types';
import type { JobActivity } from '../ports';
import { MinHeap } from './heap';
import { RunQueue } from './run-queue';

const ACTIVE_BEFORE_LAUNCH: ReadonlySet<RunState> = new Set(['QUEUED']);

export class RunTracker {
  /** Runs due and waiting for an offer, by task id and in launch order. */
  readonly queue = new RunQueue();
  /** Runs due in the future (retries), by due instant. */
  private readonly delayed = new MinHeap<string>();
  readonly delayedRuns = new Map<string, Run>();
  /** Runs launched and not terminal, by task id. */
  readonly inflight = new Map<string, Run>();
  readonly inflightByJob = new Map<string, number>();
  /** The task ids of `inflight` by job (inflightOf: a job's runs without a pass over every run in flight). */
  private readonly inflightTasks = new Map<string, Set<string>>();
  private activityCache: Map<string, JobActivity> | null = null;

  /**
   * Holds `run` where its state puts it; returns true when it is a queued run of the job's own
   * schedule (the job then waits for its launch before its next instant is indexed). A queued run
   * launches from `notBefore` on (its due instant, or later for a job with a jitter).
   */
  track(run: Run, now: Instant, notBefore: Instant = run.due): boolean {
    if (ACTIVE_BEFORE_LAUNCH.has(run.state)) {
      const from = Math.max(run.due, notBefore);
      if (from > now) {
        this.delayedRuns.set(run.taskId, run);
        this.delayed.push(from, run.taskId);
      } else {
        this.queue.set(run.taskId, run);
      }
      return run.trigger === 'schedule' || run.trigger === 'immediate';
    }
    if (!isTerminal(run.state)) {
      this.inflight.set(run.taskId, run);
      this.inflightByJob.set(run.jobName, (this.inflightByJob.get(run.jobName) ?? 0) + 1);
      const tasks = this.inflightTasks.get(run.jobName);
      if (tasks) tasks.add(run.taskId);
      else this.inflightTasks.set(run.jobName, new Set([run.taskId]));
    }
    return false;
  }

  /**
   * The runs of `jobName` in flight. 10,000 jobs each asking with 10,000 runs in flight (a herd's
   * next instant while the last one's tasks are still reported) held the event loop for seconds
   * when each asked by a pass over every run in flight.
   */
  inflightOf(jobName: string): Run[] {
    const out: Run[] = [];
    for (const taskId of this.inflightTasks.get(jobName) ?? []) {
      const run = this.inflight.get(taskId);
      if (run) out.push(run);
    }
    return out;
  }

  untrackInflight(run: Run): void {
    if (!this.inflight.delete(run.taskId)) return;
    const tasks = this.inflightTasks.get(run.jobName);
    if (tasks?.delete(run.taskId) && tasks.size === 0) this.inflightTasks.delete(run.jobName);
    const n = (this.inflightByJob.get(run.jobName) ?? 1) - 1;
    if (n <= 0) this.inflightByJob.delete(run.jobName);
    else this.inflightByJob.set(run.jobName, n);
  }

  /** Delayed runs due at or before `now` move to the queue. */
  releaseDue(now: Instant): void {
    while (this.delayed.size > 0 && this.delayed.peekKey()! <= now) {
      const taskId = this.delayed.pop()!.value;
      const run = this.delayedRuns.get(taskId);
      if (!run) continue;
      this.delayedRuns.delete(taskId);
      this.queue.set(taskId, run);
    }
  }

  /** Forgets a delayed run (withdrawn before its instant); its heap entry is skipped when popped. */
  forgetDelayed(taskId: string): Run | undefined {
    const run = this.delayedRuns.get(taskId);
    this.delayedRuns.delete(taskId);
    return run;
  }

  /** The due instant of the earliest delayed run, if any. */
  nextDelayed(): Instant | undefined {
    return this.delayed.peekKey();
  }

  /** True when the run is held (queued, delayed or in flight). */
  holds(taskId: string): boolean {
    return this.queue.has(taskId) || this.delayedRuns.has(taskId) || this.inflight.has(taskId);
  }

  /** Drops the queued and delayed runs of a job; returns them. */
  dropJob(name: string): Run[] {
    const dropped: Run[] = [];
    for (const [taskId, run] of this.queue) {
      if (run.jobName !== name) continue;
      this.queue.delete(taskId);
      dropped.push(run);
    }
    for (const [taskId, run] of this.delayedRuns) {
      if (run.jobName !== name) continue;
      this.delayedRuns.delete(taskId);
      dropped.push(run);
    }
    return dropped;
  }

  /** Queue depths for the `queue` event. */
  depths(): { high: number; normal: number; delayed: number } {
    const high = this.queue.high;
    return { high, normal: this.queue.size - high, delayed: this.delayedRuns.size };
  }

  /**
   * Queued and running counts of a job. Built once per event-loop turn, so a summary of 100,000
   * jobs costs one pass over the queue, not one per job.
   */
  activity(name: string): JobActivity {
    if (!this.activityCache) {
      const cache = new Map<string, JobActivity>();
      const get = (n: string) => {
        let a = cache.get(n);
        if (!a) cache.set(n, (a = { queued: 0, running: 0 }));
        return a;
      };
      const retry = (r: Run) => {
        const a = get(r.jobName);
        if (r.trigger === 'retry' && r.attempt > (a.retrying ?? 0)) a.retrying = r.attempt;
        return a;
      };
      for (const r of this.queue.values()) retry(r).queued++;
      for (const r of this.delayedRuns.values()) retry(r).queued++;
      for (const [n, c] of this.inflightByJob) get(n).running = c;
      for (const r of this.inflight.values()) if (r.trigger === 'retry') retry(r);
      this.activityCache = cache;
      queueMicrotask(() => (this.activityCache = null));
    }
    return this.activityCache.get(name) ?? { queued: 0, running: 0 };
  }

  /** Runs waiting to launch: due ones (the queue, oldest due first), then retries not yet due. */
  queuedRuns(): Run[] {
    const due = [...this.queue.values()].sort((a, b) => a.due - b.due);
    const later = [...this.delayedRuns.values()].sort((a, b) => a.due - b.due);
    return [...due, ...later];
  }

  /** Runs launched and not yet terminal (STAGING, STARTING, RUNNING, KILLING). */
  inflightRuns(): Run[] {
    return [...this.inflight.values()];
  }

  /** Non-terminal launched runs, for reconciliation. */
  activeTasks(): Array<{ taskId: string; agentId: string | null }> {
    return [...this.inflight.values()].map((r) => ({ taskId: r.taskId, agentId: r.agentId }));
  }
}
