/**
 * Each channel against a real receiver: mail through a real SMTP server (smtp-server, parsed with
 * mailparser), Slack, Mattermost, Sentry and the webhook against a local HTTP server, checking the
 * payload shapes their documentation gives; failures name the server and its answer.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotifyEvent } from '../../core/notify-events';
import type { Delivery } from '../../core/notify-plan';
import { parseSentryDsn } from '../../core/notify-settings';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../../testing/notify-receivers';
import { MattermostChannel, SentryChannel, SlackChannel, SmtpChannel, WebhookChannel } from '.';

let smtp: SmtpReceiver;
let web: HttpReceiver;

beforeAll(async () => {
  [smtp, web] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
});
afterAll(async () => {
  await Promise.all([smtp?.close(), web?.close()]);
});

const T0 = Date.UTC(2026, 11, 7, 2, 0, 0);
const failed: NotifyEvent = {
  kind: 'failed',
  job: 'transcode-night',
  at: T0 + 95_000,
  owners: ['ops@example.com', 'dev@example.com'],
  detail: 'FAILED after 3 attempts: Command exited with status 3',
  run: {
    taskId: 'ct:1796608800000:2:transcode-night:',
    due: T0,
    attempt: 2,
    state: 'FAILED',
    queuedAt: T0,
    startedAt: T0 + 5_000,
    finishedAt: T0 + 95_000,
    agentId: 'agent-7',
    host: 'worker-7.example.com',
    message: 'Command exited with status 3',
    reason: 'REASON_COMMAND_EXECUTOR_FAILED',
  },
};
const stderr = Array.from({ length: 20 }, (_, i) => `ffmpeg: frame ${i + 1} corrupt`);
const ctx = { baseUrl: 'http://sisyphus.example.com:8080', stderr: new Map([[failed.run!.taskId, stderr]]) };
const one = (recipient: string, channel: Delivery['channel']): Delivery => ({ channel, recipient, ids: ['41'], events: [failed], digest: false });

describe('mail over SMTP (nodemailer → smtp-server)', () => {
  it('delivers a mail a person can read: recipient, subject with job and outcome, text and HTML body', async () => {
    const ch = new SmtpChannel({ host: '127.0.0.1', port: smtp.port, secure: false, auth: null, from: 'Sisyphus <sisyphus@example.com>' });
    await ch.verify();
    await ch.send(one('ops@example.com', 'mail'), ctx, '41');
    const [mail] = await smtp.mails.until((m) => m.length >= 1);
    expect(mail.to).toEqual(['ops@example.com']);
    expect(mail.from).toBe('sisyphus@example.com');
    expect(mail.subject).toBe('[sisyphus] transcode-night failed');
    expect(mail.messageId).toBe('<notification-41@example.com>');
    for (const want of ['FAILED after 3 attempts', '2026-12-07T02:00:00.000Z', '2026-12-07T02:01:35.000Z', '1 min 30 s', 'Command exited with status 3', 'worker-7.example.com', 'ffmpeg: frame 1 corrupt', 'ffmpeg: frame 20 corrupt', 'http://sisyphus.example.com:8080/runs/ct%3A1796608800000%3A2%3Atranscode-night%3A']) {
      expect(mail.text).toContain(want);
    }
    expect(mail.html).toContain('<table');
    expect(mail.html).toContain('<pre');
    expect(mail.html).toContain('href="http://sisyphus.example.com:8080/runs/ct%3A');
    ch.close();
  });

  it('an SMTP server that refuses or is not there rejects with the server and the reason', async () => {
    smtp.refuse = 'mailbox busy, try later';
    const ch = new SmtpChannel({ host: '127.0.0.1', port: smtp.port, secure: false, auth: null, from: 'sisyphus@example.com' });
    await expect(ch.send(one('ops@example.com', 'mail'), ctx, '42')).rejects.toThrow(/SMTP server 127\.0\.0\.1:\d+: .*mailbox busy/);
    smtp.refuse = null;
    ch.close();
    const down = new SmtpChannel({ host: '127.0.0.1', port: 1, secure: false, auth: null, from: 'sisyphus@example.com' });
    await expect(down.verify()).rejects.toThrow(/SMTP server 127\.0\.0\.1:1: .*ECONNREFUSED/);
    down.close();
  });
});

describe('chat and webhooks over HTTP', () => {
  it('Slack: a JSON {text} with the job, the outcome and a <url|label> link', async () => {
    const n = web.posts.items.length;
    await new SlackChannel(`${web.url}/services/T000/B000/XXXX`).send(one('', 'slack'), ctx);
    const [p] = (await web.posts.until((x) => x.length > n)).slice(n);
    expect(p.path).toBe('/services/T000/B000/XXXX');
    expect(p.headers['content-type']).toBe('application/json');
    const body = JSON.parse(p.body) as { text: string };
    expect(body.text).toMatch(/^transcode-night failed: FAILED after 3 attempts/);
    expect(body.text).toContain('<http://sisyphus.example.com:8080/runs/ct%3A');
    expect(body.text).toContain('ffmpeg: frame 20 corrupt');
  });

  it('Mattermost: a JSON {text, username} with a Markdown link', async () => {
    const n = web.posts.items.length;
    await new MattermostChannel(`${web.url}/hooks/abc123`).send(one('', 'mattermost'), ctx);
    const [p] = (await web.posts.until((x) => x.length > n)).slice(n);
    expect(p.path).toBe('/hooks/abc123');
    const body = JSON.parse(p.body) as { text: string; username: string };
    expect(body.username).toBe('sisyphus');
    expect(body.text).toContain('[open the run](http://sisyphus.example.com:8080/runs/ct%3A');
  });

  it('Sentry: an envelope to /api/<project>/envelope/ with X-Sentry-Auth and an error event', async () => {
    const dsn = parseSentryDsn(`${web.url.replace('http://', 'http://publickey@')}/42`)!;
    const n = web.posts.items.length;
    await new SentryChannel(dsn, () => T0 + 100_000).send(one('', 'sentry'), ctx, '45');
    const [p] = (await web.posts.until((x) => x.length > n)).slice(n);
    expect(p.path).toBe('/api/42/envelope/');
    expect(p.headers['content-type']).toBe('application/x-sentry-envelope');
    expect(p.headers['x-sentry-auth']).toMatch(/^Sentry sentry_version=7, sentry_key=publickey, sentry_client=sisyphus\//);
    const [header, item, payload] = p.body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(header.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(item).toMatchObject({ type: 'event', length: Buffer.byteLength(p.body.split('\n')[2]) });
    expect(payload).toMatchObject({ event_id: header.event_id, level: 'error', logger: 'sisyphus', timestamp: (T0 + 100_000) / 1000, tags: { job: 'transcode-night', event: 'failed' } });
    expect((payload.message as { formatted: string }).formatted).toBe('transcode-night failed');
  });

  it('webhook: one JSON document per event, signed with HMAC-SHA256 of the body', async () => {
    const n = web.posts.items.length;
    await new WebhookChannel({ url: `${web.url}/hook`, secret: 's3cret' }).send(one('', 'webhook'), ctx, '46');
    const [p] = (await web.posts.until((x) => x.length > n)).slice(n);
    expect(p.headers['x-sisyphus-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(p.body).digest('hex')}`);
    expect(p.headers['x-sisyphus-event']).toBe('failed');
    expect(p.headers['x-sisyphus-delivery']).toBe('46');
    expect(JSON.parse(p.body)).toMatchObject({
      id: '46',
      event: 'failed',
      job: 'transcode-night',
      runId: failed.run!.taskId,
      due: '2026-12-07T02:00:00.000Z',
      state: 'FAILED',
      exitStatus: 'FAILED · Command exited with status 3 · REASON_COMMAND_EXECUTOR_FAILED',
      agent: 'worker-7.example.com',
      stderr,
      url: `http://sisyphus.example.com:8080/runs/${encodeURIComponent(failed.run!.taskId)}`,
    });
  });

  it('a job’s own webhook URL gets the document unsigned when no secret is set; a refusal names the status', async () => {
    const hook = new WebhookChannel(null);
    const n = web.posts.items.length;
    await hook.send(one(`${web.url}/job-hook`, 'webhook'), ctx, '47');
    const [p] = (await web.posts.until((x) => x.length > n)).slice(n);
    expect(p.path).toBe('/job-hook');
    expect(p.headers['x-sisyphus-signature']).toBeUndefined();
    web.status = 503;
    await expect(hook.send(one(`${web.url}/job-hook`, 'webhook'), ctx, '48')).rejects.toThrow(/webhook: http:\/\/127\.0\.0\.1:\d+ answered 503: refused by the test/);
    web.status = 200;
    const gone = await startHttpReceiver();
    await gone.close();
    await expect(hook.send(one(`${gone.url}/x`, 'webhook'), ctx, '49')).rejects.toThrow(/webhook: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});
