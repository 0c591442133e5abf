/**
 * Kills for a reason of ours: each killed run gets the reason as its message first (a message that
 * cannot be stored does not hold back the kill; update-batcher.ts keeps it first on KILLED), and a
 * kill is sent once per run and worker. Two reasons:
 *
 * A cancelled backfill kills its running runs and settles its queued ones SKIPPED
 * (backfill-runner.ts, core/backfill-step.ts).
 *
 * concurrencyPolicy Replace: the tick kills the runs in flight once their replacement is
 * stored (due-runs.ts), and, because a leader may die between storing the replacement and sending
 * the kill, every status update of a run in flight (the reconciliation answers after a takeover
 * first of all) checks the rule again on stored state (core/overlap-policy.ts supersededRuns): a
 * run whose replacement waits is killed by whichever worker learns of it.
 */
import { effectivePolicy, supersededRuns, type LaunchedRun, type WaitingRun } from '../core/overlap-policy';
import type { Instant, Run } from '../core/types';
import { isTerminal } from '../core/types';
import { reasonOf } from './isolate';
import type { WorkerContext } from './worker-context';

export class RunKills {
  /** Runs this worker sent a kill for (a run is killed once; forgotten when it ends). */
  private readonly sent = new Set<string>();

  constructor(private readonly ctx: WorkerContext) {}

  /** Kills each run in flight, naming the run due at `by` that replaces it. */
  replace(items: readonly { taskId: string; by: Instant }[]): Promise<void> {
    return this.kill(items.map((i) => ({ taskId: i.taskId, message: `killed: replaced by the run due at ${this.ctx.isoUtc(i.by)} (concurrencyPolicy Replace)` })));
  }

  /**
   * Stops each run for good: one in flight is killed (`killed`, see kill), one queued or waiting
   * for its instant is settled SKIPPED with `skipped` and leaves the queue (it would otherwise
   * launch, or wait forever for an offer).
   */
  async cancel(items: readonly { taskId: string; killed: string; skipped: string }[]): Promise<void> {
    const { ctx } = this;
    const waiting = items.flatMap((i) => {
      const run = ctx.runs.queue.get(i.taskId) ?? ctx.runs.delayedRuns.get(i.taskId);
      return run ? [{ run, message: i.skipped }] : [];
    });
    if (waiting.length > 0) {
      const now = ctx.clock.now();
      // stored first: a failure leaves them queued, and the caller's next pass tries again
      await ctx.store.runs.updateMany(waiting.map(({ run, message }) => ({ taskId: run.taskId, patch: { state: 'SKIPPED', finishedAt: now, message } })));
      for (const { run, message } of waiting) {
        ctx.runs.queue.delete(run.taskId);
        ctx.runs.delayedRuns.delete(run.taskId);
        ctx.events.emit('run', { run: { ...run, state: 'SKIPPED', finishedAt: now, message }, previous: run.state });
      }
      ctx.emitQueue();
    }
    await this.kill(items.map((i) => ({ taskId: i.taskId, message: i.killed })));
  }

  /** Kills each run in flight (others are left alone), its message (starting "killed: ") stored first. */
  async kill(items: readonly { taskId: string; message: string }[]): Promise<void> {
    const { ctx } = this;
    const held = items
      .filter((i) => !this.sent.has(i.taskId))
      .map((i) => ({ ...i, run: ctx.runs.inflight.get(i.taskId) }))
      .filter((i): i is { taskId: string; message: string; run: Run } => !!i.run);
    if (held.length === 0) return;
    try {
      await ctx.store.runs.updateMany(held.map(({ taskId, message }) => ({ taskId, patch: { message } })));
    } catch (e) {
      ctx.report('kill', `could not record why ${held.length} run(s) are killed: ${reasonOf(e)}`);
    }
    for (const { taskId, message, run } of held) {
      const next: Run = { ...run, message };
      ctx.runs.inflight.set(taskId, next);
      ctx.events.emit('run', { run: next, previous: run.state });
      this.sent.add(taskId);
      ctx.framework?.kill(taskId, run.agentId, ctx.settings.killGraceMs).catch((e: unknown) => ctx.report('kill', `run ${taskId}: ${reasonOf(e)}`));
    }
  }

  /**
   * The runs named were just heard of (a status update, a reconciliation answer): those still in
   * flight whose job is under Replace and has a replacement waiting are killed.
   */
  async check(taskIds: Iterable<string>): Promise<void> {
    const { ctx } = this;
    const byJob = new Map<string, LaunchedRun[]>();
    for (const taskId of taskIds) {
      const run = ctx.runs.inflight.get(taskId);
      if (!run || isTerminal(run.state)) {
        this.sent.delete(taskId);
        continue;
      }
      if (this.sent.has(taskId)) continue;
      const job = ctx.jobs.get(run.jobName);
      if (!job || effectivePolicy(job) !== 'Replace') continue;
      const list = byJob.get(run.jobName) ?? [];
      list.push({ taskId, due: run.due, killing: run.state === 'KILLING', launchedAt: run.launchedAt });
      byJob.set(run.jobName, list);
    }
    if (byJob.size === 0) return;
    const waiting = new Map<string, WaitingRun[]>();
    for (const r of [...ctx.runs.queue.values(), ...ctx.runs.delayedRuns.values()]) {
      if (!byJob.has(r.jobName)) continue;
      const list = waiting.get(r.jobName) ?? [];
      list.push({ due: r.due, queuedAt: r.queuedAt, trigger: r.trigger });
      waiting.set(r.jobName, list);
    }
    const kills = [...byJob].flatMap(([name, inflight]) => supersededRuns('Replace', inflight, waiting.get(name) ?? []));
    if (kills.length > 0) await this.replace(kills);
  }
}
