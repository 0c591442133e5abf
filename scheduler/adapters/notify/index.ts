/** The notification channels, built from the checked settings (core/notify-settings.ts). */
import type { ChannelName } from '../../core/notify-events';
import type { NotifyChannels } from '../../core/notify-settings';
import type { NotifyChannel } from '../../ports';
import { MattermostChannel } from './mattermost';
import { SentryChannel } from './sentry';
import { SlackChannel } from './slack';
import { SmtpChannel } from './smtp';
import { WebhookChannel } from './webhook';

export { MattermostChannel, SentryChannel, SlackChannel, SmtpChannel, WebhookChannel };
export { signBody, SIGNATURE_HEADER } from './webhook';

/** Every usable channel; the webhook always (a job may have its own URL). */
export function createChannels(c: NotifyChannels): Map<ChannelName, NotifyChannel> {
  const out = new Map<ChannelName, NotifyChannel>();
  if (c.mail) out.set('mail', new SmtpChannel(c.mail));
  if (c.slack) out.set('slack', new SlackChannel(c.slack));
  if (c.mattermost) out.set('mattermost', new MattermostChannel(c.mattermost));
  if (c.sentry) out.set('sentry', new SentryChannel(c.sentry));
  out.set('webhook', new WebhookChannel(c.webhook));
  return out;
}
