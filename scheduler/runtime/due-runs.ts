/**
 * Due instants become runs: the timer armed for the earliest due instant (schedule index) or
 * retry (delayed runs), and the tick that creates the runs of every job due now (one insert for
 * all, idempotent by job and due instant) and releases due retries into the queue.
 *
 * A run the store refuses (its data) sets its job aside and the others are created; a database
 * outage puts the due instants back and tries again in a second, so it delays runs but never
 * loses them. A job past its epsilon gets a SKIPPED run and its schedule moves on, as a launch
 * would move it. So does an instant the job's overlap policy skips (Forbid, or Queue with a run
 * already waiting); under Replace the running run is killed and the new one waits for its end.
 *
 * With `prepareAheadMs` > 0 the timer fires that much before an instant, and an on-time instant whose
 * job has nothing in flight is made into its run then (prepared-runs.ts): stored, held until its
 * instant, released at it. Any other instant (a catch-up, a busy job) waits for its instant as
 * before (`later`).
 */
import { eventRun, skippedEvent } from '../core/notify-events';
import type { Demand } from '../core/offers-to-keep';
import { decideOverlap, effectivePolicy, type InflightRun, type OverlapDecision } from '../core/overlap-policy';
import { taskArguments } from '../core/taskid';
import type { Instant, Job, Run } from '../core/types';
import type { NewRun } from '../ports';
import { catchUpRuns } from './catch-up-runs';
import { commitIsolating, reasonOf } from './isolate';
import type { RunKills } from './run-kills';
import { OFFERS_AHEAD_MS, PreparedRuns } from './prepared-runs';
import type { IndexEntry } from './schedule-index';
import { launchAdvance, type JobSchedule } from './schedules';
import type { StepQueue } from './step-queue';
import type { WorkerContext } from './worker-context';

