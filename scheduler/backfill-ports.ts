/**
 * The backfill store port (tables `backfills` and `backfill_items`): real adapter in
 * scheduler/adapters/prisma/backfill-store.ts, fake in scheduler/testing/memory-store.ts.
 */
import type { BackfillItem, BackfillItemState, BackfillJob } from './core/backfill-plan';
import type { BackfillState } from './core/backfill-step';
import type { Instant } from './core/types';

export interface NewBackfill {
  job: string;
  from: Instant;
  to: Instant;
  downstream: boolean;
  concurrency: number;
  force: boolean;
  /** The jobs run at each instant, parents first. */
  jobs: BackfillJob[];
  /** Jobs below that are disabled and do not run. */
  disabled: string[];
  createdAt: Instant;
}

export interface BackfillRecord extends NewBackfill {
  id: string;
  state: BackfillState;
  updatedAt: Instant;
  /** How many items are in each state. */
  counts: Record<BackfillItemState, number>;
  total: number;
}

export interface BackfillItemChange {
  seq: number;
  state: BackfillItemState;
  /** Absent: unchanged. */
  taskId?: string | null;
  note?: string | null;
}

export interface BackfillStore {
  /** Stores a backfill in state running with its items; returns it. */
  create(b: NewBackfill, items: BackfillItem[]): Promise<BackfillRecord>;
  get(id: string): Promise<BackfillRecord | null>;
  /** Newest first; `open`: only those in an open state (running, paused, cancelling). */
  list(filter: { job?: string; open?: boolean; limit?: number }): Promise<BackfillRecord[]>;
  /** Its items in order (seq). */
  items(id: string): Promise<BackfillItem[]>;
  /** Moves it to `state` when it is in one of `from`; true when it moved. */
  setState(id: string, state: BackfillState, from: readonly BackfillState[], now: Instant): Promise<boolean>;
  updateItems(id: string, changes: BackfillItemChange[], now: Instant): Promise<void>;
}
