/**
 * What the worker puts into the outbox beyond Chronos (per-job rules: a skipped run, a recovery),
 * and a setup with bad settings: reported once, listed, never thrown.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { testNotifyConfig } from '../testing/notify-config';
import { TestClock } from '../testing/test-clock';
import { notifySetup } from './notify-setup';
import { Worker } from './worker';

const T0 = Date.UTC(2026, 11, 7, 0, 0, 0);
const job = (json: Record<string, unknown>): Job => {
  const r = parseJob(json, { now: T0 });
  if (!r.ok) throw new Error(`${r.error.field}: ${r.error.message}`);
  return r.value;
};

describe('per-job rules in the worker', () => {
  it('a run skipped past its epsilon notifies the job’s own webhook in the same transaction; a job without the rule does not', async () => {
    const n = notifySetup(testNotifyConfig({}), () => {}, () => T0);
    const store = new MemoryStore();
    const rules = { rules: [{ events: ['skipped'], channels: ['webhook'] }], webhookUrl: 'https://hooks.example.com/late' };
    await store.jobs.put(job({ name: 'late', command: 'true', schedule: `R/${new Date(T0).toISOString()}/PT1H`, epsilon: 'PT1M', notifications: rules }));
    await store.jobs.put(job({ name: 'late-plain', command: 'true', schedule: `R/${new Date(T0).toISOString()}/PT1H`, epsilon: 'PT1M' }));
    const clock = new TestClock(T0 + 10 * 60_000); // 10 minutes late: past the epsilon
    const worker = new Worker({ store, clock, notify: n.router });
    await worker.start();
    await worker.tick();
    await worker.idle();
    const runs = (await store.runs.list({})).runs;
    expect(runs.map((r) => [r.jobName, r.state])).toEqual(expect.arrayContaining([['late', 'SKIPPED'], ['late-plain', 'SKIPPED']]));
    const rows = await store.notifications.list({});
    expect(rows.map((r) => [r.event.job, r.event.kind, r.channel, r.recipient])).toEqual([['late', 'skipped', 'webhook', 'https://hooks.example.com/late']]);
    expect(rows[0].event.run?.state).toBe('SKIPPED');
    worker.stop();
  });

  it('recovered goes where the rule says; failed (not in the rules) goes nowhere', async () => {
    const n = notifySetup(testNotifyConfig({ http: 'http://127.0.0.1:9' }), () => {}, () => T0);
    const store = new MemoryStore();
    const clock = new TestClock(T0);
    const worker = new Worker({ store, clock, notify: n.router });
    await worker.start();
    const j = job({ name: 'flaky', command: 'true', owner: 'o@example.com', retries: 0, schedule: 'R/2100-01-01T00:00:00Z/P1D', notifications: { rules: [{ events: ['recovered'], channels: ['slack'] }] } });
    await worker.storeJob(j);
    const first = await worker.runNow(j, '');
    await worker.onUpdate({ taskId: first, state: 'TASK_FAILED' });
    clock.advance(1_000);
    const second = await worker.runNow(j, 'again');
    await worker.onUpdate({ taskId: second, state: 'TASK_FINISHED' });
    const rows = await store.notifications.list({});
    expect(rows.map((r) => [r.event.kind, r.channel])).toEqual([['recovered', 'slack']]);
    expect(rows[0].event.detail).toBe('succeeded after 1 failure');
    worker.stop();
  });
});

describe('bad settings', () => {
  it('are reported once each and listed, the channel is off; an SMTP server down at start is listed by verify', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const reports: string[] = [];
    const cfg = testNotifyConfig({ smtpPort: port });
    cfg.input.slackUrl = 'not a url';
    cfg.input.sentryDsn = 'https://sentry.example.com/1';
    const n = notifySetup(cfg, (m) => reports.push(m), () => T0);
    expect(n.configured.sort()).toEqual(['mail']);
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/SLACK_URL must be an http\(s\) URL, got 'not a url'; slack notifications are off/);
    expect(reports[1]).toMatch(/SENTRY_DSN must be a DSN/);
    await n.verify();
    await n.verify(); // checked once
    expect(reports).toHaveLength(3);
    expect(n.problems.map((p) => p.setting)).toEqual(['SLACK_URL', 'SENTRY_DSN', 'MAIL_SERVER']);
    expect(n.problems[2].message).toMatch(/^unreachable at start: mail: SMTP server 127\.0\.0\.1:\d+: .*ECONNREFUSED.*; notifications wait and are retried$/);
    n.channels.get('mail')?.close?.();
  });
});
