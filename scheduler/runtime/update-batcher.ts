/**
 * Status updates from Mesos, stored in batches: those handed over while the previous batch is
 * being stored (or in the same turn of the event loop) are decided against the state the earlier
 * ones leave and stored together in one transaction, in arrival order, up to UPDATE_BATCH_MAX at a
 * time. Each caller's promise settles after that commit, so the framework acknowledges an update
 * only once it is stored; a failed commit leaves memory as it was.
 *
 * One bad update never holds back the others: a batch the store refuses for the data of one
 * update is split until that update is alone, which is then stored without its effects on the
 * job (its state, and a note saying so).
 */
import type { CounterSnapshot } from '../core/dag';
import { jobFieldChange, type JobFieldChange } from '../core/job-field-change';
import type { NewJobVersion } from '../core/job-version';
import { storableText } from '../core/text';
import type { OutboxEntry } from '../core/notify-route';
import type { Job, Run, RunState } from '../core/types';
import { isTerminal } from '../core/types';
import { RUN_EVENTS_KEPT, type NewRun, type RunEvent, type RunPatch, type TaskUpdate } from '../ports';
import type { RunKills } from './run-kills';
import { statusEvent } from './run-events';
import { isItemError, reasonOf } from './isolate';
import type { StepQueue } from './step-queue';
import type { Effects, WorkerContext } from './worker-context';

/** Most status updates persisted in one transaction. */
const UPDATE_BATCH_MAX = 2000;

/**
 * How long the first update of a batch waits for others under a stream of updates (a batch full
 * already goes at once; after a quiet spell an update goes at once: scheduleFlush).
 */
const UPDATE_GATHER_MS = 20;

/** Uuids remembered per unsettled run (an agent resends the oldest unacknowledged update of a task). */
const STORED_UUIDS_KEPT = 4;

/** A status update waiting to be stored, with its caller's promise. */
interface PendingUpdate {
  update: TaskUpdate;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Maps a Mesos TaskState name to a run state (partition states collapse to LOST or stay). */
export function runStateOf(mesosState: string): RunState | null {
  switch (mesosState) {
    case 'TASK_STAGING':
      return 'STAGING';
    case 'TASK_STARTING':
      return 'STARTING';
    case 'TASK_RUNNING':
      return 'RUNNING';
    case 'TASK_KILLING':
      return 'KILLING';
    case 'TASK_FINISHED':
      return 'FINISHED';
    case 'TASK_FAILED':
      return 'FAILED';
    case 'TASK_KILLED':
      return 'KILLED';
    case 'TASK_ERROR':
      return 'ERROR';
    case 'TASK_DROPPED':
      return 'DROPPED';
    case 'TASK_LOST':
    case 'TASK_GONE':
    case 'TASK_GONE_BY_OPERATOR':
    case 'TASK_UNKNOWN':
      return 'LOST';
    case 'TASK_UNREACHABLE':
      return null; // may come back: keep the run as it is
    default:
      return null;
  }
}

export class UpdateBatcher {
  private pending: PendingUpdate[] = [];
  private flushQueued = false;
  /** Batches queued as steps or being stored. */
  private storing = 0;
  /** When the last batch was stored (the worker's clock): updates within UPDATE_GATHER_MS are a stream. */
  private lastStoredAt = Number.NEGATIVE_INFINITY;
  /** Started runs the master called TASK_UNKNOWN: the timer that settles them LOST (see awaitAgent). */
  private unknown = new Map<string, () => void>();
  /** Runs whose grace is over: their next TASK_UNKNOWN settles them. */
  private graceOver = new Set<string>();
  /**
   * Events stored per unsettled run by this worker: a run is named for the store's trim only once
   * it nears RUN_EVENTS_KEPT (counted from this worker's start, so a run never holds more than
   * twice the bound across a restart).
   */
  private eventCounts = new Map<string, number>();
  /**
   * The uuids of the last updates stored per unsettled run (at most STORED_UUIDS_KEPT): Mesos sends
   * an update again while its ACK has not arrived (10 s, and an offer round of 40,000 tasks can hold
   * the ACKs longer), and a copy of one already stored changes nothing and is not a second event.
   */
  private storedUuids = new Map<string, string[]>();

  constructor(
    private readonly ctx: WorkerContext,
    private readonly steps: StepQueue,
    private readonly kills?: RunKills,
  ) {}

  /**
   * Persists an update and everything it causes; resolves only when all of it is stored.
   *
   * Updates are batched: those handed over while the previous batch is being stored (or in the
   * same turn of the event loop) are persisted together in one transaction, in arrival order, up
   * to UPDATE_BATCH_MAX at a time. Each caller's promise settles after that commit, so the
   * framework still acknowledges an update only once it is stored; if the transaction fails,
   * every update of the batch is rejected and memory is left as it was.
   */
  /** Cancels the grace timers (the worker stops). */
  stop(): void {
    for (const cancel of this.unknown.values()) cancel();
    this.unknown.clear();
  }

