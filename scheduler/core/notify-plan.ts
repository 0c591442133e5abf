/**
 * No storms: what the deliverer sends of the notifications it claimed. Within the window, a job's
 * event of one kind goes once to a channel and recipient (a second one is suppressed, with the
 * reason); when more than `digestAfter` remain for one channel and recipient, they go as one digest
 * listing them (500 failures in a night: one mail per owner, not 500).
 */
import type { ChannelName, NotifyEvent } from './notify-events';
import type { Instant } from './types';

/** A claimed outbox row, as the plan needs it. */
export interface PlanItem {
  id: string;
  channel: ChannelName;
  recipient: string;
  event: NotifyEvent;
  createdAt: Instant;
}

export interface PlanSettings {
  /** One message per job, event kind, channel and recipient within this (0: no deduplication). */
  windowMs: number;
  /** More than this many for one channel and recipient at once go as one digest. */
  digestAfter: number;
}

/** One message to send: a single event or a digest of several. */
export interface Delivery {
  channel: ChannelName;
  recipient: string;
  /** The outbox rows this message settles. */
  ids: string[];
  /** One event, or the digest's events (oldest first). */
  events: NotifyEvent[];
  digest: boolean;
}

export interface Plan {
  deliveries: Delivery[];
  suppressed: { id: string; why: string }[];
}

/** The dedupe key of a row: job, event kind, channel, recipient. */
export const dedupeKey = (x: { channel: string; recipient: string; event: Pick<NotifyEvent, 'job' | 'kind'> }): string =>
  `${x.event.job}\u0000${x.event.kind}\u0000${x.channel}\u0000${x.recipient}`;

/**
 * `recentlySent`: the dedupe keys of what was sent within the window before now. Rows are taken
 * oldest first; the first of a key is kept, later ones of the same key are suppressed.
 */
export function planDeliveries(items: readonly PlanItem[], recentlySent: ReadonlySet<string>, settings: PlanSettings): Plan {
  const sorted = [...items].sort((a, b) => a.createdAt - b.createdAt || Number(a.id) - Number(b.id));
  /** Key → the row that goes (first of the key in this claim). */
  const seen = new Map<string, string>();
  const suppressed: Plan['suppressed'] = [];
  const groups = new Map<string, PlanItem[]>();
  const minutes = Math.round(settings.windowMs / 60_000);
  const window = minutes >= 1 ? `${minutes} min` : `${Math.round(settings.windowMs / 1000)} s`;
  for (const item of sorted) {
    const key = dedupeKey(item);
    if (settings.windowMs > 0 && recentlySent.has(key)) {
      suppressed.push({ id: item.id, why: `suppressed: ${item.event.kind} of ${item.event.job} already notified on ${item.channel} within ${window} (NOTIFY_WINDOW_SECONDS)` });
      continue;
    }
    const first = seen.get(key);
    if (settings.windowMs > 0 && first !== undefined) {
      // the first is not sent yet (it may be retrying): say which one carries the news
      suppressed.push({ id: item.id, why: `suppressed: ${item.event.kind} of ${item.event.job} goes on ${item.channel} once within ${window} (NOTIFY_WINDOW_SECONDS); notification ${first} carries it` });
      continue;
    }
    seen.set(key, item.id);
    const g = `${item.channel}\u0000${item.recipient}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(item);
  }
  const deliveries: Delivery[] = [];
  for (const list of groups.values()) {
    const { channel, recipient } = list[0];
    if (list.length > settings.digestAfter) {
      deliveries.push({ channel, recipient, ids: list.map((i) => i.id), events: list.map((i) => i.event), digest: true });
    } else {
      for (const i of list) deliveries.push({ channel, recipient, ids: [i.id], events: [i.event], digest: false });
    }
  }
  return { deliveries, suppressed };
}

/** Wait before attempt `attempts + 1` of a delivery that failed `attempts` times: 5 s doubling, at most 10 min. */
export const retryDelayMs = (attempts: number): number => Math.min(600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
