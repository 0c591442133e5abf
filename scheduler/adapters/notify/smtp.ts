/**
 * Mail through SMTP with nodemailer: one mail per notification to one owner (a digest: one mail
 * listing them), plain text and HTML. The Message-ID is derived from the delivery id, so a resend
 * after a crash is recognisably the same mail.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { digestMessage, eventMessage, type MessageContext } from '../../core/notify-message';
import type { Delivery } from '../../core/notify-plan';
import type { MailSettings } from '../../core/notify-settings';
import type { NotifyChannel } from '../../ports';

export const SMTP_TIMEOUT_MS = 10_000;

export class SmtpChannel implements NotifyChannel {
  readonly name = 'mail' as const;
  private readonly transport: Transporter;

  constructor(private readonly settings: MailSettings) {
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      auth: settings.auth ?? undefined,
      connectionTimeout: settings.timeoutMs ?? SMTP_TIMEOUT_MS,
      greetingTimeout: settings.timeoutMs ?? SMTP_TIMEOUT_MS,
      socketTimeout: settings.timeoutMs ?? SMTP_TIMEOUT_MS,
    });
  }

  private where(): string {
    return `mail: SMTP server ${this.settings.host}:${this.settings.port}`;
  }

  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (e) {
      throw new Error(`${this.where()}: ${(e as Error).message}`);
    }
  }

  async send(d: Delivery, ctx: MessageContext, id: string): Promise<void> {
    const m = d.digest ? digestMessage(d.events, ctx) : eventMessage(d.events[0], ctx);
    const domain = /@([^>\s]+)>?\s*$/.exec(this.settings.from)?.[1] ?? 'sisyphus.local';
    try {
      await this.transport.sendMail({
        from: this.settings.from,
        to: d.recipient,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: `<notification-${id}@${domain}>`,
        headers: { 'X-Sisyphus-Event': d.digest ? 'digest' : d.events[0].kind },
      });
    } catch (e) {
      throw new Error(`${this.where()}: ${(e as Error).message}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
