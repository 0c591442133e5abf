/**
 * Sentry over its HTTP API, without the SDK: one event per notification, posted as an envelope to
 * `<origin>/api/<project>/envelope/` with the `X-Sentry-Auth` header (Sentry's "Envelopes" and
 * "Authentication" developer documentation). The event id is derived from the delivery id, so a
 * resend after a crash is the same event to Sentry.
 */
import { createHash } from 'node:crypto';
import { digestMessage, eventMessage, levelOf, runLink, type MessageContext } from '../../core/notify-message';
import type { Delivery } from '../../core/notify-plan';
import type { SentryDsn } from '../../core/notify-settings';
import type { NotifyChannel } from '../../ports';
import { post } from './http-post';

export const SENTRY_CLIENT = 'sisyphus/0.1';

export function sentryEvent(d: Delivery, ctx: MessageContext, eventId: string, now: number): Record<string, unknown> {
  const e = d.events[0];
  const m = d.digest ? digestMessage(d.events, ctx) : eventMessage(e, ctx);
  return {
    event_id: eventId,
    timestamp: now / 1000,
    platform: 'other',
    level: d.digest ? m.level : levelOf(e.kind),
    logger: 'sisyphus',
    message: { formatted: m.subject.replace(/^\[sisyphus\] /, '') },
    tags: d.digest ? { event: 'digest' } : { job: e.job, event: e.kind },
    fingerprint: d.digest ? ['sisyphus', 'digest', eventId] : ['sisyphus', e.job, e.kind],
    extra: d.digest
      ? { events: d.events.map((x) => ({ job: x.job, event: x.kind, detail: x.detail, url: runLink(ctx.baseUrl, x.job, x.run?.taskId) })) }
      : { detail: e.detail, task: e.run?.taskId ?? null, state: e.run?.state ?? null, message: e.run?.message ?? null, url: runLink(ctx.baseUrl, e.job, e.run?.taskId), stderr: (e.run && ctx.stderr?.get(e.run.taskId)) ?? [] },
  };
}

export class SentryChannel implements NotifyChannel {
  readonly name = 'sentry' as const;
  constructor(
    private readonly dsn: SentryDsn,
    private readonly now: () => number = Date.now,
  ) {}

  async send(d: Delivery, ctx: MessageContext, id: string): Promise<void> {
    const eventId = createHash('sha256').update(`sisyphus-notification:${id}`).digest('hex').slice(0, 32);
    const now = this.now();
    const event = sentryEvent(d, ctx, eventId, now);
    const payload = JSON.stringify(event);
    const envelope = [
      JSON.stringify({ event_id: eventId, sent_at: new Date(now).toISOString() }),
      JSON.stringify({ type: 'event', content_type: 'application/json', length: Buffer.byteLength(payload) }),
      payload,
    ].join('\n');
    await post('Sentry', `${this.dsn.origin}/api/${this.dsn.project}/envelope/`, envelope, {
      'content-type': 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${this.dsn.key}, sentry_client=${SENTRY_CLIENT}`,
    });
  }
}
