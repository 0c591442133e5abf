/** What a standby following the unfinished runs reads (RunStore.listActiveKeeping in ports.ts; runtime/standby-runs.ts). */
import type { Run } from './core/types';

/** Runs a follower holds, and the version of each as the store gave it (UnfinishedRuns.versions). */
export interface HeldRuns {
  runs: ReadonlyMap<string, Run>;
  versions: ReadonlyMap<string, string>;
}

/** RunStore.listActiveKeeping's answer. */
export interface UnfinishedRuns {
  /**
   * Every unfinished run, oldest due first (as listActive). A run held in the version it has now
   * is the very object held (not read again); every other one is read whole.
   */
  runs: Run[];
  /** The version of each run of `runs`, by id (opaque: the store's). */
  versions: Map<string, string>;
  /** Runs read whole: not held, or written since. */
  read: number;
}
