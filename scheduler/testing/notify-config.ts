/** Notification settings for tests: every channel pointed at local receivers, fast timings. */
import type { Config } from '../config';

export function testNotifyConfig(o: { smtpPort?: number | null; http?: string | null; secret?: string | null; windowMs?: number; digestAfter?: number; gatherMs?: number; maxAttempts?: number; longRun?: Partial<Config['notify']['longRun']> }): Config['notify'] {
  const http = o.http ?? null;
  return {
    input: {
      mailServer: o.smtpPort ? `127.0.0.1:${o.smtpPort}` : null,
      mailUser: null,
      mailPassword: null,
      mailFrom: 'Sisyphus <sisyphus@example.com>',
      mailSsl: null,
      slackUrl: http ? `${http}/slack/T0/B0/x` : null,
      mattermostUrl: http ? `${http}/mattermost/hooks/m1` : null,
      sentryDsn: http ? `${http.replace('http://', 'http://pubkey@')}/7` : null,
      webhookUrl: http ? `${http}/webhook` : null,
      webhookSecret: o.secret ?? null,
    },
    baseUrl: 'http://sisyphus.test:8080',
    windowMs: o.windowMs ?? 600_000,
    digestAfter: o.digestAfter ?? 5,
    gatherMs: o.gatherMs ?? 100,
    maxAttempts: o.maxAttempts ?? 10,
    longRun: { factor: 3, minRuns: 5, minMs: 60_000, ...o.longRun },
  };
}
