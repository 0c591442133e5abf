/**
 * Notifications across a leader killed with SIGKILL, with real processes over the real ZooKeeper
 * and PostgreSQL and real tasks on mesos-local: while the webhook receiver is down (it answers
 * 503: each delivery is retried with backoff), a `sleep` run goes past its limit (one
 * `still-running` event) and six jobs are deleted (six `deleted` events); the leader is killed -9
 * with all seven undelivered; the receiver comes back and the next leader delivers each event
 * exactly once (counted by the delivery id the webhook carries, and by job), and its own watch,
 * seeing the same run still running, adds no second `still-running`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../../scheduler/adapters/prisma';
import { startHttpReceiver, type HttpReceiver } from '../../scheduler/testing/notify-receivers';
import { useHaCluster } from './ha-cluster';
import { waitFor, waitForLeader } from './support';

const JOBS = Array.from({ length: 6 }, (_, i) => `night-${i}`);
const LONG = 'long-night';

let store: PrismaStore;
let web: HttpReceiver;

// hooks in this order: the receiver before the instances (their env names it), the store after
// the database; after the tests they run the other way round
beforeAll(async () => {
  web = await startHttpReceiver();
});
afterAll(async () => {
  await web?.close();
});

const cluster = useHaCluster({
  name: 'notify',
  agents: [{ cpus: 8, mem: 8192, disk: 10000 }],
  instances: 2,
  env: () => ({
    // still-running after max(2 s, 3 × p95) once a job has one successful run
    NOTIFY_LONG_RUN_MIN_RUNS: '1',
    NOTIFY_LONG_RUN_MIN_SECONDS: '2',
    NOTIFY_WEBHOOK_URL: `${web.url}/webhook`,
    NOTIFY_GATHER_MS: '0',
    // one message per event (no digest), none suppressed: what arrives can be counted per event
    NOTIFY_DIGEST_AFTER: '100',
    NOTIFY_WINDOW_SECONDS: '0',
  }),
});
const { instances } = cluster;

beforeAll(async () => {
  store = await createStore({ databaseUrl: cluster.db.url });
});
afterAll(async () => {
  await store?.close();
});

const EVENTS = [...JOBS, LONG];
const webhookRows = async () => (await store.notifications.list({ limit: 100 })).filter((r) => r.channel === 'webhook' && EVENTS.includes(r.event.job));
const runsOf = async (job: string) => (await store.runs.list({ jobName: job })).runs;

describe('notifications across a leader killed with SIGKILL', () => {
  it('events undelivered when the leader dies are delivered once each by the next leader', async () => {
    const { leader: first } = await waitForLeader(instances);
    web.status = 503;
    const secs = path.join(cluster.dir, 'secs');
    fs.writeFileSync(secs, '0.2');
    const created = await fetch(`${first.url}/v1/scheduler/iso8601`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: LONG,
        command: `sleep "$(cat ${secs})"`,
        schedule: 'R/2100-01-01T00:00:00Z/P1D',
        owner: 'ops@example.com',
        notifications: { rules: [{ events: ['still-running', 'deleted'], channels: ['webhook'] }] },
      }),
    });
    expect(created.status).toBe(204);
    expect((await fetch(`${first.url}/v1/scheduler/job/${LONG}`, { method: 'PUT' })).status).toBe(204);
    await waitFor('a first short run', async () => (await runsOf(LONG)).some((r) => r.state === 'FINISHED'), 30_000);
    fs.writeFileSync(secs, '120');
    expect((await fetch(`${first.url}/v1/scheduler/job/${LONG}`, { method: 'PUT' })).status).toBe(204);
    const long = await waitFor('the long run running', async () => (await runsOf(LONG)).find((r) => r.state === 'RUNNING'), 30_000);
    // past 2 s the first leader stores one still-running (the receiver refuses it)
    await waitFor('the still-running event', async () => (await webhookRows()).some((r) => r.event.kind === 'still-running' && r.lastError !== null), 30_000);

    for (const name of JOBS) {
      const put = await fetch(`${first.url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D', owner: 'ops@example.com' }),
      });
      expect(put.status).toBe(204);
      expect((await fetch(`${first.url}/v1/scheduler/job/${name}`, { method: 'DELETE' })).status).toBe(204);
    }
    // the first leader tried and was refused: all six pending with the reason (after one refusal
    // in a round, the others to the same URL wait untried: 'not tried: …')
    const tried = await waitFor('seven refused deliveries', async () => {
      const rows = await webhookRows();
      return rows.length === EVENTS.length && rows.every((r) => r.state === 'pending' && r.lastError !== null) && rows;
    }, 30_000);
    for (const r of tried) expect(r.lastError).toMatch(/webhook: http:\/\/127\.0\.0\.1:\d+ answered 503/);
    expect(tried.some((r) => r.attempts >= 1)).toBe(true);
    expect(web.posts.items).toHaveLength(0);

    first.kill9();
    await first.exited;
    web.status = 200;
    const { leader: next } = await waitForLeader(instances, 30_000);
    expect(next).not.toBe(first);

    // the next leader sends each (after its backoff: its watch has looked at the long run, still
    // running, at takeover meanwhile) and records it sent
    await web.posts.until((p) => p.length >= EVENTS.length, 60_000, 'seven webhook posts');
    const rows = await waitFor('seven webhook rows sent', async () => {
      const rs = await webhookRows();
      return rs.length === EVENTS.length && rs.every((r) => r.state === 'sent') && rs;
    }, 30_000);
    expect((await runsOf(LONG)).find((r) => r.taskId === long.taskId)?.state).toBe('RUNNING');
    // nothing is pending or claimed any more: what the receiver has is all it will get
    const posts = web.posts.items.filter((p) => p.path === '/webhook');
    const ids = posts.map((p) => String(p.headers['x-sisyphus-delivery']));
    expect(new Set(ids).size).toBe(posts.length);
    expect(ids.sort()).toEqual(rows.map((r) => r.id).sort());
    const docs = posts.map((p) => JSON.parse(p.body) as { id: string; event: string; job: string; runId?: string });
    expect(docs.map((d) => `${d.event} ${d.job}`).sort()).toEqual([...JOBS.map((j) => `deleted ${j}`), `still-running ${LONG}`].sort());
    expect(docs.find((d) => d.event === 'still-running')?.runId).toBe(long.taskId);
    expect(docs.map((d) => d.id).sort()).toEqual(ids.sort());
  }, 240_000);
});
