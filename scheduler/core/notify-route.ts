/**
 * Which channels and recipients an event goes to. A job without rules is notified as Chronos
 * notifies: `failed`, `disabled` and `deleted` go to every configured channel, mail to each address
 * in its `owner`. A job with rules (its `notifications` field) gets exactly what they name: each rule
 * sends some events to some channels. The webhook goes to NOTIFY_WEBHOOK_URL and to the job's own
 * webhook URL when it has one.
 */
import { CHRONOS_KINDS, CHANNEL_NAMES, type ChannelName, type NotifyEvent, type NotifyKind } from './notify-events';

/** One rule of a job: these events go to these channels. */
export interface JobNotifyRule {
  events: NotifyKind[];
  channels: ChannelName[];
}

/** A job's own notification settings (the job JSON's `notifications`, present only when set). */
export interface JobNotifications {
  /** Which events go where; absent: Chronos's events to every channel. */
  rules?: JobNotifyRule[];
  /** A webhook of this job's own (besides NOTIFY_WEBHOOK_URL). */
  webhookUrl?: string;
}

/** One outbox entry: an event for one channel and recipient ('' for a channel with one target). */
export interface OutboxEntry {
  event: NotifyEvent;
  channel: ChannelName;
  /** A mail address; a webhook URL of the job's own; '' for the configured Slack/Mattermost/Sentry/webhook. */
  recipient: string;
}

/** The channels this process has configured (a channel with a configuration problem is not). */
export type ConfiguredChannels = ReadonlySet<ChannelName>;

/** The channels a job's rules send an event kind to. */
export function channelsFor(kind: NotifyKind, rules: JobNotifications | undefined): ChannelName[] {
  if (!rules?.rules) return CHRONOS_KINDS.includes(kind) ? [...CHANNEL_NAMES] : [];
  const out = new Set<ChannelName>();
  for (const r of rules.rules) if (r.events.includes(kind)) r.channels.forEach((c) => out.add(c));
  return CHANNEL_NAMES.filter((c) => out.has(c));
}

/** The outbox entries of an event. */
export function routeEvent(event: NotifyEvent, rules: JobNotifications | undefined, configured: ConfiguredChannels): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const channel of channelsFor(event.kind, rules)) {
    if (channel === 'mail') {
      if (configured.has('mail')) for (const owner of event.owners) out.push({ event, channel, recipient: owner });
    } else if (channel === 'webhook') {
      if (configured.has('webhook')) out.push({ event, channel, recipient: '' });
      if (rules?.webhookUrl) out.push({ event, channel, recipient: rules.webhookUrl });
    } else if (configured.has(channel)) {
      out.push({ event, channel, recipient: '' });
    }
  }
  return out;
}

/** What the worker and the API need to put a job's events into the outbox. */
export interface NotifyRouter {
  /** The outbox entries of an event of `job` (its rules, the configured channels). */
  route(event: NotifyEvent, job: { notifications?: JobNotifications }): OutboxEntry[];
  /** How long a new entry waits for others arriving together (NOTIFY_GATHER_MS). */
  gatherMs: number;
}

export function notifyRouter(configured: ConfiguredChannels, gatherMs: number): NotifyRouter {
  return { route: (event, job) => routeEvent(event, job.notifications, configured), gatherMs };
}
