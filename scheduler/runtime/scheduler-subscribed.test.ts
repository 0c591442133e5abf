/**
 * Scheduler.subscribed(): the framework subscribes while the worker loads, so SUBSCRIBED can come
 * before assemble() returns. Waiting for the next 'framework' event then waited for a second
 * subscription that never came (CI: "timed out after 60000 ms waiting for a 'framework' event" on
 * mesos-local, whose SUBSCRIBED is quick). subscribed() answers at once when already subscribed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';

let c: LocalCluster;
beforeAll(async () => {
  c = await startLocalCluster({ dbPrefix: 'sisyphus_subscribed' });
}, 60_000);
afterAll(async () => {
  await c?.stop();
}, 30_000);

it('answers at once when the framework is already subscribed (no second SUBSCRIBED needed)', async () => {
  expect(c.scheduler.framework!.state().connected).toBe(true);
  const started = Date.now();
  await c.scheduler.subscribed(5_000);
  expect(Date.now() - started).toBeLessThan(1_000);
});

it('called while the stream is down, it answers only once the framework has subscribed again', async () => {
  const order: string[] = [];
  let back: Promise<void> | null = null;
  const off = c.scheduler.events.on('framework', (e) => {
    if (e.kind === 'subscribed') order.push('SUBSCRIBED');
    if (e.kind === 'disconnected' && !back) back = c.scheduler.subscribed(20_000).then(() => void order.push('answered'));
  });
  try {
    // the master closes the subscription stream (as a restarted master does); the framework
    // re-subscribes, maybe before the fault's answer is read: awaited from before the fault
    const resubscribed = c.scheduler.events.next('framework', (e) => e.kind === 'subscribed', 20_000);
    expect((await fetch(`${c.mesos.url}/__faults/drop-stream`, { method: 'POST' })).status).toBe(200);
    await resubscribed;
    await back;
    expect(order).toEqual(['SUBSCRIBED', 'answered']);
  } finally {
    off();
  }
});
