/**
 * What the parts of the worker share: the jobs, the dependency graph, the schedule index and the
 * runs as the worker holds them in memory, the store, the clock and the events; and the few rules
 * every part applies the same way (a new run, a run's outcome, effects applied once stored).
 *
 * The parts: due-runs.ts (the timer and the tick), launch-planner.ts (offers), update-batcher.ts
 * (status updates), job-writes.ts (the API's job writes); worker.ts composes them.
 */
import { DependencyGraph, type EdgeCount } from '../core/dag';
import { versionOf, type NewJobVersion } from '../core/job-version';
import type { Unplaced } from '../core/matcher';
import { eventRun, eventsOfOutcome } from '../core/notify-events';
import { NO_DEMAND, type Demand } from '../core/offers-to-keep';
import type { NotifyRouter, OutboxEntry } from '../core/notify-route';
import { launchNotBefore } from '../core/jitter';
import { decideOutcome } from '../core/outcome';
import type { SharedValues } from '../core/shared-job-values';
import { pausedReason } from '../core/pause';
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
  /**
   * How long a started run that the master calls TASK_UNKNOWN is kept before it is settled LOST:
   * after a master failover (a new master, or one without a persistent registry) the master knows
   * no agent until each re-registers, and answers reconciliation with TASK_UNKNOWN for tasks that
   * are still running. Mesos's own --agent_reregister_timeout is 10 minutes.
   */
  unknownGraceMs: number;
  /** Mesos role the framework uses. */
  role: string;
  /** This instance's id (host:port), for GET /leader. */
  instanceId: string;
  /** Routes events into the outbox; null: no notifications. */
  notify: NotifyRouter | null;
  /** Most missed instants of one job that run (and that are recorded skipped) after downtime. */
  catchUpMax: number;
  /** An instant at most this late is on time, not missed. */
  catchUpGraceMs: number;
  /**
   * How long before its instant a scheduled run is prepared (stored, held until the instant:
   * prepared-runs.ts), so a herd of jobs due together only has to launch at the instant; 0: at the instant.
   */
  prepareAheadMs: number;
}

/** What a run that ended does, ready to store and apply (see core/outcome.ts). */
export interface Effects {
  jobs: Job[];
  runs: NewRun[];
  /** Counters of the edges into `touched` once this outcome is applied (absent = 0). */
  counters: EdgeCount[];
  /** The children whose counters this outcome moves. */
  touched: string[];
  /** Notifications to store with the outcome (the outbox). */
  notices: OutboxEntry[];
  /** Versions of the jobs' history the outcome makes (a job disabled after too many failures). */
  versions?: NewJobVersion[];
}

const isoUtc = (t: Instant) => new Date(t).toISOString();

/**
 * How often one run (a job's instant and attempt) is launched again without spending a retry when
 * Mesos refuses its launch for its offers alone (core/outcome.ts, `launchRefused`); a refusal after
 * that takes the failure path, so a launch that keeps being refused cannot loop.
 */
const FREE_RELAUNCHES = 3;

/** The message of a run launched again after Mesos refused its launch. */
const RELAUNCH_NOTE = 'launched again: Mesos refused the previous launch because its offers were no longer valid (no retry spent)';

export class WorkerContext {
  jobs = new Map<string, Job>();
  /** Values the jobs written through the API share (core/shared-job-values.ts). */
  readonly sharedValues: SharedValues = new Map();
  graph = new DependencyGraph();
  readonly index: ScheduleIndex;
  readonly runs = new RunTracker();
  /** The latest reasons queued runs could not be placed (for the UI). */
  lastUnplaced = new Map<string, Unplaced>();
  framework: FrameworkDriver | null = null;
  /** Free relaunches used per run (job, instant, attempt, arguments) whose launch Mesos refused. */
  private readonly relaunches = new Map<string, number>();
  /** Set by the worker: arms the timer for the earliest due instant or retry. */
  wake: () => void = () => {};
  /** The instant of runs prepared ahead due soon, for which offers are kept (due-runs.ts herdSoon); null when none. */
  herdSoon: (now: Instant) => Instant | null = () => null;
  /** What the runs prepared for instants up to `at` ask for (due-runs.ts herdNeed): the offers kept for them. */
  herdNeed: (at: Instant) => Demand = () => ({ ...NO_DEMAND });

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

