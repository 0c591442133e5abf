/** What a standby following the jobs reads (JobStore.changes in ports.ts; runtime/standby-mirror.ts). */
import type { Job } from './core/types';

/** JobStore.changes' answer. */
export interface JobChanges {
  /** Every job is in `put` (the mirror starts over): no cursor, an old one, or the table was emptied. */
  full: boolean;
  /**
   * Jobs written since the cursor, as they are now (every job when `full`), but those `held`
   * already in that version (a transaction still running when the cursor was read holds the
   * cursor back: the rows written since are sent again, and need no parsing again).
   */
  put: Job[];
  /** The version (writing transaction id) of each job in `put`. */
  versions: Map<string, string>;
  /** Jobs deleted since the cursor and not stored again (empty when `full`). */
  deleted: string[];
  /** Where the next read starts. */
  cursor: string;
}
