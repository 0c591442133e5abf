/**
 * The messages between ThreadedElector (main thread) and its ZooKeeper thread (elector-thread.ts).
 * The thread owns the session; the main thread keeps a copy of what it last said.
 */
import type { ZkElectorOptions } from './elector';
import type { ElectorEvent } from './listeners';

/** What the thread knows, sent with every event it raises. */
export interface ElectorSnapshot {
  leader: string | null;
  members: string[];
  epoch: number;
}

/** main → thread */
export type ToThread =
  | { t: 'restart'; seq: number; reason: string }
  | { t: 'advance'; id: number; min: number }
  | { t: 'stop'; id: number }
  | { t: 'sync'; id: number };

/** thread → main. `seq` is the last restart the thread has carried out. */
export type FromThread =
  | { t: 'event'; seq: number; event: ElectorEvent; state: ElectorSnapshot }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { t: 'reply'; id: number; value?: number; error?: string };

/** The options the thread builds its ZkElector from (structured-cloned: no functions). */
export type ThreadOptions = Omit<ZkElectorOptions, 'log' | 'onView'>;