  /**
   * Tracks a run and, for a scheduled one, keeps its job out of the index until it launches. A
   * scheduled run of a job with a jitter waits until its launch instant (core/jitter.ts) among
   * the delayed runs; the same instant after a restart, since it is a hash of job and due.
   */
  track(run: Run, now: Instant): void {
    const job = run.trigger === 'schedule' || run.trigger === 'immediate' ? this.jobs.get(run.jobName) : undefined;
    const notBefore = job?.jitter ? launchNotBefore(job, run.due) : run.due;
    if (this.runs.track(run, now, notBefore)) this.index.await(run.jobName);
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
    intendedDue: Instant | null = null,
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
      ...(intendedDue !== null && intendedDue !== due ? { intendedDue } : {}),
    };
  }

  /**
   * What a terminal state does to the job, its retries and its children (core/outcome.ts), as
   * runs and job writes to store, with the notifications it causes (`run` as it ended, when it is a
   * whole run). The graph is left as it was: `applyEffects` moves it.
   */
  outcome(job: Job, run: Pick<Run, 'attempt' | 'arguments'> & Partial<Run>, state: RunState, now: Instant, jobOf: (name: string) => Job | undefined = (n) => this.jobs.get(n)): Effects {
    // the instant the ended run was for: its retry and its children are for the same one (SISYPHUS_DUE)
    const intended = run.due === undefined ? null : (run.intendedDue ?? run.due);
    // a backfill run keeps its instant as its due (its task id): it is not relaunched for free
    const launchRefused = state === 'DROPPED' && run.reason === 'REASON_INVALID_OFFERS' && run.trigger !== 'backfill' && this.freeRelaunch(job.name, intended, run.attempt, run.arguments);
    const o = decideOutcome({
      job,
      attempt: run.attempt,
      arguments: run.arguments,
      state,
      now,
      launchRefused,
      retryDelayMs: this.settings.retryDelayMs,
      disableAfterFailures: this.settings.disableAfterFailures,
      recurrencesLeft: this.index.scheduleOf(job.name)?.recurrences ?? null,
      graph: this.graph,
      jobOf,
    });
    const runs: NewRun[] = [];
    // A backfill run's retry stays a backfill run at its instant (due: the instant, so it is
    // retried at once, and the grid shows it in that instant's column); what runs below it is the
    // backfill's to start (backfill-runner.ts), so it fires no child and moves no edge counter.
    const backfill = run.trigger === 'backfill' && run.due !== undefined;
    // a relaunch's task id differs from the refused one's by its due (the same attempt): at least 1 ms later
    if (o.retry?.relaunch) runs.push(this.newRun(job, Math.max(o.retry.due, (run.due ?? 0) + 1), o.retry.attempt, o.retry.arguments, 'retry', now, 'QUEUED', RELAUNCH_NOTE, intended));
    else if (o.retry && backfill) runs.push(this.newRun(job, run.due!, o.retry.attempt, o.retry.arguments, 'backfill', now));
    else if (o.retry) runs.push(this.newRun(job, o.retry.due, o.retry.attempt, o.retry.arguments, 'retry', now, 'QUEUED', null, intended));
    if (backfill) {
      o.fire = [];
      o.counters = this.graph.countersOf(o.touched);
    }
    for (const child of o.fire) {
      const c = jobOf(child);
      if (!c) continue;
      try {
        // a paused child's run is recorded SKIPPED with who paused it, until when and why
        const paused = pausedReason(c.pause, now);
        runs.push(this.newRun(c, now, 0, taskArguments(c), 'dependency', now, paused ? 'SKIPPED' : 'QUEUED', paused, intended));
      } catch (e) {
        // one child that cannot run does not keep its siblings from running
        this.report('dependency', `job ${c.name} (child of ${job.name}) cannot be fired: ${reasonOf(e)}`);
      }
    }
    const notices: OutboxEntry[] = [];
    const router = this.settings.notify;
    if (router) {
      const ended = run.taskId !== undefined ? eventRun({ ...(run as Run), state }) : null;
      for (const ev of eventsOfOutcome(job, ended, state, o, now, this.settings.disableAfterFailures)) notices.push(...router.route(ev, job));
    }
    // the scheduler disabling a job is a change of it: recorded in its history, by no user
    const versions =
      o.job && o.job.disabled && !job.disabled
        ? [versionOf(job, o.job, { kind: 'disable', note: `disabled after ${o.job.errorsSinceLastSuccess} failures since its last success (DISABLE_AFTER_FAILURES)` }, now)]
        : [];
    return { jobs: o.job ? [o.job] : [], runs, counters: o.counters, touched: o.touched, notices, versions };
  }

  /** Whether the run may be launched again for free (and counts it); see FREE_RELAUNCHES. */
  private freeRelaunch(jobName: string, intended: Instant | null, attempt: number, args: string): boolean {
    const key = `${jobName}\u0000${intended}\u0000${attempt}\u0000${args}`;
    const used = this.relaunches.get(key) ?? 0;
    if (used >= FREE_RELAUNCHES) return false;
    // refusals are rare (offers rescinded under a master's --offer_timeout): bound the memory anyway
    if (this.relaunches.size >= 10_000) this.relaunches.clear();
    this.relaunches.set(key, used + 1);
    return true;
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
        } else if (run.state === 'SKIPPED') this.events.emit('run', { run, previous: null }); // a paused child
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
      created.length = 0; // run again after a deadlock
      await also(tx);
      for (const effects of all) {
        if (effects.jobs.length) await tx.jobs.apply({ update: effects.jobs });
        if (effects.versions?.length) await tx.versions.add(effects.versions);
        created.push(effects.runs.length ? await tx.runs.createMany(effects.runs) : []);
        for (const c of effects.counters) await tx.edges.set(c.child, c.parent, c.count);
      }
      const notices = all.flatMap((e) => e.notices);
      if (notices.length > 0 && this.settings.notify) await tx.notifications.add(notices, this.clock.now(), this.settings.notify.gatherMs);
    });
    return created;
  }

  isoUtc(t: Instant): string {
    return isoUtc(t);
  }
}
