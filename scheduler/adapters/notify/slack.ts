/**
 * Slack incoming webhooks: POST {"text": …} (mrkdwn) to the webhook URL (Slack's "Sending messages
 * using incoming webhooks"). A digest is one message listing its events.
 */
import { digestMessage, eventMessage, runLink } from '../../core/notify-message';
import type { Delivery } from '../../core/notify-plan';
import type { MessageContext } from '../../core/notify-message';
import type { NotifyChannel } from '../../ports';
import { post } from './http-post';

/** The text of a chat message (Slack mrkdwn and Mattermost Markdown agree on *bold*-less links). */
export function chatText(d: Delivery, ctx: MessageContext, link: (url: string, label: string) => string): string {
  if (d.digest) {
    const m = digestMessage(d.events, ctx);
    const lines = d.events.slice(0, 50).map((e) => `• ${link(runLink(ctx.baseUrl, e.job, e.run?.taskId), e.job)} ${e.kind}: ${e.detail}`);
    const more = d.events.length > 50 ? [`… and ${d.events.length - 50} more`] : [];
    return [m.subject.replace(/^\[sisyphus\] /, ''), ...lines, ...more].join('\n');
  }
  const e = d.events[0];
  const m = eventMessage(e, ctx);
  const stderr = e.run ? ctx.stderr?.get(e.run.taskId) : undefined;
  const tail = stderr && stderr.length ? `\n\`\`\`\n${stderr.slice(-5).join('\n')}\n\`\`\`` : '';
  return `${m.subject.replace(/^\[sisyphus\] /, '')}: ${e.detail} (${link(runLink(ctx.baseUrl, e.job, e.run?.taskId), 'open the run')})${tail}`;
}

export class SlackChannel implements NotifyChannel {
  readonly name = 'slack' as const;
  constructor(private readonly url: string) {}

  async send(d: Delivery, ctx: MessageContext): Promise<void> {
    const text = chatText(d, ctx, (url, label) => `<${url}|${label}>`);
    await post('Slack', this.url, JSON.stringify({ text }), { 'content-type': 'application/json' });
  }
}
