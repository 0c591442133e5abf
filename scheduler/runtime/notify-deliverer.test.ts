/**
 * The outbox and its deliverer against the real PostgreSQL and a real SMTP server: a leader that
 * dies with undelivered or claimed notifications leaves them to the next one, which delivers
 * each once; one that dies mid-send (the receiver has it, the leader never heard back) means a
 * second send once the lease ends, with the same delivery id (at-least-once); an SMTP server that refuses or does not answer gets retries with the reason on the
 * row, and the worker goes on meanwhile; a storm of 200 failures is one digest.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpChannel } from '../adapters/notify';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { parseJob } from '../api/job-schema';
import { deletedEvent } from '../core/notify-events';
import type { Job } from '../core/types';
import type { Store } from '../ports';
import { testNotifyConfig } from '../testing/notify-config';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../testing/notify-receivers';
import { TestClock } from '../testing/test-clock';
import { EventBus } from './events';
import { NotifyDeliverer } from './notify-deliverer';
import { notifySetup, type NotifySetup } from './notify-setup';
import { Worker } from './worker';

let db: TestDatabase;
let store: PrismaStore;
let smtp: SmtpReceiver;
let web: HttpReceiver;

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_notify_outbox');
  store = await createStore({ databaseUrl: db.url });
  [smtp, web] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
}, 60_000);
afterAll(async () => {
  await store?.close();
  await db?.drop();
  await Promise.all([smtp?.close(), web?.close()]);
});

const T0 = Date.UTC(2026, 11, 7, 1, 0, 0);
const job = (name: string, owner: string): Job => {
  const r = parseJob({ name, command: 'false', owner, retries: 0, schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: T0 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const setup = (o: Parameters<typeof testNotifyConfig>[0]): NotifySetup => notifySetup(testNotifyConfig({ gatherMs: 0, ...o }), () => {}, () => T0, { leaseMs: 30_000 });
const deliverer = (s: Store, clock: TestClock, n: NotifySetup, events = new EventBus()) =>
  new NotifyDeliverer({ store: s, clock, events, channels: n.channels, settings: n.settings });
const mailsTo = (to: string) => smtp.mails.items.filter((m) => m.to.includes(to));

describe('durable across a leader change or a restart', () => {
  it('undelivered and half-sent notifications of a dead leader are delivered once by the next', async () => {
    const n = setup({ smtpPort: smtp.port });
    await store.raiseEpoch(1);
    const leaderA = store.fenced(1);
    // leader A records three deletions (owners: one address each) and dies before delivering
    // two of them; the third it had claimed and was sending when it died
    await leaderA.transaction(async (tx) => {
      for (const name of ['a1', 'a2', 'a3']) await tx.notifications.add(n.router.route(deletedEvent(job(name, `${name}@example.com`), T0), {}), T0, 0);
    });
    const claimedByA = await leaderA.notifications.claim(T0, 30_000, 1);
    expect(claimedByA.map((r) => r.event.job)).toEqual(['a1']);

    // leader B: a new process (its own store over the same database) with a larger epoch
    const storeB = await createStore({ databaseUrl: db.url });
    try {
      await storeB.raiseEpoch(2);
      const clock = new TestClock(T0 + 1_000);
      const b = deliverer(storeB.fenced(2), clock, n);
      await b.deliverNow();
      await smtp.mails.until((m) => m.some((x) => x.to.includes('a3@example.com')), 10_000, 'a2 and a3');
      expect(mailsTo('a2@example.com')).toHaveLength(1);
      expect(mailsTo('a3@example.com')).toHaveLength(1);
      // a1 is still A's until its lease ends; then B sends it, once
      expect(mailsTo('a1@example.com')).toHaveLength(0);
      clock.set(T0 + 31_000);
      await b.deliverNow();
      await smtp.mails.until((m) => m.some((x) => x.to.includes('a1@example.com')), 10_000, 'a1');
      // A, fenced, cannot settle what it claimed; further rounds send nothing again
      await expect(leaderA.notifications.settle([{ id: claimedByA[0].id, state: 'sent', attempted: true, at: T0 }])).rejects.toThrow(/fenced/);
      clock.set(T0 + 120_000);
      await b.deliverNow();
      for (const to of ['a1', 'a2', 'a3']) expect(mailsTo(`${to}@example.com`), to).toHaveLength(1);
      const rows = await storeB.notifications.list({ states: ['sent'] });
      expect(rows.filter((r) => ['a1', 'a2', 'a3'].includes(r.event.job))).toHaveLength(3);
    } finally {
      await storeB.close();
    }
  });
  it('a leader that dies mid-send: the next one sends again once the lease ends, with the same delivery id (at-least-once)', async () => {
    const n = setup({ http: web.url });
    const onlyWebhook = { notifications: { rules: [{ events: ['deleted' as const], channels: ['webhook' as const] }] } };
    const forJob = (name: string) => web.posts.items.filter((p) => (JSON.parse(p.body) as { job?: string }).job === name);
    await store.raiseEpoch(3);
    const leaderA = store.fenced(3);
    await leaderA.notifications.add(n.router.route(deletedEvent(job('mid-send', 'x@example.com'), T0), onlyWebhook), T0, 0);
    // A sends; the receiver gets the request and hangs; A dies before it hears back
    web.stall = true;
    const roundA = deliverer(leaderA, new TestClock(T0), n).deliverNow();
    const [held] = await web.held.until((h) => h.some((x) => x.body.includes('"mid-send"')), 10_000, 'the held webhook');
    const storeB = await createStore({ databaseUrl: db.url });
    try {
      await storeB.raiseEpoch(4);
      const clock = new TestClock(T0 + 1_000);
      const b = deliverer(storeB.fenced(4), clock, n);
      web.stall = false;
      await b.deliverNow();
      expect(forJob('mid-send')).toHaveLength(0); // A's claim holds until its lease ends
      clock.set(T0 + 31_000);
      await b.deliverNow();
      const [again] = forJob('mid-send');
      expect(forJob('mid-send')).toHaveLength(1);
      // the same event twice at the receiver, with the same id: it can drop the second
      expect(again.headers['x-sisyphus-delivery']).toBe(held.headers['x-sisyphus-delivery']);
      expect((JSON.parse(again.body) as { id: string }).id).toBe((JSON.parse(held.body) as { id: string }).id);
      // A hears back late: its settle is fenced; the row stays sent once, by B
      web.answer();
      await expect(roundA).rejects.toThrow(/fenced/);
      const [row] = await storeB.notifications.list({ job: 'mid-send' });
      expect(row).toMatchObject({ state: 'sent', attempts: 1 });
    } finally {
      web.stall = false;
      web.answer();
      await storeB.close();
    }
  });
});

describe('an SMTP server that is down', () => {
  it('is retried with backoff, the reason is on the row and in the failed list, then it is delivered', async () => {
    const n = setup({ smtpPort: smtp.port, maxAttempts: 3 });
    const clock = new TestClock(T0);
    const events = new EventBus();
    const results: string[] = [];
    events.on('notify', (e) => results.push(`${e.channel}:${e.result}`));
    const d = deliverer(store, clock, n, events);
    await store.notifications.add(n.router.route(deletedEvent(job('down1', 'down@example.com'), T0), {}), T0, 0);
    smtp.refuse = 'mail system down for maintenance';
    await d.deliverNow();
    let [row] = await store.notifications.list({ job: 'down1' });
    expect(row).toMatchObject({ state: 'pending', attempts: 1, nextAt: T0 + 5_000 });
    expect(row.lastError).toMatch(/mail: SMTP server 127\.0\.0\.1:\d+: .*mail system down for maintenance/);
    expect((await store.notifications.list({ withError: true })).map((r) => r.id)).toContain(row.id);
    // not due yet: nothing is tried
    clock.set(T0 + 4_000);
    await d.deliverNow();
    expect((await store.notifications.list({ job: 'down1' }))[0].attempts).toBe(1);
    smtp.refuse = null;
    clock.set(T0 + 5_000);
    await d.deliverNow();
    [row] = await store.notifications.list({ job: 'down1' });
    expect(row).toMatchObject({ state: 'sent', attempts: 2 });
    expect(mailsTo('down@example.com')).toHaveLength(1);
    expect(results).toEqual(['mail:retrying', 'mail:sent']);
  });

  it('gives up after NOTIFY_MAX_ATTEMPTS: failed, with the reason', async () => {
    const n = setup({ smtpPort: smtp.port, maxAttempts: 2 });
    const clock = new TestClock(T0);
    const d = deliverer(store, clock, n);
    await store.notifications.add(n.router.route(deletedEvent(job('down2', 'down2@example.com'), T0), {}), T0, 0);
    smtp.refuse = 'no';
    try {
      await d.deliverNow();
      clock.set(T0 + 60_000);
      await d.deliverNow();
    } finally {
      smtp.refuse = null;
    }
    const [row] = await store.notifications.list({ job: 'down2' });
    expect(row).toMatchObject({ state: 'failed', attempts: 2 });
    expect(row.lastError).toMatch(/SMTP server .*: .*no/);
  });

  it('a server that never answers delays only its mails: the worker stores runs and jobs meanwhile', async () => {
    // a TCP server that accepts and says nothing (nodemailer waits for the greeting)
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    const n = notifySetup(testNotifyConfig({ smtpPort: port, gatherMs: 0 }), () => {}, () => T0);
    n.channels.set('mail', new SmtpChannel({ host: '127.0.0.1', port, secure: false, auth: null, from: 'sisyphus@example.com', timeoutMs: 2_000 }));
    const clock = new TestClock(T0);
    const worker = new Worker({ store, clock, notify: n.router });
    await worker.start();
    const d = deliverer(store, clock, n);
    try {
      await store.notifications.add(n.router.route(deletedEvent(job('hang', 'hang@example.com, hang2@example.com, hang3@example.com'), T0), {}), T0, 0);
      let delivered = false;
      const round = d.deliverNow().then(() => (delivered = true));
      const t = Date.now();
      for (let i = 0; i < 20; i++) await worker.storeJob(job(`busy-${i}`, 'x@example.com'));
      const id = await worker.runNow(job('busy-0', 'x@example.com'), '');
      const took = Date.now() - t;
      expect(delivered).toBe(false);
      expect((await store.runs.getByTaskId(id))?.state).toBe('QUEUED');
      expect(took).toBeLessThan(2_000);
      await round;
      // one timeout for the round, not one per mail: the others wait with the reason, untried
      expect(Date.now() - t).toBeLessThan(2 * 2_000 + 1_500);
      const rows = await store.notifications.list({ job: 'hang' });
      expect(rows.map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);
      expect(rows.map((r) => r.attempts).sort()).toEqual([0, 0, 1]);
      for (const row of rows) expect(row.lastError).toMatch(/SMTP server 127\.0\.0\.1:\d+: .*(timeout|Greeting never received)/i);
      expect(rows.filter((r) => r.lastError!.startsWith('not tried: '))).toHaveLength(2);
    } finally {
      worker.stop();
      silent.close();
    }
  }, 30_000);
});

describe('no storms', () => {
  it('200 failures at once give one digest per owner and channel, not 200 messages', async () => {
    const n = setup({ smtpPort: smtp.port, http: web.url, digestAfter: 5 });
    const clock = new TestClock(T0);
    const worker = new Worker({ store, clock, notify: n.router, retryDelayMs: 1_000 });
    await worker.start();
    try {
      const jobs = Array.from({ length: 200 }, (_, i) => job(`storm-${String(i).padStart(3, '0')}`, 'night-owl@example.com'));
      await Promise.all(jobs.map((j) => worker.storeJob(j)));
      const ids = await Promise.all(jobs.map((j) => worker.runNow(j, '')));
      // every run fails (no retries): 200 "failed" events, stored with the updates
      await Promise.all(ids.map((taskId) => worker.onUpdate({ taskId, state: 'TASK_FAILED', message: 'exit 1' })));
      const before = smtp.mails.items.length;
      const posts = web.posts.items.length;
      await deliverer(store, clock, n).deliverNow();
      const mails = smtp.mails.items.slice(before).filter((m) => m.to.includes('night-owl@example.com'));
      expect(mails).toHaveLength(1);
      expect(mails[0].subject).toBe('[sisyphus] 200 notifications for 200 jobs (failed)');
      expect(mails[0].text).toContain('storm-000 failed');
      expect(mails[0].text).toContain('storm-199 failed');
      const slack = web.posts.items.slice(posts).filter((p) => p.path.startsWith('/slack'));
      expect(slack).toHaveLength(1);
      const hook = web.posts.items.slice(posts).filter((p) => p.path === '/webhook');
      expect(hook).toHaveLength(1);
      expect(JSON.parse(hook[0].body)).toMatchObject({ event: 'digest', count: 200 });
      const rows = await store.notifications.list({ states: ['sent'], limit: 1000 });
      expect(rows.filter((r) => r.event.job.startsWith('storm-') && r.channel === 'mail')).toHaveLength(200);
      expect(rows.find((r) => r.event.job === 'storm-007' && r.channel === 'mail')?.note).toMatch(/sent in a digest of 200/);
    } finally {
      worker.stop();
    }
  }, 60_000);
});
