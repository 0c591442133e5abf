/**
 * The jobs snapshot's first build spread over many turns of the event loop (a few thousand jobs
 * per turn, as warm-graph.ts builds the dependency graph): at a million jobs the worker's view
 * ordered by name (~1.2 s) and the entries with their name map (~0.9 s) held the main thread for
 * seconds on the first /api/jobs after a start or a takeover, every other request and the
 * scheduler's own work waiting. Each function answers exactly what its one-go counterpart does
 * (NameOrder.sorted, buildSnapshot); `stillWanted` is asked between turns (false: null, dropped).
 */
import type { Job } from '../core/types';
import { entryOf, type JobEntry, type Snapshot } from './job-entry';

/** Items handled per event-loop turn. */
export const TURN_ITEMS = 5_000;

/** Lets timers and I/O run (setImmediate: after the poll phase, not only microtasks). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export type StillWanted = () => boolean;

/** `buildSnapshot(jobs)`, in turns. */
export async function buildSnapshotInTurns(jobs: readonly Job[], stillWanted: StillWanted): Promise<Snapshot | null> {
  const entries = new Array<JobEntry>(jobs.length);
  const byName = new Map<string, JobEntry>();
  for (let i = 0; i < jobs.length; i++) {
    const e = entryOf(jobs[i]);
    entries[i] = e;
    byName.set(e.job.name, e);
    if ((i + 1) % TURN_ITEMS === 0) {
      await nextTurn();
      if (!stillWanted()) return null;
    }
  }
  return { entries, byName };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `names` sorted (plain `<` order, as Array.prototype.sort with byCodeUnit), in turns: runs of
 * TURN_ITEMS sorted one per turn, then merged pairwise, TURN_ITEMS names per turn. An already
 * sorted list (the worker's view is filled in the store's name order) is one pass.
 */
export async function sortInTurns(names: string[], stillWanted: StillWanted): Promise<string[] | null> {
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) sorted = names[i - 1] <= names[i];
  if (sorted) return names;
  let runs: string[][] = [];
  for (let a = 0; a < names.length; a += TURN_ITEMS) {
    runs.push(names.slice(a, a + TURN_ITEMS).sort(byCodeUnit));
    await nextTurn();
    if (!stillWanted()) return null;
  }
  let done = 0;
  while (runs.length > 1) {
    const next: string[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const x = runs[r];
      const y = runs[r + 1];
      if (!y) {
        next.push(x);
        continue;
      }
      const out = new Array<string>(x.length + y.length);
      let i = 0;
      let j = 0;
      for (let k = 0; k < out.length; k++) {
        out[k] = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i++] : y[j++];
        if (++done % TURN_ITEMS === 0) {
          await nextTurn();
          if (!stillWanted()) return null;
        }
      }
      next.push(out);
    }
    runs = next;
  }
  return runs[0] ?? [];
}
