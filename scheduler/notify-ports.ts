/**
 * The notification ports (re-exported by scheduler/ports.ts): the outbox the worker writes in the
 * same transaction as an outcome and the leader's deliverer drains (OutboxStore, over PostgreSQL in
 * scheduler/adapters/prisma/notification-store.ts), and a channel that sends (NotifyChannel,
 * scheduler/adapters/notify/).
 */
import type { ChannelName, NotifyEvent } from './core/notify-events';
import type { MessageContext } from './core/notify-message';
import type { Delivery } from './core/notify-plan';
import type { OutboxEntry } from './core/notify-route';
import type { Instant } from './core/types';

/**
 * A notification's delivery state: `pending` (waiting, or retrying after a failure: `lastError`
 * says why), `sending` (claimed by the leader's deliverer until its lease ends), `sent`, `failed`
 * (given up after the last attempt) or `suppressed` (deduplicated, or sent in a digest: `note`).
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** One notification of the outbox: an event for one channel and recipient. */
export interface OutboxRow {
  id: string;
  createdAt: Instant;
  channel: ChannelName;
  recipient: string;
  event: NotifyEvent;
  state: OutboxState;
  attempts: number;
  /** When it is due (pending), or when the claim's lease ends (sending). */
  nextAt: Instant;
  lastError: string | null;
  sentAt: Instant | null;
  note: string | null;
}

/** How a delivery attempt ended, for `OutboxStore.settle`. */
export interface OutboxSettle {
  id: string;
  state: 'pending' | 'sent' | 'failed' | 'suppressed';
  /** Counts an attempt (a send was tried). */
  attempted: boolean;
  at: Instant;
  error?: string | null;
  /** For `pending`: when to try again. */
  nextAt?: Instant;
  note?: string | null;
}

export interface OutboxFilter {
  job?: string;
  states?: OutboxState[];
  /** Only rows that failed at least once (pending with an error, or failed). */
  withError?: boolean;
  limit?: number;
}

/**
 * The notifications outbox: written in the same transaction as what caused the event, delivered
 * by the leader (scheduler/runtime/notify-deliverer.ts).
 */
export interface OutboxStore {
  /** Stores entries as pending, due `gatherMs` after `now` (events arriving together go together). */
  add(entries: OutboxEntry[], now: Instant, gatherMs: number): Promise<void>;
  /**
   * Claims, oldest first and at most `limit`: every pending row of each channel and recipient that
   * has a row due at `now`, and every `sending` row whose lease ended. They become `sending` with a
   * lease until `now + leaseMs`.
   */
  claim(now: Instant, leaseMs: number, limit: number): Promise<OutboxRow[]>;
  /** What was sent since `since` (the dedupe window): job, kind, channel and recipient of each. */
  sentSince(since: Instant): Promise<Array<{ job: string; kind: string; channel: string; recipient: string }>>;
  settle(results: OutboxSettle[]): Promise<void>;
  /** Which of these runs (task ids) already have an event of `kind` in the outbox, whatever its state. */
  notifiedRuns(kind: string, taskIds: readonly string[]): Promise<Set<string>>;
  /** Newest first. */
  list(filter: OutboxFilter): Promise<OutboxRow[]>;
}

/** One way of sending notifications (scheduler/adapters/notify/): mail, Slack, Mattermost, Sentry, webhook. */
export interface NotifyChannel {
  readonly name: ChannelName;
  /**
   * Sends one message (an event or a digest) to `delivery.recipient`; rejects with an Error naming
   * what failed (the server's answer, a timeout). `id` identifies the delivery (idempotency key,
   * Message-ID, Sentry event id): a resend after a crash carries the same one.
   */
  send(delivery: Delivery, ctx: MessageContext, id: string): Promise<void>;
  /** Checks the channel can be reached (at start); rejects with the reason. Optional. */
  verify?(): Promise<void>;
  close?(): void;
}
