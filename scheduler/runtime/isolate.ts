/**
 * Fault isolation of the worker's batches (shared/ARCHITECTURE.md "Fault isolation"): an item
 * whose handling throws is marked failed with the reason and the batch goes on; a batch whose
 * commit the store refuses for the data of one item (StoreDataError) is committed in parts until
 * that item is found. Any other error (database down, leadership lost) is the batch's, not an
 * item's: it is thrown as it is and the batch is tried again as a whole.
 */
import { StoreDataError } from '../ports';

/** True when `e` is about the data of what was written, so the same write fails again. */
export function isItemError(e: unknown): boolean {
  return e instanceof StoreDataError || e instanceof TypeError || e instanceof RangeError;
}

/** The reason of a thrown value, in one line. */
export function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] || (e instanceof Error ? e.name : 'unknown error');
}

/** What `commitIsolating` committed, and the error that stopped it (the rest is not committed). */
export interface Isolated<T> {
  committed: T[];
  /** An error that is not an item's (database down, fenced) that stopped the commits, or null. */
  stoppedBy: unknown;
}

/**
 * Commits `units` with `commit`; when the store refuses one unit's data, commits them one by one
 * and hands each unit refused alone to `onRefused`. An error that is not an item's (isItemError)
 * on the whole batch is thrown; in the middle of the one-by-one commits it stops them, and the
 * caller treats the units not committed as it treats a failed batch.
 */
export async function commitIsolating<T>(
  units: readonly T[],
  commit: (units: readonly T[]) => Promise<void>,
  onRefused: (unit: T, e: unknown) => void,
): Promise<Isolated<T>> {
  try {
    await commit(units);
    return { committed: [...units], stoppedBy: null };
  } catch (e) {
    if (!isItemError(e)) throw e;
    if (units.length === 1) {
      onRefused(units[0], e);
      return { committed: [], stoppedBy: null };
    }
  }
  const committed: T[] = [];
  for (const unit of units) {
    try {
      await commit([unit]);
      committed.push(unit);
    } catch (e) {
      if (!isItemError(e)) return { committed, stoppedBy: e };
      onRefused(unit, e);
    }
  }
  return { committed, stoppedBy: null };
}
