/** Fault injection, over HTTP (POST /__faults/<name>) and through the MesosLocal API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MesosLocal } from './master';
import { Subscription, frameworkInfo, request } from './test-client';
import type { Json } from '../proto';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-local-faults-'));
const master = new MesosLocal({ port: 0, heartbeatIntervalSeconds: 0.2, allocationIntervalMs: 100, statusUpdateRetryMs: 200, workDir, agents: [{ cpus: 2, mem: 2048 }, { cpus: 2, mem: 2048 }] });

beforeAll(() => master.start());
afterAll(async () => {
  await master.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const fault = (name: string, arg?: string) => request(`${master.url}/__faults/${name}${arg ? '/' + encodeURIComponent(arg) : ''}`, {});

async function until(sub: Subscription, taskId: string, state: string): Promise<Json> {
  for (;;) {
    const s = await sub.update(taskId);
    if (s.uuid) await sub.ack(s);
    if (s.state === state) return s;
  }
}

/** A subscribed framework with one running `sleep 30` task; other offers declined for a long while. */
async function withRunningTask(taskId: string, info: Json = {}) {
  const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60, ...info }) });
  const offers = await sub.offers();
  const offer = offers[0];
  await sub.launch(offer, [{ task_id: { value: taskId }, command: { value: 'sleep 30' } }], { refuse_seconds: 0 });
  await sub.call({ type: 'DECLINE', decline: { offer_ids: offers.slice(1).map((o) => o.id), filters: { refuse_seconds: 0 } } });
  await until(sub, taskId, 'TASK_RUNNING');
  return { sub, offer };
}

describe('faults', () => {
  it('drop-stream: the stream ends, calls get 403, re-subscribing with the id works and tasks kept running', async () => {
    const { sub } = await withRunningTask('ds');
    expect((await fault('drop-stream')).status).toBe(200);
    expect(await sub.waitEnd()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect((await sub.call({ type: 'REVIVE' })).status).toBe(403);
    const again = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60, id: { value: sub.frameworkId } }) });
    try {
      await again.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ds' } }] } });
      expect((await again.update('ds')).state).toBe('TASK_RUNNING');
      await again.call({ type: 'KILL', kill: { task_id: { value: 'ds' } } });
      await until(again, 'ds', 'TASK_KILLED');
    } finally {
      again.close();
    }
  });

  it('silence: the connection stays open but heartbeats stop', async () => {
    const sub = await Subscription.open(master.url);
    try {
      await sub.next('HEARTBEAT');
      await sub.next('HEARTBEAT', 1000);
      expect((await fault('silence')).status).toBe(200);
      sub.discard(() => true);
      expect(await sub.arrives('HEARTBEAT', 700)).toBe(false);
      expect(sub.ended).toBe(false);
      // The framework is still "connected" as far as the master knows.
      expect((await sub.call({ type: 'REVIVE' })).status).toBe(202);
      // A watchdog re-subscribes: the new stream is live.
      const fresh = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ id: { value: sub.frameworkId } }) });
      await fresh.next('HEARTBEAT', 1000);
      fresh.close();
    } finally {
      sub.close();
    }
  });

  it('failover: new master id, 400 "Framework cannot be found" until re-SUBSCRIBE, tasks kept and re-associated', async () => {
    const { sub } = await withRunningTask('fo', { capabilities: [{ type: 'PARTITION_AWARE' }] });
    const oldMaster = master.masterId;
    expect((await fault('failover')).status).toBe(200);
    expect(master.masterId).not.toBe(oldMaster);
    expect(await sub.waitEnd()).toBe(true);
    const r = await sub.call({ type: 'REVIVE' });
    expect(r.status).toBe(400);
    expect(r.body).toBe('Framework cannot be found');
    const again = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60, id: { value: sub.frameworkId }, capabilities: [{ type: 'PARTITION_AWARE' }] }) });
    try {
      expect(again.all[0].subscribed.master_info.id).toBe(master.masterId);
      expect(again.frameworkId).toBe(sub.frameworkId);
      await again.call({ type: 'RECONCILE', reconcile: { tasks: [] } });
      expect((await again.update('fo')).state).toBe('TASK_RUNNING');
      await again.call({ type: 'KILL', kill: { task_id: { value: 'fo' } } });
      await until(again, 'fo', 'TASK_KILLED');
    } finally {
      again.close();
    }
  });

  it('lose-agent: RESCIND of its offers, FAILURE{agent_id}, tasks LOST (UNREACHABLE when partition-aware); restore-agent brings it back', async () => {
    for (const pa of [false, true]) {
      const { sub, offer } = await withRunningTask(`la-${pa}`, pa ? { capabilities: [{ type: 'PARTITION_AWARE' }] } : {});
      try {
        const agentId = offer.agent_id.value;
        // Get an offer for the rest of the same agent outstanding.
        const held = (await sub.offers(2000)).find((o) => o.agent_id.value === agentId);
        expect((await fault('lose-agent', agentId)).status).toBe(200);
        const failure = await sub.next('FAILURE');
        expect(failure.failure).toEqual({ agent_id: { value: agentId } });
        if (held) expect((await sub.next('RESCIND')).rescind.offer_id.value).toBe(held.id.value);
        const s = await sub.update(`la-${pa}`);
        expect(s.state).toBe(pa ? 'TASK_UNREACHABLE' : 'TASK_LOST');
        expect(s.uuid).toBeUndefined();
        await sub.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'nope' }, agent_id: { value: agentId } }] } });
        expect((await sub.update('nope')).state).toBe(pa ? 'TASK_UNREACHABLE' : 'TASK_LOST');
        expect((await fault('lose-agent', agentId)).status).toBe(404);
        expect((await fault('restore-agent', agentId)).status).toBe(200);
      } finally {
        sub.close();
      }
    }
  });

  it('crash-executor: TASK_FAILED with REASON_EXECUTOR_TERMINATED and FAILURE{agent_id, executor_id, status}', async () => {
    const { sub, offer } = await withRunningTask('crash');
    try {
      expect((await fault('crash-executor', 'crash')).status).toBe(200);
      const s = await until(sub, 'crash', 'TASK_FAILED');
      expect(s.reason).toBe('REASON_EXECUTOR_TERMINATED');
      const f = await sub.next('FAILURE');
      expect(f.failure.agent_id.value).toBe(offer.agent_id.value);
      expect(f.failure.executor_id.value).toBe('crash');
      expect(typeof f.failure.status).toBe('number');
      expect((await fault('crash-executor', 'crash')).status).toBe(404);
    } finally {
      sub.close();
    }
  });

  it('stop-offers / resume-offers stall and restart the allocator; error sends ERROR', async () => {
    master.stopOffers();
    const sub = await Subscription.open(master.url);
    try {
      expect(await sub.arrives('OFFERS', 500)).toBe(false);
      expect((await fault('resume-offers')).status).toBe(200);
      expect((await sub.offers(1000)).length).toBeGreaterThan(0);
      expect((await request(`${master.url}/__faults/error?message=${encodeURIComponent('boom')}`, {})).status).toBe(200);
      expect((await sub.next('ERROR')).error.message).toBe('boom');
      expect((await request(`${master.url}/__faults/no-such-fault`, {})).status).toBe(404);
    } finally {
      sub.close();
    }
  });
});
