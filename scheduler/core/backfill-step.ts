/**
 * How a backfill goes on (scheduler/runtime/backfill-runner.ts applies it): given its items as they
 * stand, which to start now and which can no longer run. Pure.
 *
 * - Within an instant a job starts once each of its parents in the backfill has succeeded (or was
 *   skipped as already run); when a parent failed, was blocked or cancelled, the job is blocked.
 * - An instant is in progress while one of its items runs. At most `concurrency` instants are in
 *   progress at once, so never more than `concurrency` roots run at once; a free slot goes to the
 *   oldest instant that can start.
 * - Paused: nothing new starts (what runs goes on). Cancelling: every pending item is cancelled
 *   and every running one is to be killed (its run's message says the backfill cancelled it).
 * - Done: no item pending or running.
 */
import type { BackfillItem, BackfillItemState, BackfillJob } from './backfill-plan';

/**
 * running → paused ↔ running; running or paused → cancelling (pending items cancelled) → cancelled
 * once nothing runs; running or paused → done once nothing is pending or running.
 */
export type BackfillState = 'running' | 'paused' | 'cancelling' | 'cancelled' | 'done';

/** States the runner goes on with. */
export const OPEN_BACKFILL_STATES: readonly BackfillState[] = ['running', 'paused', 'cancelling'];

export interface BackfillStepInput {
  state: BackfillState;
  concurrency: number;
  jobs: readonly BackfillJob[];
  items: readonly BackfillItem[];
}

export interface BackfillSettle {
  seq: number;
  state: BackfillItemState;
  note: string | null;
}

export interface BackfillStep {
  /** Items to start now (their runs to create), in item order. */
  start: number[];
  /** Pending items that will not run (blocked by a parent, or cancelled). */
  settle: BackfillSettle[];
  /** Running items whose runs are to be killed (the backfill is cancelled), in item order. */
  kill: number[];
  /** True when, after this step, nothing is pending or running. */
  finished: boolean;
}

const SATISFIED: ReadonlySet<BackfillItemState> = new Set(['succeeded', 'skipped']);
const NOT_RUN: ReadonlySet<BackfillItemState> = new Set(['failed', 'blocked', 'cancelled']);

export function backfillStep(input: BackfillStepInput): BackfillStep {
  const parentsOf = new Map(input.jobs.map((j) => [j.name, j.parents]));
  const start: number[] = [];
  const settle: BackfillSettle[] = [];
  const kill: number[] = [];
  const cancelled = input.state === 'cancelling' || input.state === 'cancelled';
  const byInstant = new Map<number, BackfillItem[]>();
  for (const item of [...input.items].sort((a, b) => a.seq - b.seq)) {
    const list = byInstant.get(item.due);
    if (list) list.push(item);
    else byInstant.set(item.due, [item]);
  }
  const instants = [...byInstant.keys()].sort((a, b) => a - b);
  let open = false;
  let inProgress = 0;
  const ready = new Map<number, number[]>();
  for (const due of instants) {
    const state = new Map<string, BackfillItemState>();
    const seqs: number[] = [];
    let running = false;
    // items are parents first within an instant: one pass sees each parent's state before its child
    for (const item of byInstant.get(due)!) {
      let s = item.state;
      if (s === 'running' && cancelled) kill.push(item.seq);
      if (s === 'pending' && cancelled) {
        s = 'cancelled';
        settle.push({ seq: item.seq, state: s, note: 'backfill cancelled' });
      } else if (s === 'pending') {
        const parents = parentsOf.get(item.job) ?? [];
        const gone = parents.find((p) => NOT_RUN.has(state.get(p) ?? 'pending'));
        if (gone !== undefined) {
          s = 'blocked';
          settle.push({ seq: item.seq, state: s, note: `${gone} did not succeed at this instant` });
        } else if (parents.every((p) => SATISFIED.has(state.get(p) ?? 'pending'))) seqs.push(item.seq);
      }
      if (s === 'running') running = true;
      if (s === 'pending' || s === 'running') open = true;
      state.set(item.job, s);
    }
    if (running) inProgress += 1;
    if (seqs.length > 0) ready.set(due, seqs);
    if (running && input.state === 'running') {
      start.push(...seqs);
      ready.delete(due);
    }
  }
  if (input.state === 'running') {
    let free = input.concurrency - inProgress;
    for (const due of instants) {
      if (free <= 0) break;
      const seqs = ready.get(due);
      if (!seqs) continue;
      start.push(...seqs);
      free -= 1;
    }
  }
  start.sort((a, b) => a - b);
  kill.sort((a, b) => a - b);
  return { start, settle, kill, finished: !open };
}
