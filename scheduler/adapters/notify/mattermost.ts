/**
 * Mattermost incoming webhooks: POST {"text": …, "username": …} (Markdown) to the webhook URL
 * (Mattermost's "Incoming webhooks" documentation).
 */
import type { MessageContext } from '../../core/notify-message';
import type { Delivery } from '../../core/notify-plan';
import type { NotifyChannel } from '../../ports';
import { post } from './http-post';
import { chatText } from './slack';

export class MattermostChannel implements NotifyChannel {
  readonly name = 'mattermost' as const;
  constructor(private readonly url: string) {}

  async send(d: Delivery, ctx: MessageContext): Promise<void> {
    const text = chatText(d, ctx, (url, label) => `[${label}](${url})`);
    await post('Mattermost', this.url, JSON.stringify({ text, username: 'sisyphus' }), { 'content-type': 'application/json' });
  }
}
