/**
 * The editor's notification rules: a grid of events × channels and a webhook URL of the job's
 * own, to and from the job JSON's `notifications` (scheduler/api/notify-schema.ts). With nothing
 * ticked and no URL, the job has no `notifications` and is notified as Chronos notifies.
 */
export const EVENTS = ['failed', 'recovered', 'disabled', 'deleted', 'skipped', 'still-running'] as const;
export const CHANNELS = ['mail', 'slack', 'mattermost', 'sentry', 'webhook'] as const;
export type EventName = (typeof EVENTS)[number];
export type ChannelName = (typeof CHANNELS)[number];

export interface NotifyForm {
  /** Ticked cells, `event:channel`. */
  cells: string[];
  webhookUrl: string;
}

export const emptyNotify = (): NotifyForm => ({ cells: [], webhookUrl: '' });

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function notifyFromJson(v: unknown): NotifyForm {
  if (!isObj(v)) return emptyNotify();
  const cells = new Set<string>();
  for (const r of Array.isArray(v.rules) ? v.rules : []) {
    if (!isObj(r) || !Array.isArray(r.events) || !Array.isArray(r.channels)) continue;
    for (const e of r.events) for (const c of r.channels) if (typeof e === 'string' && typeof c === 'string') cells.add(`${e}:${c}`);
  }
  return { cells: [...cells], webhookUrl: typeof v.webhookUrl === 'string' ? v.webhookUrl : '' };
}

/** The `notifications` value, or undefined when the form sets none (one rule per event ticked). */
export function notifyToJson(f: NotifyForm): Record<string, unknown> | undefined {
  const rules = EVENTS.map((e) => ({ events: [e], channels: CHANNELS.filter((c) => f.cells.includes(`${e}:${c}`)) })).filter((r) => r.channels.length > 0);
  const url = f.webhookUrl.trim();
  if (rules.length === 0 && url === '') return undefined;
  return { ...(rules.length ? { rules } : {}), ...(url ? { webhookUrl: url } : {}) };
}
