/**
 * The leader's watch for runs still running past their limit (core/notify-long-run.ts). Every
 * `pollMs` it looks at the worker's running runs and jobs (in memory: no query), works out each
 * job's limit (its maxCompletionTime, or a multiple of the p95 of its successful runs, read once
 * and again when the job has had another success; not read at all for a run younger than any limit
 * can be, core longRunFloorMs) and puts a `still-running`
 * event of each run past it into the outbox. Once per run, durably: the outbox is asked in the same
 * transaction whether the run already has one (a restart or the next leader does not repeat it).
 *
 * It runs on its own timer, never in the worker's step queue: launches and status updates never
 * wait for it. A round that fails is reported and tried again on the next tick.
 */
import { eventRun } from '../core/notify-events';
import { longRunFloorMs, longRunLimit, stillRunningEvent, type LongRunLimit, type LongRunSettings } from '../core/notify-long-run';
import type { NotifyRouter } from '../core/notify-route';
import type { Instant, Job, Run } from '../core/types';
import type { Clock, Store } from '../ports';
import type { EventBus } from './events';
import { reasonOf } from './isolate';

export interface LongRunWatchSettings extends LongRunSettings {
  /** How often the running runs are checked. */
  pollMs: number;
}

export const LONG_RUN_POLL_MS = 5_000;
/** Successful runs read for a job's p95. */
const SAMPLE = 100;
/** How long a job's limit is reused at most (a success reads its durations again anyway). */
const LIMIT_TTL_MS = 600_000;

/** What the watch reads of the worker (scheduler/runtime/worker.ts): its own state, no query. */
export interface RunningSource {
  /** Runs launched and not yet terminal. */
  inflightRuns(): Run[];
  /** Every job; null until the worker has loaded. */
  jobsView(): ReadonlyMap<string, Job> | null;
}

export interface LongRunWatchOptions {
  worker: RunningSource;
  /** Durations of past runs, and the outbox. */
  store: Store;
  clock: Clock;
  events: EventBus;
  router: NotifyRouter;
  settings: LongRunWatchSettings;
}

export class LongRunWatch {
  private cancel: (() => void) | null = null;
  private running = false;
  private round: Promise<number> | null = null;
  /** Runs whose event is in the outbox (this term's knowledge; the outbox is the durable one). */
  private readonly notified = new Set<string>();
  private readonly limits = new Map<string, { at: Instant; successes: number; mct: number; limit: LongRunLimit | null }>();

  constructor(private readonly opts: LongRunWatchOptions) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = null;
  }

  /** One check now (tests; also what the timer runs). Resolves with the number of events stored. */
  checkNow(): Promise<number> {
    this.round ??= this.check().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.cancel = this.opts.clock.setTimer(ms, () => {
      this.cancel = null;
      void this.checkNow()
        .catch((e) => this.opts.events.emit('error', { where: 'notify', message: `checking for runs still running: ${reasonOf(e)}; trying again` }))
        .finally(() => this.schedule(this.opts.settings.pollMs));
    });
  }

  private async limitOf(job: Job, now: Instant): Promise<LongRunLimit | null> {
    // reused until the job has had another success, or changed its maxCompletionTime, or 10 min
    const cached = this.limits.get(job.name);
    if (cached && now - cached.at < LIMIT_TTL_MS && cached.successes === job.successCount && cached.mct === job.maxCompletionTime) return cached.limit;
    const durations = await this.opts.store.runs.durations(job.name, SAMPLE, ['FINISHED']);
    const limit = longRunLimit(job, durations, this.opts.settings);
    this.limits.set(job.name, { at: now, successes: job.successCount, mct: job.maxCompletionTime, limit });
    return limit;
  }

  private async check(): Promise<number> {
    const { store, clock, router, worker } = this.opts;
    const now = clock.now();
    const jobs = worker.jobsView();
    if (!jobs) return 0;
    const running = worker.inflightRuns().filter((r) => r.state === 'RUNNING' && r.startedAt !== null);
    const live = new Set(running.map((r) => r.taskId));
    for (const id of this.notified) if (!live.has(id)) this.notified.delete(id);
    const found: Array<{ job: Job; event: NonNullable<ReturnType<typeof stillRunningEvent>> }> = [];
    // a run younger than the shortest possible limit cannot be past its own: no read for its job
    const floor = longRunFloorMs(this.opts.settings);
    for (const run of running) {
      if (this.notified.has(run.taskId) || now - run.startedAt! <= floor) continue;
      const job = jobs.get(run.jobName);
      if (!job) continue;
      const event = stillRunningEvent(job, eventRun(run), await this.limitOf(job, now), now);
      if (event) found.push({ job, event });
    }
    if (found.length === 0) return 0;
    const ids = found.map((f) => f.event.run!.taskId);
    const stored = await store.transaction(async (tx) => {
      const done = await tx.notifications.notifiedRuns('still-running', ids);
      const fresh = found.filter((f) => !done.has(f.event.run!.taskId));
      const entries = fresh.flatMap((f) => router.route(f.event, f.job));
      await tx.notifications.add(entries, now, router.gatherMs);
      done.forEach((id) => this.notified.add(id));
      // a run whose job's rules send this event nowhere is looked at again (its rules may change)
      for (const f of fresh) if (entries.some((e) => e.event === f.event)) this.notified.add(f.event.run!.taskId);
      return entries.length;
    });
    return stored;
  }
}
