/**
 * The generic webhook: POST one JSON document per notification (a digest: one document listing
 * them) to NOTIFY_WEBHOOK_URL or a job's own URL. With a secret, the body is signed:
 * `X-Sisyphus-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. `X-Sisyphus-Delivery` carries
 * the delivery id (the same on a resend: receivers can drop duplicates).
 */
import { createHmac } from 'node:crypto';
import { webhookDocument, type MessageContext } from '../../core/notify-message';
import type { Delivery } from '../../core/notify-plan';
import type { NotifyChannel } from '../../ports';
import { post } from './http-post';

export const SIGNATURE_HEADER = 'x-sisyphus-signature';

export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export function webhookBody(d: Delivery, ctx: MessageContext, id: string): Record<string, unknown> {
  if (!d.digest) return webhookDocument(d.events[0], ctx, id);
  return { id, event: 'digest', count: d.events.length, events: d.events.map((e, i) => webhookDocument(e, ctx, `${id}.${i + 1}`)) };
}

export class WebhookChannel implements NotifyChannel {
  readonly name = 'webhook' as const;
  constructor(
    /** NOTIFY_WEBHOOK_URL and its secret (null: only jobs' own URLs, unsigned). */
    private readonly global: { url: string; secret: string | null } | null,
  ) {}

  async send(d: Delivery, ctx: MessageContext, id: string): Promise<void> {
    const url = d.recipient || this.global?.url;
    if (!url) throw new Error('webhook: no URL (NOTIFY_WEBHOOK_URL is not set)');
    const body = JSON.stringify(webhookBody(d, ctx, id));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sisyphus-notify',
      'x-sisyphus-event': d.digest ? 'digest' : d.events[0].kind,
      'x-sisyphus-delivery': id,
    };
    const secret = this.global?.secret;
    if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
    await post('webhook', url, body, headers);
  }
}
