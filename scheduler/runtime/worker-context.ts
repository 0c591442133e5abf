/**
 * What the parts of the worker share: the jobs, the dependency graph, the schedule index and the
 * runs as the worker holds them in memory, the store, the clock and the events; and the few rules
 * every part applies the same way (a new run, a run's outcome, effects applied once stored).
 *
 * The parts: due-runs.ts (the timer and the tick), launch-planner.ts (offers), update-batcher.ts
 * (status updates), job-writes.ts (the API's job writes); worker.ts composes them.
 */
import { DependencyGraph, type EdgeCount } from '../core/dag';
import type { Unplaced } from '../core/matcher';
import { decideOutcome } from '../core/outcome';
import { formatTaskId, taskArguments } from '../core/taskid';
import { storableText } from '../core/text';
import type { Instant, Job, Run, RunState, RunTrigger } from '../core/types';
import type { Clock, FrameworkDriver, NewRun, Store } from '../ports';
import type { EventBus } from './events';
import { reasonOf } from './isolate';
import { RunTracker } from './run-tracker';
import { ScheduleIndex } from './schedule-index';

export interface WorkerSettings {
  /** Delay before a failed run is retried (Chronos --failure_retry, 60 s). */
  retryDelayMs: number;
  /** Disable a job after this many failures since its last success (0 = never). */
  disableAfterFailures: number;
  /** Grace period of a KILL. */
  killGraceMs: number;
  /** Mesos role the framework uses. */
  role: string;
  /** This instance's id (host:port), for GET /leader. */
  instanceId: string;
}

/** What a run that ended does, ready to store and apply (see core/outcome.ts). */
export interface Effects {
  jobs: Job[];
  runs: NewRun[];
  /** Counters of the edges into `touched` once this outcome is applied (absent = 0). */
  counters: EdgeCount[];
  /** The children whose counters this outcome moves. */
  touched: string[];
}

const isoUtc = (t: Instant) => new Date(t).toISOString();

export class WorkerContext {
  jobs = new Map<string, Job>();
  graph = new DependencyGraph();
  readonly index: ScheduleIndex;
  readonly runs = new RunTracker();
  /** The latest reasons queued runs could not be placed (for the UI). */
  lastUnplaced = new Map<string, Unplaced>();
  framework: FrameworkDriver | null = null;
  /** Set by the worker: arms the timer for the earliest due instant or retry. */
  wake: () => void = () => {};

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly events: EventBus,
    readonly settings: WorkerSettings,
  ) {
    this.index = new ScheduleIndex((where, message) => this.report(where, message));
  }

  /** Something an operator should see (one log line, a metric, the UI's event stream). */
  report(where: string, message: string): void {
    this.events.emit('error', { where, message });
  }

  emitQueue(): void {
    this.events.emit('queue', this.runs.depths());
  }

  /** Tracks a run and, for a scheduled one, keeps its job out of the index until it launches. */
  track(run: Run, now: Instant): void {
    if (this.runs.track(run, now)) this.index.await(run.jobName);
  }

  newRun(
    job: Job,
    due: Instant,
    attempt: number,
    args: string,
    trigger: RunTrigger,
    now: Instant,
    state: RunState = 'QUEUED',
    message: string | null = null,
  ): NewRun {
    // A job stored before the API refused such text may hold a NUL in its arguments: keep the run
    // storable (the task id is made of the same text)
    const safeArgs = storableText(args);
    return {
      jobName: job.name,
      due,
      attempt,
      taskId: formatTaskId(due, attempt, job.name, safeArgs),
      arguments: safeArgs,
      trigger,
      highPriority: job.highPriority,
      state,
      queuedAt: now,
      message,
    };
  }

  /**
   * What a terminal state does to the job, its retries and its children (core/outcome.ts), as
   * runs and job writes to store. The graph is left as it was: `applyEffects` moves it.
   */
  outcome(job: Job, run: Pick<Run, 'attempt' | 'arguments'>, state: RunState, now: Instant, jobOf: (name: string) => Job | undefined = (n) => this.jobs.get(n)): Effects {
    const o = decideOutcome({
      job,
      attempt: run.attempt,
      arguments: run.arguments,
      state,
      now,
      retryDelayMs: this.settings.retryDelayMs,
      disableAfterFailures: this.settings.disableAfterFailures,
      recurrencesLeft: this.index.scheduleOf(job.name)?.recurrences ?? null,
      graph: this.graph,
      jobOf,
    });
    const runs: NewRun[] = [];
    if (o.retry) runs.push(this.newRun(job, o.retry.due, o.retry.attempt, o.retry.arguments, 'retry', now));
    for (const child of o.fire) {
      const c = jobOf(child);
      if (!c) continue;
      try {
        runs.push(this.newRun(c, now, 0, taskArguments(c), 'dependency', now));
      } catch (e) {
        // one child that cannot run does not keep its siblings from running
        this.report('dependency', `job ${c.name} (child of ${job.name}) cannot be fired: ${reasonOf(e)}`);
      }
    }
    return { jobs: o.job ? [o.job] : [], runs, counters: o.counters, touched: o.touched };
  }

  /** Sets the counters of the outcome's children to what it computed (absent = 0). */
  applyCounters(effects: Effects): void {
    for (const child of effects.touched) this.graph.resetCounters(child);
    this.graph.importCounters(effects.counters);
  }

  /** Applies stored effects to memory; `created` = what createMany stored (new rows only). */
  applyEffects(effects: Effects, now: Instant, created: Run[]): void {
    this.applyCounters(effects);
    for (const job of effects.jobs) {
      const before = this.jobs.get(job.name);
      this.jobs.set(job.name, job);
      this.events.emit('job', { name: job.name, change: job.disabled && !before?.disabled ? 'disabled' : 'stats' });
      if (job.disabled && !before?.disabled) this.index.reindex(job, now);
    }
    if (effects.runs.length > 0) {
      for (const run of created) {
        if (run.state === 'QUEUED' && !this.runs.queue.has(run.taskId) && !this.runs.delayedRuns.has(run.taskId)) {
          this.track(run, now);
          this.events.emit('run', { run, previous: null });
        }
      }
      this.emitQueue();
      this.wake();
      if (this.runs.queue.size > 0) this.framework?.workArrived();
    }
  }

  /** Stores several effects in one transaction with `also`; returns what each createMany stored. */
  async storeEffects(all: Effects[], also: (tx: Parameters<Parameters<Store['transaction']>[0]>[0]) => Promise<void>): Promise<Run[][]> {
    const created: Run[][] = [];
    await this.store.transaction(async (tx) => {
      await also(tx);
      for (const effects of all) {
        if (effects.jobs.length) await tx.jobs.apply({ update: effects.jobs });
        created.push(effects.runs.length ? await tx.runs.createMany(effects.runs) : []);
        for (const c of effects.counters) await tx.edges.set(c.child, c.parent, c.count);
      }
    });
    return created;
  }

  isoUtc(t: Instant): string {
    return isoUtc(t);
  }
}
