/**
 * "Still running", end to end on mesos-local: a `sleep` job with three short successful runs whose
 * fourth run sleeps far past NOTIFY_LONG_RUN_FACTOR × its p95 yields exactly one `still-running`
 * notification at a local HTTP receiver (its own rule sends the event to the webhook), and neither
 * further checks nor a new leader's watch over the same database repeat it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../core/types';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';
import { testNotifyConfig } from '../testing/notify-config';
import { startHttpReceiver, type HttpReceiver } from '../testing/notify-receivers';
import { LongRunWatch } from './long-run-watch';
import { notifySetup, type NotifySetup } from './notify-setup';
import { systemClock } from './system-clock';

let cluster: LocalCluster;
let web: HttpReceiver;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-long-run-'));
const secs = path.join(dir, 'secs');
let notify: NotifySetup;

beforeAll(async () => {
  web = await startHttpReceiver();
  // a run is "still running" past max(1.5 s, 2 × p95) once its job has 3 successful runs
  notify = notifySetup(testNotifyConfig({ http: web.url, longRun: { factor: 2, minRuns: 3, minMs: 1_500 }, gatherMs: 0 }), () => {}, Date.now, { pollMs: 100 });
  notify.longRun.pollMs = 200;
  cluster = await startLocalCluster({ dbPrefix: 'sisyphus_long_run', notify });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await web?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the job now and waits for its run to reach `state` (one run of the job at a time). */
async function runTo(name: string, state: RunState, timeoutMs = 20_000): Promise<string> {
  // listening before the run exists: it can reach the state before a wait started afterwards
  const reached = cluster.scheduler.events.next('run', (e) => e.run.jobName === name && e.run.state === state, timeoutMs);
  const taskId = await cluster.api.runJob(name);
  expect((await reached).run.taskId).toBe(taskId);
  return taskId;
}

describe('a run still running past its limit', () => {
  it('three 0.2 s runs, then one that sleeps 60 s: one still-running notification, once', async () => {
    fs.writeFileSync(secs, '0.2');
    await cluster.api.upsertIso8601({
      name: 'slow-encode',
      command: `echo "encoding chunk 1 of 40" >&2; sleep "$(cat ${secs})"`,
      schedule: 'R/2100-01-01T00:00:00Z/P1D',
      owner: 'ops@example.com',
      notifications: { rules: [{ events: ['still-running'], channels: ['webhook'] }] },
    });
    for (let i = 0; i < 3; i++) await runTo('slow-encode', 'FINISHED');
    // with two successful runs' history a short run is not news: nothing was sent
    expect(web.posts.items.filter((p) => p.path === '/webhook')).toHaveLength(0);

    fs.writeFileSync(secs, '60');
    const started = Date.now();
    const taskId = await runTo('slow-encode', 'RUNNING');
    const [post] = await web.posts.until((p) => p.some((x) => x.path === '/webhook'), 20_000, 'the still-running webhook');
    const took = Date.now() - started;
    const doc = JSON.parse(post.body) as Record<string, unknown>;
    expect(doc).toMatchObject({ event: 'still-running', job: 'slow-encode', runId: taskId, state: 'RUNNING' });
    // what the run has written so far, read from its sandbox while it runs
    expect(doc.stderr).toContain('encoding chunk 1 of 40');
    expect(String(doc.detail)).toMatch(/^still running after \d+ s, beyond 2 × its p95 duration of \d+ s over 3 successful runs/);
    // the limit is 1.5 s (NOTIFY_LONG_RUN_MIN_SECONDS here), checked every 200 ms
    expect(took).toBeGreaterThanOrEqual(1_500);
    expect(took).toBeLessThan(10_000);

    // further checks of this leader, and a new leader's watch over the same outbox, add nothing
    const watch = cluster.scheduler.longRuns!;
    expect(await watch.checkNow()).toBe(0);
    const next = new LongRunWatch({ worker: cluster.scheduler.worker, store: cluster.store, clock: systemClock, events: cluster.scheduler.events, router: notify.router, settings: notify.longRun });
    expect(await next.checkNow()).toBe(0);
    const rows = await cluster.store.notifications.list({ job: 'slow-encode' });
    expect(rows.map((r) => [r.event.kind, r.channel])).toEqual([['still-running', 'webhook']]);
    const until = Date.now() + 10_000;
    for (;;) {
      const settled = cluster.scheduler.events.next('notify', () => true, Math.max(1, until - Date.now())).catch(() => {});
      if ((await cluster.store.notifications.list({ job: 'slow-encode' }))[0].state === 'sent' || Date.now() >= until) break;
      await settled;
    }
    expect((await cluster.store.notifications.list({ job: 'slow-encode' }))[0].state).toBe('sent');

    const killed = cluster.scheduler.events.next('run', (e) => e.run.taskId === taskId && e.run.state === 'KILLED', 20_000);
    await cluster.api.killTasks('slow-encode');
    await killed;
    expect(web.posts.items.filter((p) => p.path === '/webhook')).toHaveLength(1);
  }, 90_000);
});
