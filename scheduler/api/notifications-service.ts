/**
 * GET /api/notifications: the notifications outbox as the UI shows it — a job's recent
 * notifications with their delivery state (the job page), or the deliveries that failed with the
 * reason (the notifications page) — with the channels this instance sends on and the problems
 * found in their settings or at start.
 */
import { textProblem } from '../core/text';
import type { OutboxRow, Store } from '../ports';
import { registry } from '../registry';
import { uiIntParam } from './ui-http';
import { UiFieldError } from './ui-query';

export interface NotificationRow {
  id: string;
  createdAt: number;
  job: string;
  event: string;
  detail: string;
  taskId: string | null;
  channel: string;
  /** The mail address, or the host of a job's own webhook; '' for the configured target. */
  recipient: string;
  state: string;
  attempts: number;
  /** Pending: when it is tried next. */
  nextAt: number | null;
  lastError: string | null;
  sentAt: number | null;
  note: string | null;
}

export interface NotificationsView {
  /** The channels this instance sends on. */
  configured: string[];
  /** Settings that are wrong, servers unreachable at start (channel, setting, message, at). */
  problems: Array<{ channel: string; setting: string; message: string; at: number }>;
  rows: NotificationRow[];
}

/** A job's own webhook URL may hold a token in its path: only its origin is shown. */
const shownRecipient = (r: OutboxRow): string => {
  if (r.channel !== 'webhook' || r.recipient === '') return r.recipient;
  try {
    return new URL(r.recipient).origin;
  } catch {
    return 'its own URL';
  }
};

export function notificationRow(r: OutboxRow): NotificationRow {
  return {
    id: r.id,
    createdAt: r.createdAt,
    job: r.event.job,
    event: r.event.kind,
    detail: r.event.detail,
    taskId: r.event.run?.taskId ?? null,
    channel: r.channel,
    recipient: shownRecipient(r),
    state: r.state,
    attempts: r.attempts,
    nextAt: r.state === 'pending' ? r.nextAt : null,
    lastError: r.lastError,
    sentAt: r.sentAt,
    note: r.note,
  };
}

/** `job`: one job's; `failed=1`: those that failed at least once and are not sent; `limit` ≤ 500 (50). */
export async function notificationsView(store: Store, params: URLSearchParams): Promise<NotificationsView> {
  const job = params.get('job') ?? undefined;
  if (job !== undefined) {
    const why = textProblem(job);
    if (why) throw new UiFieldError('job', `job: ${why}`);
  }
  const failed = params.get('failed');
  if (failed !== null && failed !== '0' && failed !== '1') throw new UiFieldError('failed', 'failed must be 0 or 1');
  const limit = Math.max(1, uiIntParam(new URL(`http://x/?${params.toString()}`), 'limit', 50, 500));
  const rows = await store.notifications.list({ job, withError: failed === '1', limit });
  const setup = registry.notify.get();
  return {
    configured: setup?.configured ?? [],
    problems: (setup?.problems ?? []).map((p) => ({ channel: p.channel, setting: p.setting, message: p.message, at: p.at })),
    rows: rows.map(notificationRow),
  };
}
