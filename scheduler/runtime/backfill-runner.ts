/**
 * The leader's backfill runner, beside the worker: it goes on with every open backfill (running,
 * paused, cancelling) as stored, so a new leader takes over where the last one stopped.
 *
 * A pass, per backfill: the runs of its running items are read (a run that ended settles its item;
 * a failed one followed by its retry at the same instant keeps it running), then
 * core/backfill-step.ts says what starts and what can no longer run; the starts go to the worker,
 * which creates their runs in the same transaction as it marks the items running
 * (Worker.launchBackfill). So an item is started once: a leader that dies before that commit
 * started nothing, and one that dies after it left the run for the next leader to follow. The
 * runner's store is the term's fenced store: a deposed leader's pass writes nothing.
 *
 * A cancelled backfill's running runs are killed ("killed: cancelled by backfill N"), those still
 * waiting for an offer settled SKIPPED; their items end cancelled.
 *
 * A pass runs after each backfill run ends, when the API changes a backfill (kick), and every
 * `pollMs` as a safety net.
 */
import { backfillStep, OPEN_BACKFILL_STATES } from '../core/backfill-step';
import type { BackfillItem } from '../core/backfill-plan';
import { formatTaskId } from '../core/taskid';
import { isTerminal } from '../core/types';
import type { BackfillItemChange, BackfillRecord, Clock, Store } from '../ports';
import type { EventBus } from './events';
import { reasonOf } from './isolate';
import type { BackfillLaunchResult, Worker } from './worker';

export interface BackfillRunnerOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  worker: Pick<Worker, 'launchBackfill' | 'cancelRuns'>;
  /** Period of the safety pass (ms). Default 2000. */
  pollMs?: number;
}

export class BackfillRunner {
  private stopped = true;
  private loop: Promise<void> | null = null;
  private again = false;
  private cancelTimer: () => void = () => {};
  private offRun: () => void = () => {};

  constructor(private readonly opts: BackfillRunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.offRun = this.opts.events.on('run', ({ run }) => {
      if (run.trigger === 'backfill' && isTerminal(run.state)) this.kick();
    });
    this.kick();
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer();
    this.offRun();
    await this.loop;
  }

  /** Goes on with every open backfill now (or right after the pass under way). */
  kick(): void {
    if (this.stopped) return;
    if (this.loop) {
      this.again = true;
      return;
    }
    this.loop = this.passes().finally(() => {
      this.loop = null;
    });
  }

  /** Resolves when no pass is under way (tests). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private arm(): void {
    if (this.stopped) return;
    this.cancelTimer = this.opts.clock.setTimer(this.opts.pollMs ?? 2000, () => {
      this.kick();
      this.arm();
    });
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        const open = await this.opts.store.backfills.list({ open: true, limit: 1000 });
        for (const b of open.reverse()) {
          if (this.stopped) return;
          await this.advance(b);
        }
      } catch (e) {
        this.opts.events.emit('error', { where: 'backfill', message: reasonOf(e) });
      }
    } while (this.again && !this.stopped);
  }

  private async advance(b: BackfillRecord): Promise<void> {
    const { store, clock } = this.opts;
    const now = clock.now();
    const items = await store.backfills.items(b.id);
    const changes: BackfillItemChange[] = [];
    for (const item of items) {
      if (item.state !== 'running' || item.taskId === null) continue;
      const change = await this.follow(item, b);
      if (change) changes.push(change);
    }
    const current = apply(items, changes);
    const step = backfillStep({ state: b.state, concurrency: b.concurrency, jobs: b.jobs, items: current });
    changes.push(...step.settle);
    if (changes.length > 0) await store.backfills.updateItems(b.id, changes, now);
    // cancelled: what runs is killed, what waits for an offer skipped (each pass while cancelling;
    // the worker sends a kill once)
    const kills = step.kill.map((seq) => current[seq].taskId).filter((t): t is string => t !== null);
    if (kills.length > 0) {
      await this.opts.worker.cancelRuns(kills.map((taskId) => ({ taskId, killed: `killed: cancelled by backfill ${b.id}`, skipped: `skipped: cancelled by backfill ${b.id} before it launched` })));
    }
    if (step.start.length > 0) {
      const starting = step.start.map((seq) => current[seq]);
      const results = await this.opts.worker.launchBackfill(
        starting.map((i) => ({ job: i.job, due: i.due, attempt: i.attempt })),
        (tx, rs) => tx.backfills.updateItems(b.id, starting.map((i, k) => started(i, rs[k])), now),
      );
      // an item that could not start (gone, already run) may free its children or its slot
      if (results.some((r) => !('created' in r) || !r.created)) this.again = true;
    }
    if (step.finished) {
      const to = b.state === 'cancelling' ? 'cancelled' : 'done';
      if (await store.backfills.setState(b.id, to, OPEN_BACKFILL_STATES, now)) this.opts.events.emit('backfill', { id: b.id, job: b.job, state: to });
    }
  }

  /** Where the run of a running item stands: null while it runs; its retries at the instant followed. */
  private async follow(item: BackfillItem, b: BackfillRecord): Promise<BackfillItemChange | null> {
    let taskId = item.taskId!;
    for (let hops = 0; hops < 1000; hops++) {
      const run = await this.opts.store.runs.getByTaskId(taskId);
      if (!run) return { seq: item.seq, state: 'failed', taskId, note: 'its run is gone (the job was deleted)' };
      if (!isTerminal(run.state)) return taskId === item.taskId ? null : { seq: item.seq, state: 'running', taskId };
      if (run.state === 'FINISHED') return { seq: item.seq, state: 'succeeded', taskId, note: null };
      if ((run.state === 'KILLED' || run.state === 'SKIPPED') && b.state === 'cancelling') return { seq: item.seq, state: 'cancelled', taskId, note: run.message ?? 'backfill cancelled' };
      const retryId = formatTaskId(run.due, run.attempt + 1, run.jobName, run.arguments);
      if (!(await this.opts.store.runs.getByTaskId(retryId))) {
        return { seq: item.seq, state: 'failed', taskId, note: `${run.state}${run.message ? `: ${run.message}` : ''}` };
      }
      taskId = retryId;
    }
    return null;
  }
}

function started(item: BackfillItem, r: BackfillLaunchResult): BackfillItemChange {
  if ('error' in r) return { seq: item.seq, state: 'failed', note: r.error };
  if (!r.created) return { seq: item.seq, state: 'skipped', taskId: r.taskId, note: 'already run' };
  return { seq: item.seq, state: 'running', taskId: r.taskId, note: null };
}

function apply(items: BackfillItem[], changes: BackfillItemChange[]): BackfillItem[] {
  const out = items.map((i) => ({ ...i }));
  for (const c of changes) {
    const i = out[c.seq];
    i.state = c.state;
    if (c.taskId !== undefined) i.taskId = c.taskId;
    if (c.note !== undefined) i.note = c.note;
  }
  return out;
}
