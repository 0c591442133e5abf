/**
 * Chronos's notifications, end to end: a job on mesos-local that fails after its retries, is then
 * disabled (DISABLE_AFTER_FAILURES) and finally deleted mails each of its owners through a real SMTP
 * server and posts to Slack, Mattermost, Sentry and the signed webhook (a local HTTP receiver).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';
import { testNotifyConfig } from '../testing/notify-config';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../testing/notify-receivers';
import { schedulerMetrics } from './metrics';
import { notifySetup } from './notify-setup';

let cluster: LocalCluster;
let smtp: SmtpReceiver;
let web: HttpReceiver;

beforeAll(async () => {
  [smtp, web] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
  const notify = notifySetup(testNotifyConfig({ smtpPort: smtp.port, http: web.url, secret: 'hook-secret' }), () => {}, Date.now, { pollMs: 100 });
  cluster = await startLocalCluster({ dbPrefix: 'sisyphus_notify', worker: { retryDelayMs: 200, killGraceMs: 500, disableAfterFailures: 2 }, notify });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await Promise.all([smtp?.close(), web?.close()]);
});

describe('a failing job notifies its owners as Chronos does', () => {
  it('failed after its retries, then disabled, then deleted: mail to each owner, Slack, Mattermost, Sentry, webhook', async () => {
    const start = new Date(Date.now() + 1_000).toISOString();
    await cluster.api.upsertIso8601({ name: 'nightly-transcode', command: 'for i in $(seq 1 25); do echo "codec exploded at frame $i" >&2; done; exit 3', schedule: `R/${start}/PT4S`, retries: 1, owner: 'ops@example.com, dev@example.com' });

    // 1st instant: attempt 1 and its retry fail → "failed"; 2nd instant fails (no retry after a failure) → "disabled"
    const mails = await smtp.mails.until((m) => m.filter((x) => /disabled/.test(x.subject)).length >= 2, 60_000, 'the disabled mails');
    const runs = (await cluster.store.runs.list({ jobName: 'nightly-transcode' })).runs;
    expect(runs.filter((r) => r.state === 'FAILED').length).toBeGreaterThanOrEqual(3);
    const failed = mails.filter((m) => m.subject === '[sisyphus] nightly-transcode failed');
    // one "failed" per owner: the second failure of the night falls in the dedupe window
    expect(failed.map((m) => m.to[0]).sort()).toEqual(['dev@example.com', 'ops@example.com']);
    expect(failed[0].text).toContain('FAILED after 2 attempts');
    expect(failed[0].text).toContain('exit status  FAILED');
    // the last 20 lines of the run's stderr, read from its sandbox on the agent
    expect(failed[0].text).toContain('last 20 lines of stderr:');
    expect(failed[0].text).toContain('codec exploded at frame 25');
    expect(failed[0].text).toContain('codec exploded at frame 6\n');
    expect(failed[0].text).not.toContain('codec exploded at frame 5\n');
    expect(failed[0].html).toContain('<pre');
    expect(failed[0].text).toContain('http://sisyphus.test:8080/runs/ct%3A');
    const disabled = mails.filter((m) => m.subject === '[sisyphus] nightly-transcode was disabled');
    expect(disabled.map((m) => m.to[0]).sort()).toEqual(['dev@example.com', 'ops@example.com']);
    expect(disabled[0].text).toContain('disabled after 2 failures since its last success');

    const suppressed = await cluster.store.notifications.list({ job: 'nightly-transcode', states: ['suppressed'] });
    expect(suppressed.length).toBeGreaterThanOrEqual(2);
    expect(suppressed[0].note).toMatch(/already notified|carries it/);

    await cluster.api.deleteJob('nightly-transcode');
    const all = await smtp.mails.until((m) => m.filter((x) => /was deleted/.test(x.subject)).length >= 2, 20_000, 'the deleted mails');
    expect(all.filter((m) => /was deleted/.test(m.subject)).map((m) => m.to[0]).sort()).toEqual(['dev@example.com', 'ops@example.com']);

    // every other channel: failed, disabled, deleted, once each
    const posts = await web.posts.until((p) => ['/slack', '/mattermost', '/api/7/envelope', '/webhook'].every((path) => p.filter((x) => x.path.startsWith(path)).length >= 3), 20_000, 'the HTTP posts');
    const on = (path: string) => posts.filter((x) => x.path.startsWith(path));
    expect(on('/slack').map((p) => (JSON.parse(p.body) as { text: string }).text.split(':')[0])).toEqual(['nightly-transcode failed', 'nightly-transcode was disabled', 'nightly-transcode was deleted']);
    expect(on('/mattermost')).toHaveLength(3);
    expect(on('/api/7/envelope').map((p) => JSON.parse(p.body.split('\n')[2]).tags.event)).toEqual(['failed', 'disabled', 'deleted']);
    const hooks = on('/webhook');
    expect(hooks.map((p) => (JSON.parse(p.body) as { event: string }).event)).toEqual(['failed', 'disabled', 'deleted']);
    for (const h of hooks) expect(h.headers['x-sisyphus-signature']).toBe(`sha256=${createHmac('sha256', 'hook-secret').update(h.body).digest('hex')}`);
    const doc = JSON.parse(hooks[0].body) as Record<string, unknown>;
    expect(doc).toMatchObject({ event: 'failed', job: 'nightly-transcode', state: 'FAILED', attempt: 2 });
    expect(doc.runId).toMatch(/^ct:\d+:1:nightly-transcode:$/);

    // 3 events × (2 mails + Slack + Mattermost + Sentry + webhook), each settled sent once received
    // (the rows are settled after the receivers have the messages: awaited on the deliverer's
    // events, listening before each read, and read once more at the end)
    const sentRows = async () => (await cluster.store.notifications.list({ job: 'nightly-transcode', states: ['sent'] })).length;
    const until = Date.now() + 20_000;
    for (;;) {
      const settled = cluster.scheduler.events.next('notify', () => true, Math.max(1, until - Date.now())).catch(() => {});
      if ((await sentRows()) >= 18 || Date.now() >= until) break;
      await settled;
    }
    expect(await sentRows()).toBe(18);

    // /metrics counts deliveries per channel and result
    const { body } = await schedulerMetrics().text();
    const count = (channel: string, result: string) => Number(new RegExp(`^sisyphus_notifications_total\\{channel="${channel}",result="${result}"\\} (\\d+)$`, 'm').exec(body)?.[1] ?? 0);
    expect(count('mail', 'sent')).toBeGreaterThanOrEqual(6);
    expect(count('slack', 'sent')).toBeGreaterThanOrEqual(3);
    expect(count('mail', 'suppressed')).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
