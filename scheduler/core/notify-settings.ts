/**
 * The notification channels' settings as given (Chronos's flags as environment variables), checked:
 * each channel is either ready, with its parsed values, or has a problem a user can read. A bad
 * setting never stops the process: the channel is off, the problem is logged once at start and
 * shown on the notifications page.
 */
import type { ChannelName } from './notify-events';

export interface NotifySettingsInput {
  mailServer: string | null;
  mailUser: string | null;
  mailPassword: string | null;
  mailFrom: string | null;
  mailSsl: string | null;
  slackUrl: string | null;
  mattermostUrl: string | null;
  sentryDsn: string | null;
  webhookUrl: string | null;
  webhookSecret: string | null;
}

export interface MailSettings {
  host: string;
  port: number;
  /** TLS from the start (SMTPS); else STARTTLS when the server offers it. */
  secure: boolean;
  auth: { user: string; pass: string } | null;
  from: string;
  /** Connection, greeting and socket timeout (default 10 s). */
  timeoutMs?: number;
}

/** A Sentry DSN `https://<key>@<host>/<project>` split into what its HTTP API needs. */
export interface SentryDsn {
  /** `https://host[:port][/path]`, the base of `/api/<project>/envelope/`. */
  origin: string;
  key: string;
  project: string;
}

export interface NotifyChannels {
  mail: MailSettings | null;
  slack: string | null;
  mattermost: string | null;
  sentry: SentryDsn | null;
  webhook: { url: string; secret: string | null } | null;
}

export interface ChannelProblem {
  channel: ChannelName;
  setting: string;
  message: string;
}

function httpUrl(v: string): string | null {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

export function parseSentryDsn(dsn: string): SentryDsn | null {
  let u: URL;
  try {
    u = new URL(dsn);
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.username) return null;
  const parts = u.pathname.split('/').filter((p) => p !== '');
  const project = parts.pop();
  if (!project || !/^\d+$/.test(project)) return null;
  const path = parts.length ? `/${parts.join('/')}` : '';
  return { origin: `${u.protocol}//${u.host}${path}`, key: decodeURIComponent(u.username), project };
}

/** `host:port` (IPv6 in brackets); port 1–65535. */
export function parseHostPort(v: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(v.trim());
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

const truthy = (v: string | null): boolean | null => {
  if (v === null) return false;
  const t = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(t)) return false;
  return null;
};

/** Every channel as configured, and what is wrong with those that are not usable. */
export function checkNotifySettings(s: NotifySettingsInput): { channels: NotifyChannels; problems: ChannelProblem[] } {
  const problems: ChannelProblem[] = [];
  const channels: NotifyChannels = { mail: null, slack: null, mattermost: null, sentry: null, webhook: null };
  if (s.mailServer) {
    const hp = parseHostPort(s.mailServer);
    const ssl = truthy(s.mailSsl);
    if (!hp) problems.push({ channel: 'mail', setting: 'MAIL_SERVER', message: `must be host:port, e.g. smtp.example.com:587, got '${s.mailServer}'` });
    else if (ssl === null) problems.push({ channel: 'mail', setting: 'MAIL_SSL', message: `must be true or false, got '${s.mailSsl}'` });
    else if (!s.mailFrom || !/^[^\s@<>]+@[^\s@<>]+$|<[^\s@<>]+@[^\s@<>]+>\s*$/.test(s.mailFrom)) problems.push({ channel: 'mail', setting: 'MAIL_FROM', message: `must be the sender's address, e.g. sisyphus@example.com, got '${s.mailFrom ?? ''}'` });
    else channels.mail = { host: hp.host, port: hp.port, secure: ssl, auth: s.mailUser ? { user: s.mailUser, pass: s.mailPassword ?? '' } : null, from: s.mailFrom };
  }
  const url = (v: string | null, channel: ChannelName, setting: string): string | null => {
    if (!v) return null;
    const u = httpUrl(v);
    if (!u) problems.push({ channel, setting, message: `must be an http(s) URL, got '${v}'` });
    return u;
  };
  channels.slack = url(s.slackUrl, 'slack', 'SLACK_URL');
  channels.mattermost = url(s.mattermostUrl, 'mattermost', 'MATTERMOST_URL');
  const hook = url(s.webhookUrl, 'webhook', 'NOTIFY_WEBHOOK_URL');
  if (hook) channels.webhook = { url: hook, secret: s.webhookSecret };
  if (s.sentryDsn) {
    channels.sentry = parseSentryDsn(s.sentryDsn);
    if (!channels.sentry) problems.push({ channel: 'sentry', setting: 'SENTRY_DSN', message: `must be a DSN such as https://<key>@sentry.example.com/<project id>, got '${s.sentryDsn.replace(/\/\/[^@/]*@/, '//…@')}'` });
  }
  return { channels, problems };
}

/** The channels that can send (for routing). */
export function configuredChannels(c: NotifyChannels): Set<ChannelName> {
  const out = new Set<ChannelName>();
  if (c.mail) out.add('mail');
  if (c.slack) out.add('slack');
  if (c.mattermost) out.add('mattermost');
  if (c.sentry) out.add('sentry');
  if (c.webhook) out.add('webhook');
  return out;
}