  /**
   * A started run the master calls TASK_UNKNOWN (REASON_RECONCILIATION after a master failover:
   * its agent has not re-registered yet) is kept as it is, as TASK_UNREACHABLE is: the agent
   * usually comes back and reports the task, and settling it now would launch it a second time.
   * If nothing else is heard of the task within `unknownGraceMs`, the update is applied: LOST.
   */
  private awaitAgent(update: TaskUpdate): void {
    if (this.unknown.has(update.taskId)) return;
    const grace = this.ctx.settings.unknownGraceMs;
    const cancel = this.ctx.clock.setTimer(grace, () => {
      this.unknown.delete(update.taskId);
      this.graceOver.add(update.taskId);
      const message = `unknown to the Mesos master for ${Math.round(grace / 1000)} s (its agent did not re-register)${update.message ? `: ${update.message}` : ''}`;
      this.add({ ...update, uuid: undefined, message }).then(
        () => this.graceOver.delete(update.taskId),
        () => this.graceOver.delete(update.taskId),
      );
    });
    this.unknown.set(update.taskId, cancel);
  }

  add(update: TaskUpdate): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ update, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Under a stream of updates (a batch queued or being stored, or the last one stored less than
    // UPDATE_GATHER_MS ago), every update of the stream chunk being decoded joins this batch, and
    // those that come within UPDATE_GATHER_MS: a short task's RUNNING and FINISHED then share the
    // batch, its run one row update (RunStore.updateMany merges a run's patches) and its job one
    // field change. After a quiet spell an update goes at once, with the others of its turn only:
    // a lone update does not wait for company that is not coming.
    const streaming = this.storing > 0 || this.ctx.clock.now() - this.lastStoredAt < UPDATE_GATHER_MS;
    const flush = () => {
      this.storing++;
      void this.steps.run(async () => {
        try {
          this.flushQueued = false;
          const batch = this.pending.splice(0, UPDATE_BATCH_MAX);
          if (this.pending.length > 0) this.scheduleFlush();
          if (batch.length === 0) return;
          await this.flushUpdates(batch);
        } finally {
          this.storing--;
          this.lastStoredAt = this.ctx.clock.now();
        }
      });
    };
    if (this.pending.length >= UPDATE_BATCH_MAX || !streaming) setImmediate(flush);
    else setTimeout(flush, UPDATE_GATHER_MS);
  }

  /**
   * Stores a batch of updates; each caller's promise settles with its own outcome. When the store
   * refuses the data of one update (StoreDataError), the batch is split in halves until that
   * update is alone: it is then stored without its effects on the job (its state, and a note that
   * its bookkeeping failed), so it is acknowledged and never holds back the others. Any other
   * failure (database down) rejects the batch: nothing is acknowledged, Mesos sends them again.
   */
  private async flushUpdates(batch: PendingUpdate[], bookkeeping = true): Promise<void> {
    try {
      await this.handleUpdates(batch.map((b) => b.update), bookkeeping);
    } catch (e) {
      if (!isItemError(e)) {
        for (const b of batch) b.reject(e);
        return;
      }
      if (batch.length > 1) {
        const mid = batch.length >> 1;
        await this.flushUpdates(batch.slice(0, mid), bookkeeping);
        await this.flushUpdates(batch.slice(mid), bookkeeping);
        return;
      }
      if (bookkeeping) {
        this.ctx.events.emit('error', { where: 'update', message: `update ${batch[0].update.state} of ${batch[0].update.taskId}: its effects cannot be stored (${reasonOf(e)}); storing its state alone` });
        await this.flushUpdates(batch, false);
        return;
      }
      this.ctx.events.emit('error', { where: 'update', message: `update ${batch[0].update.state} of ${batch[0].update.taskId} cannot be stored: ${reasonOf(e)}` });
      batch[0].reject(e);
      return;
    }
    // concurrencyPolicy Replace on stored state: a run heard of whose replacement waits is killed
    // (a kill the previous leader stored the reason for but never sent, too)
    try {
      await this.kills?.check(batch.map((b) => b.update.taskId));
    } catch (e) {
      this.ctx.report('kill', `concurrencyPolicy Replace check: ${reasonOf(e)}`);
    }
    for (const b of batch) b.resolve();
  }

