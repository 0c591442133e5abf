/** What a standby following the unfinished runs reads (RunStore.unfinishedSince in ports.ts; runtime/standby-runs.ts). */
import type { Run } from './core/types';

/** RunStore.unfinishedSince's answer. */
export interface UnfinishedRuns {
  /**
   * Every unfinished run, oldest due first (as listActive). A run not written since the cursor is
   * the very object of `held` (not read again); every other one is read whole.
   */
  runs: Run[];
  /** Runs read whole: written since the cursor (every run without a cursor, or an old one). */
  read: number;
  /** Where the next read starts. */
  cursor: string;
}