export class DueRuns {
  private cancelTimer: (() => void) | null = null;
  private timerAt: Instant | null = null;
  private tickQueued = false;
  running = false;
  readonly prepared: PreparedRuns;
  /** Instants popped ahead that cannot be prepared (see the file's comment): decided at their instant. */
  private later: IndexEntry[] = [];
  /** The instant of prepared runs for which offers were asked ahead (OFFERS_AHEAD_MS). */
  private offersAskedFor: Instant | null = null;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly steps: StepQueue,
    private readonly kills: RunKills,
  ) {
    this.prepared = new PreparedRuns(ctx);
  }

  stop(): void {
    this.running = false;
    this.prepared.clear();
    this.later = [];
    this.offersAskedFor = null;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = null;
  }

  /** Arms the timer for the earliest due instant or retry (1 ms after it: due means before now). */
  arm(): void {
    if (!this.running) return;
    const a = this.ctx.index.nextAt();
    const b = this.ctx.runs.nextDelayed();
    let next: number | undefined = a === undefined ? undefined : a - this.ctx.settings.prepareAheadMs;
    if (b !== undefined) next = next === undefined ? b : Math.min(next, b);
    for (const e of this.later) next = next === undefined ? e.due : Math.min(next, e.due);
    // prepared runs: offers are asked for OFFERS_AHEAD_MS before their instant (tick)
    const herd = this.prepared.nextDue();
    if (herd !== undefined && herd !== this.offersAskedFor) next = next === undefined ? herd - OFFERS_AHEAD_MS : Math.min(next, herd - OFFERS_AHEAD_MS);
    if (next === undefined) {
      this.cancelTimer?.();
      this.cancelTimer = null;
      this.timerAt = null;
      return;
    }
    if (this.timerAt === next && this.cancelTimer) return;
    this.cancelTimer?.();
    this.timerAt = next;
    const delay = Math.max(0, next + 1 - this.ctx.clock.now());
    this.cancelTimer = this.ctx.clock.setTimer(delay, () => {
      this.cancelTimer = null;
      this.timerAt = null;
      void this.steps.run(() => this.tick()).catch((e) => this.ctx.report('tick', String((e as Error)?.message ?? e)));
    });
  }

  /**
   * The immediate fast path: a job due now is handled without waiting for the timer, in one tick
   * shared by every job changed in this turn of the event loop (one insert, one commit).
   */
  tickIfDue(): void {
    const head = this.ctx.index.nextAt();
    if (head !== undefined && head < this.ctx.clock.now()) this.tickSoon();
  }

  /**
   * The instant of prepared runs due within OFFERS_AHEAD_MS of `now` (or already due, not yet
   * released), for which offers are asked for and kept; null when none.
   */
  herdSoon(now: Instant): Instant | null {
    const at = this.prepared.nextDue();
    return at !== undefined && at - OFFERS_AHEAD_MS <= now ? at : null;
  }

  /** What the prepared runs due by `at` ask for (the offers kept for them: core/offers-to-keep.ts). */
  herdNeed(at: Instant): Demand {
    return this.prepared.demandBy(at);
  }

  /** True when some job is due now (the caller, already in a step, ticks at once). */
  isDue(): boolean {
    const head = this.ctx.index.nextAt();
    return head !== undefined && head < this.ctx.clock.now();
  }

  /** Runs one tick after the current turn of the event loop (coalesces many requests). */
  private tickSoon(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    setImmediate(() => {
      void this.steps
        .run(async () => {
          this.tickQueued = false;
          await this.tick();
        })
        .catch((e) => this.ctx.report('tick', String((e as Error)?.message ?? e)));
    });
  }

  /** Creates the runs of every job due now and releases due retries into the queue. Runs in a step. */
  async tick(): Promise<void> {
    if (!this.running) return;
    const { ctx } = this;
    const now = ctx.clock.now();
    const creates: NewRun[] = [];
    const skipped: { job: Job; schedule: JobSchedule }[] = [];
    const replaced: { taskId: string; by: NewRun }[] = [];
    // prepared runs due now whose job changed meanwhile: withdrawn first, so their instants are decided below
    await this.prepared.withdraw(this.prepared.stale(now, (job, due) => this.overlapOf(job, due)), now);
    const popped = this.popDue(now);
    const preparing: { create: NewRun; job: Job }[] = [];
    for (const entry of popped) {
      const { due, name } = entry;
      const job = ctx.jobs.get(name);
      const schedule = ctx.index.scheduleOf(name);
      if (!job || !schedule || job.disabled || job.pause !== undefined) continue;
      if (due >= now) {
        // ahead of its instant (prepareAheadMs): prepared when nothing can change what the instant does
        if (!this.preparable(job, schedule, due)) {
          this.later.push(entry);
          continue;
        }
        try {
          const run = ctx.newRun(job, due, 0, taskArguments(job), 'schedule', due);
          creates.push(run);
          preparing.push({ create: run, job });
          ctx.index.await(job.name);
        } catch (e) {
          ctx.index.putAside(job.name, `its run due at ${ctx.isoUtc(due)} cannot be made: ${reasonOf(e)}`);
        }
        continue;
      }
      try {
        // catchUp none / all (core/catch-up.ts); latest and an on-time instant go on below
        const caught = catchUpRuns(ctx, job, schedule, now);
        if (caught) {
          creates.push(...caught.creates);
          if (caught.runs > 0) ctx.index.await(job.name);
          else skipped.push({ job, schedule });
          continue;
        }
        if (job.epsilon && schedule.epsilonMs !== null && now - due > schedule.epsilonMs) {
          creates.push(ctx.newRun(job, due, 0, taskArguments(job), 'schedule', now, 'SKIPPED', `skipped: ${now - due} ms late, past epsilon ${job.epsilon}`));
          skipped.push({ job, schedule });
          continue;
        }
        const trigger = schedule.immediate ? 'immediate' : 'schedule';
        const overlap = this.overlapOf(job, due);
        if (overlap.action === 'skip') {
          creates.push(ctx.newRun(job, due, 0, taskArguments(job), trigger, now, 'SKIPPED', overlap.message));
          skipped.push({ job, schedule });
          continue;
        }
        const run = ctx.newRun(job, due, 0, taskArguments(job), trigger, now);
        if (overlap.action === 'replace') for (const taskId of overlap.kill) replaced.push({ taskId, by: run });
        creates.push(run);
        ctx.index.await(job.name);
      } catch (e) {
        ctx.index.putAside(job.name, `its run due at ${ctx.isoUtc(due)} cannot be made: ${reasonOf(e)}`);
      }
    }
    if (creates.length > 0) await this.create(creates, skipped, popped, now);
    for (const { create, job } of preparing) if (ctx.runs.delayedRuns.has(create.taskId)) this.prepared.hold(create, job);
    if (replaced.length > 0) await this.replace(replaced);
    ctx.runs.releaseDue(now);
    ctx.emitQueue();
    const herd = this.herdSoon(now);
    if (herd !== null && herd !== this.offersAskedFor) {
      // runs prepared ahead come due soon: offers asked for now are kept until then (hasWork)
      this.offersAskedFor = herd;
      ctx.framework?.workArrived();
    } else if (ctx.runs.queue.size > 0) ctx.framework?.workArrived();
    this.arm();
  }

  /**
   * The index's entries due before `now` (and, with prepareAheadMs, those due before `now + aheadMs`), and
   * the instants popped ahead earlier that have come now (still live: their job did not change).
   */
  private popDue(now: Instant): IndexEntry[] {
    const popped = this.ctx.index.popDue(now + this.ctx.settings.prepareAheadMs);
    if (this.later.length === 0) return popped;
    const come = this.later.filter((e) => e.due < now);
    this.later = this.later.filter((e) => e.due >= now);
    return [...come.filter((e) => this.ctx.index.isLive(e)), ...popped];
  }

  /**
   * An instant ahead may be prepared when what the tick does at the instant cannot depend on what
   * happens until then: an on-time instant (catchUp latest: a missed instant is never ahead),
   * nothing of the job in flight (its overlap policy says start). A change until the instant
   * withdraws the run (prepared-runs.ts).
   */
  private preparable(job: Job, schedule: JobSchedule, due: Instant): boolean {
    return !schedule.immediate && (job.catchUp ?? 'latest') === 'latest' && this.overlapOf(job, due).action === 'start';
  }

  /**
   * What the job's overlap policy says of its instant `due` (core/overlap-policy.ts); a job with
   * nothing in flight starts without looking further.
   */
  private overlapOf(job: Job, due: Instant): OverlapDecision {
    const { runs } = this.ctx;
    if (!runs.inflightByJob.has(job.name)) return { action: 'start' };
    const policy = effectivePolicy(job);
    if (policy === 'Allow') return { action: 'start' };
    const inflight: InflightRun[] = [];
    for (const r of runs.inflightOf(job.name)) inflight.push({ taskId: r.taskId, due: r.due, killing: r.state === 'KILLING' });
    return decideOverlap({ policy, due, inflight, waiting: runs.activity(job.name).queued });
  }

  /** concurrencyPolicy Replace: the runs in flight whose replacement was stored are killed (run-kills.ts). */
  private async replace(items: { taskId: string; by: NewRun }[]): Promise<void> {
    await this.kills.replace(items.filter((i) => this.ctx.runs.holds(i.by.taskId)).map((i) => ({ taskId: i.taskId, by: i.by.due })));
  }

  private async create(creates: NewRun[], skipped: { job: Job; schedule: JobSchedule }[], popped: IndexEntry[], now: Instant): Promise<void> {
    const { ctx } = this;
    const created: Run[] = [];
    // One insert for all; a run the store refuses (its data) sets its job aside, the rest go on.
    const refused = (c: NewRun, e: unknown) => ctx.index.putAside(c.jobName, `its run due at ${ctx.isoUtc(c.due)} cannot be stored: ${reasonOf(e)}`);
    const putBack = (notStored: readonly NewRun[]) => {
      // Not stored (database down): put the due instants back and try again shortly, so a
      // database outage delays these runs but never loses them.
      const names = new Set(notStored.map((c) => c.jobName));
      ctx.index.pushBack(popped.filter((p) => names.has(p.name)));
      this.retryLater();
    };
    let stoppedBy: unknown = null;
    let committed: ReadonlySet<NewRun>;
    try {
      const r = await commitIsolating(creates, async (units) => void created.push(...(await this.createWithNotices(units, now))), refused);
      stoppedBy = r.stoppedBy;
      committed = new Set(r.committed);
      if (stoppedBy !== null) putBack(creates.filter((c) => !committed.has(c)));
    } catch (e) {
      putBack(creates);
      throw e;
    }
    for (const run of created) {
      ctx.events.emit('run', { run, previous: null });
      if (run.state === 'QUEUED') ctx.track(run, now);
    }
    // A run that already existed is either waiting to launch (a double tick, or loaded at start:
    // its launch advances the schedule), or launched: in flight or settled long ago. The same due
    // instant never runs twice, so a schedule still pointing at an instant that launched (the
    // same past start POSTed again; a leader that stopped before the round's schedules were
    // stored, launch-planner.ts) moves on without a run.
    const createdIds = new Set(created.map((r) => r.taskId));
    for (const c of creates) {
      if (c.state === 'SKIPPED' || createdIds.has(c.taskId) || !committed.has(c)) continue;
      if (ctx.runs.queue.has(c.taskId) || ctx.runs.delayedRuns.has(c.taskId)) continue;
      const job = ctx.jobs.get(c.jobName);
      const schedule = ctx.index.scheduleOf(c.jobName);
      ctx.index.launched(c.jobName);
      if (job && schedule && !skipped.some((s) => s.job.name === job.name)) skipped.push({ job, schedule });
      ctx.report('schedule', `job ${c.jobName}: due instant ${ctx.isoUtc(c.due)} already ran; moving its schedule on`);
    }
    const notStored = new Set(creates.filter((c) => !committed.has(c)).map((c) => c.jobName));
    const toAdvance = skipped.filter(({ job }) => !ctx.index.isAside(job.name) && !notStored.has(job.name));
    if (toAdvance.length > 0) {
      try {
        await this.advanceSkipped(toAdvance, now);
      } catch (e) {
        // the schedule did not advance: the same instant is due again and skipped again later
        for (const { job } of toAdvance) ctx.index.reindex(job, now);
        this.retryLater();
        // the runs created above are queued all the same: the framework must hear of them
        ctx.emitQueue();
        if (ctx.runs.queue.size > 0) ctx.framework?.workArrived();
        throw e;
      }
    }
    if (stoppedBy !== null) {
      ctx.emitQueue();
      if (ctx.runs.queue.size > 0) ctx.framework?.workArrived();
      throw stoppedBy;
    }
  }

  /**
   * Creates runs; a skipped one whose job's rules ask for it gets its notification stored in the
   * same transaction (core/notify-events.ts). Without such a job: one statement, as before.
   */
  private async createWithNotices(units: readonly NewRun[], now: Instant): Promise<Run[]> {
    const { ctx } = this;
    const router = ctx.settings.notify;
    const wants = (c: NewRun) => c.state === 'SKIPPED' && !!ctx.jobs.get(c.jobName)?.notifications?.rules?.some((r) => r.events.includes('skipped'));
    if (!router || !units.some(wants)) return ctx.store.runs.createMany([...units]);
    return ctx.store.transaction(async (tx) => {
      const rows = await tx.runs.createMany([...units]);
      const notices = rows.flatMap((run) => {
        const job = ctx.jobs.get(run.jobName);
        return job && run.state === 'SKIPPED' ? router.route(skippedEvent(job, eventRun(run), now), job) : [];
      });
      if (notices.length > 0) await tx.notifications.add(notices, now, router.gatherMs);
      return rows;
    });
  }

  /** After a failed tick: arm the timer again in a second (not at once, which would spin). */
  private retryLater(): void {
    this.cancelTimer?.();
    this.timerAt = null;
    this.cancelTimer = this.ctx.clock.setTimer(1_000, () => {
      this.cancelTimer = null;
      this.arm();
    });
  }

  /** A run skipped past its epsilon advances the schedule as a launch would (no run replayed). */
  private async advanceSkipped(items: { job: Job; schedule: JobSchedule }[], now: Instant): Promise<void> {
    const { ctx } = this;
    const puts: Job[] = [];
    for (const { job, schedule } of items) {
      try {
        const next = launchAdvance(schedule, now);
        puts.push({ ...job, schedule: next.expression });
      } catch (e) {
        ctx.index.putAside(job.name, `its schedule cannot advance past ${ctx.isoUtc(now)}: ${reasonOf(e)}`);
      }
    }
    if (puts.length === 0) return;
    await ctx.store.jobs.apply({ update: puts });
    for (const job of puts) {
      ctx.jobs.set(job.name, job);
      ctx.index.reindex(job, now);
    }
  }
}