  /** `bookkeeping` false: only the runs' states, no retries, counters or children (see flushUpdates). */
  private async handleUpdates(updates: TaskUpdate[], bookkeeping = true): Promise<void> {
    const now = this.ctx.clock.now();
    // Runs the worker does not track (settled, or from before a restart): one read for all.
    const unknown = new Set<string>();
    for (const u of updates) if (runStateOf(u.state) && !this.ctx.runs.inflight.has(u.taskId)) unknown.add(u.taskId);
    const loaded = new Map<string, Run>();
    if (unknown.size > 0) for (const r of await this.ctx.store.runs.getByTaskIds([...unknown])) loaded.set(r.taskId, r);

    // Decide every update against the state the earlier ones of this batch leave (an overlay:
    // memory proper changes only after the commit).
    const runsNow = new Map<string, Run>();
    const jobsNow = new Map<string, Job>();
    const jobOf = (name: string) => jobsNow.get(name) ?? this.ctx.jobs.get(name);
    // counters the batch moves ahead of its commit, as they were: put back before memory proper
    // changes (or when the commit fails)
    const graphBefore: CounterSnapshot = new Map();
    const patches: { taskId: string; patch: RunPatch }[] = [];
    const jobPuts = new Map<string, Job>();
    const newRuns: NewRun[] = [];
    const notices: OutboxEntry[] = [];
    const versions: NewJobVersion[] = [];
    const counters = new Map<string, { child: string; parent: string; count: number }>();
    const edgeResets: { child: string; parent: string }[] = [];
    const steps: Array<{ run: Run; next: Run; graphState: RunState | null; effects: Effects | null }> = [];
    // every update of a run that is not settled joins its timeline, those that change nothing too,
    // but for the master's answers to reconciliation that only confirm the state (each running run,
    // every reconciliation round: a write where there was none)
    const events: RunEvent[] = [];
    // updates with a uuid this batch stores, by run (a copy later in the batch is the same update)
    const uuids = new Map<string, string[]>();

    for (const update of updates) {
      if (update.uuid) {
        // sent again before its ACK: stored already, or with this batch (then ACKed after its commit)
        const seen = uuids.get(update.taskId) ?? [];
        if (seen.includes(update.uuid) || this.storedUuids.get(update.taskId)?.includes(update.uuid)) continue;
        uuids.set(update.taskId, [...seen, update.uuid]);
      }
      const state = runStateOf(update.state);
      const run = runsNow.get(update.taskId) ?? this.ctx.runs.inflight.get(update.taskId) ?? loaded.get(update.taskId) ?? null;
      if (!run || isTerminal(run.state)) continue; // unknown or already settled: nothing to do
      if (!(update.reason === 'REASON_RECONCILIATION' && state === run.state)) events.push(statusEvent(update, now));
      if (!state) continue;
      if (update.state === 'TASK_UNKNOWN' && run.startedAt !== null && !this.graceOver.has(update.taskId)) {
        this.awaitAgent(update);
        continue;
      }
      if (update.state !== 'TASK_UNKNOWN') {
        this.unknown.get(update.taskId)?.();
        this.unknown.delete(update.taskId);
      }
      const job = jobOf(run.jobName);
      if (run.state === state && !isTerminal(state)) continue;

      const patch: RunPatch = { state };
      // text from the agent, kept as it came where it can be stored
      if (update.message) patch.message = storableText(update.message);
      // a run killed for a reason of ours (concurrencyPolicy Replace) keeps the reason first
      if (state === 'KILLED' && run.message?.startsWith('killed: ')) patch.message = storableText(update.message ? `${run.message}; ${update.message}` : run.message);
      if (update.reason) patch.reason = storableText(update.reason);
      if (update.agentId) patch.agentId = storableText(update.agentId);
      if ((state === 'RUNNING' || state === 'STARTING') && !run.startedAt) patch.startedAt = now;
      if (isTerminal(state)) patch.finishedAt = now;

      // Chronos 2.x async jobs: the process ending is not the job ending.
      if (state === 'FINISHED' && job?.async) {
        patch.state = 'RUNNING';
        patch.finishedAt = undefined;
        patch.message = 'process finished; waiting for the task to report completion';
      }

      let effects: Effects | null = null;
      if (patch.state && isTerminal(patch.state) && job) {
        if (!bookkeeping) {
          patch.message = `${patch.message ? `${patch.message}; ` : ''}not counted: the job's bookkeeping for this run could not be stored`;
        } else {
          try {
            effects = this.ctx.outcome(job, { ...run, ...patch } as Run, patch.state, now, jobOf);
          } catch (e) {
            // this run alone: its state is kept, its job's counters, retry and children are not
            this.ctx.events.emit('error', { where: 'update', message: `job ${job.name}: the outcome of ${run.taskId} cannot be decided: ${reasonOf(e)}` });
            patch.message = storableText(`${patch.message ? `${patch.message}; ` : ''}not counted: ${reasonOf(e)}`);
          }
        }
      }
      let graphState: RunState | null = null;
      if (effects) {
        // later updates of this batch see these effects (restored below if the commit fails)
        this.ctx.graph.saveCounters(effects.touched, graphBefore);
        this.ctx.applyCounters(effects);
        for (const j of effects.jobs) {
          jobsNow.set(j.name, j);
          jobPuts.set(j.name, j);
        }
        newRuns.push(...effects.runs);
        notices.push(...effects.notices);
        versions.push(...(effects.versions ?? []));
        for (const c of effects.counters) counters.set(`${c.child}\u0000${c.parent}`, c);
      } else if (bookkeeping && (state === 'STAGING' || state === 'STARTING' || state === 'RUNNING') && job?.parents) {
        for (const p of job.parents) {
          edgeResets.push({ child: job.name, parent: p });
          counters.delete(`${job.name}\u0000${p}`);
        }
        graphState = state;
        // later outcomes of this batch see the reset too (restored below like the effects)
        this.ctx.graph.saveCounters([job.name], graphBefore);
        this.ctx.graph.onTaskState(job.name, state);
      }
      const next: Run = { ...run, ...patch } as Run;
      runsNow.set(next.taskId, next);
      patches.push({ taskId: run.taskId, patch });
      steps.push({ run, next, graphState, effects });
    }
    if (patches.length === 0 && events.length === 0) {
      this.ctx.graph.restoreCounters(graphBefore);
      return;
    }

    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.taskId, (counts.get(e.taskId) ?? this.eventCounts.get(e.taskId) ?? 0) + 1);
    const trim = [...counts].filter(([, n]) => n >= RUN_EVENTS_KEPT).map(([taskId]) => taskId);

