/** Allocation, filters, SUPPRESS/REVIVE, DRF, and the framework lifecycle (failover, failover_timeout, TEARDOWN). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MesosLocal } from './master';
import { Subscription, frameworkInfo, getJson } from './test-client';
import type { Json } from '../proto';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-local-offers-'));
const master = new MesosLocal({ port: 0, heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, statusUpdateRetryMs: 200, workDir, agents: [{ cpus: 2, mem: 2048 }, { cpus: 2, mem: 2048 }] });

beforeAll(() => master.start());
afterAll(async () => {
  await master.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const ids = (offers: Json[]) => offers.map((o) => o.id);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('offers', () => {
  it('sends one offer per agent in one OFFERS event, holds them, honours a decline filter for refuse_seconds, and REVIVE clears it', async () => {
    const sub = await Subscription.open(master.url);
    try {
      const offers = await sub.offers();
      expect(offers).toHaveLength(2);
      expect(new Set(offers.map((o) => o.agent_id.value)).size).toBe(2);
      // Held: no new offers while the framework keeps them.
      expect(await sub.arrives('OFFERS', 400)).toBe(false);
      await sub.call({ type: 'DECLINE', decline: { offer_ids: ids(offers), filters: { refuse_seconds: 1 } } });
      const t0 = Date.now();
      expect(await sub.arrives('OFFERS', 600)).toBe(false);
      const again = await sub.offers(2000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      let all = again;
      if (all.length < 2) all = all.concat(await sub.offers(1000));
      await sub.call({ type: 'DECLINE', decline: { offer_ids: ids(all), filters: { refuse_seconds: 3600 } } });
      expect(await sub.arrives('OFFERS', 400)).toBe(false);
      await sub.call({ type: 'REVIVE', revive: {} });
      expect((await sub.offers(1000)).length).toBeGreaterThan(0);
    } finally {
      sub.close();
    }
  });

  it('refuse filters do not survive a lost stream: re-subscribed with the id, the framework is offered at once', async () => {
    const first = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60 }) });
    let all = await first.offers();
    if (all.length < 2) all = all.concat(await first.offers(1000));
    await first.call({ type: 'DECLINE', decline: { offer_ids: ids(all), filters: { refuse_seconds: 3600 } } });
    expect(await first.arrives('OFFERS', 300)).toBe(false);
    first.close();
    await sleep(200); // the master sees the stream close: deactivated
    const again = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60, id: { value: first.frameworkId } }) });
    try {
      expect((await again.offers(1000)).length).toBeGreaterThan(0); // no REVIVE needed
    } finally {
      again.close();
    }
  });

  it('SUPPRESS stops offers until REVIVE; suppressed_roles on SUBSCRIBE replaces the suppressed set', async () => {
    const sub = await Subscription.open(master.url, { suppressedRoles: ['*'] });
    try {
      expect(await sub.arrives('OFFERS', 400)).toBe(false);
      await sub.call({ type: 'REVIVE', revive: { roles: ['*'] } });
      const offers = await sub.offers(1000);
      await sub.call({ type: 'SUPPRESS', suppress: {} });
      await sub.call({ type: 'DECLINE', decline: { offer_ids: ids(offers), filters: { refuse_seconds: 0 } } });
      expect(await sub.arrives('OFFERS', 500)).toBe(false);
      await sub.call({ type: 'REVIVE', revive: {} });
      expect((await sub.offers(1000)).length).toBeGreaterThan(0);
    } finally {
      sub.close();
    }
  });

  it('recovers what an ACCEPT leaves unused, with the call filter', async () => {
    const sub = await Subscription.open(master.url);
    try {
      const [offer] = await sub.offers();
      await sub.launch(offer, [{ task_id: { value: 'small' }, command: { value: 'sleep 5' } }], { refuse_seconds: 0 });
      const s = await sub.update('small', 'TASK_STARTING');
      await sub.ack(s);
      const next = await sub.offers(1000);
      const sameAgent = next.find((o) => o.agent_id.value === offer.agent_id.value);
      expect(sameAgent).toBeDefined();
      const cpus = sameAgent!.resources.find((r: Json) => r.name === 'cpus').scalar.value;
      expect(cpus).toBeCloseTo(1.9);
      // gone before the next test: its resources coming back later would be offered in the middle of it
      // (updates come in order, each after the previous one is acknowledged)
      await sub.ack(await sub.update('small', 'TASK_RUNNING'));
      await sub.call({ type: 'KILL', kill: { task_id: { value: 'small' } } });
      await sub.ack(await sub.update('small', 'TASK_KILLED'));
    } finally {
      sub.close();
    }
  });

  it('shares agents by DRF: two idle frameworks get one agent each', async () => {
    const a = await Subscription.open(master.url);
    const first = await a.offers();
    expect(first).toHaveLength(2); // alone, a gets the whole cluster
    const b = await Subscription.open(master.url);
    try {
      await a.call({ type: 'DECLINE', decline: { offer_ids: ids(first), filters: { refuse_seconds: 0 } } });
      const got = [...(await a.offers()), ...(await b.offers())];
      expect(got).toHaveLength(2);
      expect(new Set(got.map((o) => o.agent_id.value)).size).toBe(2);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('framework lifecycle', () => {
  it('re-subscribing with the id sends "Framework failed over" to the old stream and closes it', async () => {
    const first = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60 }) });
    const second = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60, id: { value: first.frameworkId } }) });
    try {
      expect(second.frameworkId).toBe(first.frameworkId);
      expect(second.streamId).not.toBe(first.streamId);
      const err = await first.next('ERROR');
      expect(err.error.message).toBe('Framework failed over');
      expect(await first.waitEnd()).toBe(true);
      expect((await first.call({ type: 'REVIVE' })).status).toBe(400); // old stream id
      expect((await second.call({ type: 'REVIVE' })).status).toBe(202);
    } finally {
      first.close();
      second.close();
    }
  });

  it('removes a disconnected framework after failover_timeout and kills its tasks; its id is then refused', async () => {
    const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 0.4 }) });
    const [offer] = await sub.offers();
    await sub.launch(offer, [{ task_id: { value: 'orphan' }, command: { value: 'sleep 30' } }]);
    await sub.ack(await sub.update('orphan', 'TASK_STARTING'));
    sub.close();
    await sleep(200);
    let state = await getJson(master.url + '/master/state');
    const inactive = state.frameworks.find((f: Json) => f.id === sub.frameworkId);
    expect(inactive.active).toBe(false);
    expect(inactive.tasks).toHaveLength(1);
    await sleep(500);
    state = await getJson(master.url + '/master/state');
    expect(state.frameworks.find((f: Json) => f.id === sub.frameworkId)).toBeUndefined();
    expect(state.completed_frameworks.find((f: Json) => f.id === sub.frameworkId)).toBeDefined();
    const again = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ id: { value: sub.frameworkId } }) });
    expect(again.all[0]).toEqual({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    expect(await again.waitEnd()).toBe(true);
    const r = await sub.call({ type: 'REVIVE' });
    expect(r.status).toBe(400);
    expect(r.body).toBe('Framework cannot be found');
  });

  it('TEARDOWN kills tasks, ends the stream and retires the id', async () => {
    const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60 }) });
    const [offer] = await sub.offers();
    await sub.launch(offer, [{ task_id: { value: 'td' }, command: { value: 'sleep 30' } }]);
    await sub.update('td', 'TASK_STARTING');
    expect((await sub.call({ type: 'TEARDOWN' })).status).toBe(202);
    expect(await sub.waitEnd()).toBe(true);
    const state = await getJson(master.url + '/master/state');
    const done = state.completed_frameworks.find((f: Json) => f.id === sub.frameworkId);
    expect(done.completed_tasks[0].state).toBe('TASK_KILLED');
  });
});