    // the jobs' bookkeeping as field changes (the counters, last success or error): the rest of
    // each row stays as stored, a fraction of the whole job's JSON per ended run
    const jobChanges: JobFieldChange[] = [];
    const jobWholes: Job[] = [];
    for (const put of jobPuts.values()) {
      const before = this.ctx.jobs.get(put.name);
      if (!before) jobWholes.push(put);
      else {
        const change = jobFieldChange(before, put);
        if (change) jobChanges.push(change);
      }
    }

    let created: Run[] = [];
    // The usual batch (states, events, counters) is one RunStore.record: one statement, one round
    // trip; a batch that also trims a timeline, creates runs or writes more is one transaction.
    const recorded = { updates: patches, events: trim.length === 0 ? events : [], jobs: jobChanges };
    const more = trim.length > 0 || jobWholes.length > 0 || versions.length > 0 || newRuns.length > 0 || edgeResets.length > 0 || counters.size > 0 || notices.length > 0;
    try {
      if (!more) await this.ctx.store.runs.record(recorded);
      else await this.ctx.store.transaction(async (tx) => {
        await tx.runs.record(recorded);
        if (trim.length > 0) await tx.runs.addEvents(events, trim);
        if (jobWholes.length > 0) await tx.jobs.apply({ update: jobWholes });
        if (versions.length > 0) await tx.versions.add(versions);
        if (newRuns.length > 0) created = await tx.runs.createMany(newRuns);
        for (const e of edgeResets) await tx.edges.set(e.child, e.parent, 0);
        for (const c of counters.values()) await tx.edges.set(c.child, c.parent, c.count);
        if (notices.length > 0) await tx.notifications.add(notices, now, this.ctx.settings.notify?.gatherMs ?? 0);
      });
    } catch (e) {
      this.ctx.graph.restoreCounters(graphBefore);
      throw e;
    }

    // Stored: now change memory, in arrival order.
    for (const [taskId, n] of counts) this.eventCounts.set(taskId, n);
    for (const [taskId, list] of uuids) {
      if (!this.ctx.runs.inflight.has(taskId) && !runsNow.has(taskId)) continue; // settled or unknown: nothing to remember
      this.storedUuids.set(taskId, [...(this.storedUuids.get(taskId) ?? []), ...list].slice(-STORED_UUIDS_KEPT));
    }
    for (const { next } of steps) {
      if (!isTerminal(next.state)) continue;
      this.eventCounts.delete(next.taskId);
      this.storedUuids.delete(next.taskId);
    }
    this.ctx.graph.restoreCounters(graphBefore);
    const createdByTask = new Map(created.map((r) => [r.taskId, r]));
    for (const { run, next, graphState, effects } of steps) {
      if (graphState) this.ctx.graph.onTaskState(next.jobName, graphState);
      if (isTerminal(next.state)) this.ctx.runs.untrackInflight(run);
      else this.ctx.runs.inflight.set(next.taskId, next);
      this.ctx.events.emit('run', { run: next, previous: run.state });
      if (effects) this.ctx.applyEffects(effects, now, effects.runs.map((nr) => createdByTask.get(nr.taskId)).filter((r): r is Run => !!r));
    }
  }
}
