/** The scheduler endpoint's status codes (mesos.md §1) and the SUBSCRIBE stream in both encodings. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { MesosLocal } from './master';
import { Subscription, request, frameworkInfo, getJson } from './test-client';
import { encode, mesosTypes } from '../proto';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-local-http-'));
const master = new MesosLocal({ port: 0, heartbeatIntervalSeconds: 0.2, allocationIntervalMs: 100, workDir, agents: [{ cpus: 2, mem: 2048 }] });
let url = '';

beforeAll(async () => {
  await master.start();
  url = master.url + '/api/v1/scheduler';
});
afterAll(async () => {
  await master.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const SUBSCRIBE = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } });
const JSON_CT = { 'Content-Type': 'application/json' };

describe('status codes', () => {
  const cases: { name: string; method?: string; headers?: Record<string, string>; body?: string; status: number; text?: RegExp }[] = [
    { name: '405 for GET', method: 'GET', status: 405 },
    { name: '405 for PUT', method: 'PUT', headers: JSON_CT, body: SUBSCRIBE, status: 405 },
    { name: '400 without Content-Type', body: SUBSCRIBE, status: 400, text: /Content-Type/ },
    { name: '415 for text/plain', headers: { 'Content-Type': 'text/plain' }, body: SUBSCRIBE, status: 415 },
    { name: '406 for an unacceptable Accept on SUBSCRIBE', headers: { ...JSON_CT, Accept: 'text/html' }, body: SUBSCRIBE, status: 406 },
    { name: '400 for bad JSON', headers: JSON_CT, body: '{"type":', status: 400, text: /Failed to parse body into JSON/ },
    { name: '400 for a JSON array', headers: JSON_CT, body: '[]', status: 400 },
    { name: '400 for an enum given as a number', headers: JSON_CT, body: JSON.stringify({ type: 1, subscribe: { framework_info: frameworkInfo() } }), status: 400, text: /JSON number/ },
    {
      name: '400 for a nested enum given as a number',
      headers: JSON_CT,
      body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ capabilities: [{ type: 5 }] }) } }),
      status: 400,
      text: /capabilities\.type/,
    },
    { name: '400 for a missing required field', headers: JSON_CT, body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } }), status: 400, text: /user/ },
    { name: '400 for a missing type', headers: JSON_CT, body: '{}', status: 400, text: /Expecting 'type'/ },
    { name: '400 for SUBSCRIBE without subscribe', headers: JSON_CT, body: '{"type":"SUBSCRIBE"}', status: 400, text: /Expecting 'subscribe'/ },
    { name: '400 for a stream id on SUBSCRIBE', headers: { ...JSON_CT, 'Mesos-Stream-Id': 'abc' }, body: SUBSCRIBE, status: 400, text: /Mesos-Stream-Id/ },
    { name: '400 for a call without framework_id', headers: JSON_CT, body: '{"type":"REVIVE"}', status: 400, text: /framework_id/ },
    { name: '400 "Framework cannot be found" for an unknown framework', headers: JSON_CT, body: '{"type":"REVIVE","framework_id":{"value":"nope"}}', status: 400, text: /^Framework cannot be found$/ },
    { name: '400 for bad protobuf', headers: { 'Content-Type': 'application/x-protobuf' }, body: '\xff\xff\xff', status: 400, text: /Call protobuf/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await request(url, { method: c.method ?? 'POST', headers: c.headers, body: c.body });
      expect(r.status, r.body).toBe(c.status);
      if (c.text) expect(r.body).toMatch(c.text);
    });
  }

  it('403 for a known framework that is not subscribed, 400 for missing or wrong stream id, 202 when right', async () => {
    const sub = await Subscription.open(master.url, { frameworkInfo: frameworkInfo({ failover_timeout: 60 }) });
    expect((await sub.call({ type: 'REVIVE' }, { headers: { 'Mesos-Stream-Id': 'wrong' } })).status).toBe(400);
    const missing = await request(url, { headers: JSON_CT, body: JSON.stringify({ type: 'REVIVE', framework_id: { value: sub.frameworkId } }) });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(/Mesos-Stream-Id/);
    const ok = await sub.call({ type: 'REVIVE' });
    expect(ok.status).toBe(202);
    expect(ok.body).toBe('');
    sub.close();
    await new Promise((r) => setTimeout(r, 100));
    const r = await sub.call({ type: 'REVIVE' });
    expect(r.status).toBe(403);
    expect(r.body).toBe('Framework is not subscribed');
  });

  it('401 without or with wrong credentials, and a stream with them', async () => {
    const m = new MesosLocal({ port: 0, workDir, credentials: { principal: 'alice', secret: 's3cret' }, agents: [{ cpus: 1, mem: 512 }] });
    await m.start();
    try {
      const u = m.url + '/api/v1/scheduler';
      const none = await request(u, { headers: JSON_CT, body: SUBSCRIBE });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Basic realm="mesos-master-scheduler"');
      const bad = await request(u, { headers: { ...JSON_CT, Authorization: 'Basic ' + Buffer.from('alice:nope').toString('base64') }, body: SUBSCRIBE });
      expect(bad.status).toBe(401);
      const auth = { Authorization: 'Basic ' + Buffer.from('alice:s3cret').toString('base64') };
      const mismatch = await request(u, { headers: { ...JSON_CT, ...auth }, body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ principal: 'bob' }) } }) });
      expect(mismatch.status).toBe(400);
      const sub = await Subscription.open(m.url, { headers: auth });
      expect(sub.status).toBe(200);
      expect((await sub.call({ type: 'REVIVE' }, { headers: auth })).status).toBe(202);
      expect((await sub.call({ type: 'REVIVE' })).status).toBe(401);
      sub.close();
    } finally {
      await m.stop();
    }
  });

  it('307 with a protocol-relative Location from a non-leader, and /redirect', async () => {
    const m = new MesosLocal({ port: 0, workDir, leaderUrl: `http://127.0.0.1:${master.port}`, agents: [{ cpus: 1, mem: 512 }] });
    await m.start();
    try {
      const r = await request(m.url + '/api/v1/scheduler', { headers: JSON_CT, body: SUBSCRIBE });
      expect(r.status).toBe(307);
      expect(r.headers.location).toBe(`//127.0.0.1:${master.port}/api/v1/scheduler`);
      const red = await request(m.url + '/redirect', { method: 'GET' });
      expect(red.status).toBe(307);
      expect(red.headers.location).toBe(`//127.0.0.1:${master.port}`);
      const state = await getJson(m.url + '/master/state');
      expect(state.leader).toBe(`master@127.0.0.1:${master.port}`);
    } finally {
      await m.stop();
    }
    const own = await request(master.url + '/redirect', { method: 'GET' });
    expect(own.headers.location).toBe(`//127.0.0.1:${master.port}`);
  });

  it('503 while recovering', async () => {
    master.fault('recovering');
    try {
      const r = await request(url, { headers: JSON_CT, body: SUBSCRIBE });
      expect(r.status).toBe(503);
    } finally {
      master.fault('recovered');
    }
    expect((await request(master.url + '/__faults/recovering', {})).status).toBe(200);
    expect((await request(url, { headers: JSON_CT, body: SUBSCRIBE })).status).toBe(503);
    await request(master.url + '/__faults/recovered', {});
  });
});

describe('SUBSCRIBE', () => {
  for (const encoding of ['json', 'protobuf'] as const) {
    it(`streams SUBSCRIBED, an immediate HEARTBEAT, heartbeats and offers (${encoding})`, async () => {
      const sub = await Subscription.open(master.url, { encoding });
      try {
        expect(sub.status).toBe(200);
        expect(sub.contentType).toBe(encoding === 'json' ? 'application/json' : 'application/x-protobuf');
        expect(sub.streamId).toMatch(/^[0-9a-f-]{36}$/);
        const first = sub.all[0];
        expect(first.type).toBe('SUBSCRIBED');
        expect(first.subscribed.framework_id.value).toMatch(new RegExp(`^${master.masterId}-\\d{4}$`));
        expect(first.subscribed.heartbeat_interval_seconds).toBe(0.2);
        expect(first.subscribed.master_info.port).toBe(master.port);
        expect(sub.all[1]?.type ?? (await sub.next('HEARTBEAT')).type).toBe('HEARTBEAT');
        await sub.next('HEARTBEAT', 2000);
        await sub.next('HEARTBEAT', 2000);
        const offers = await sub.offers();
        expect(offers.length).toBeGreaterThan(0);
        const cpus = offers[0].resources.find((r: { name: string }) => r.name === 'cpus');
        expect(cpus.scalar.value).toBeGreaterThan(0);
        expect(offers[0].resources.find((r: { name: string }) => r.name === 'ports').ranges.range.length).toBeGreaterThan(0);
        // Offers are held: decline them so the next test's frameworks get them.
        await sub.call({ type: 'DECLINE', decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 0 } } });
      } finally {
        sub.close();
      }
    });
  }

  it('accepts protobuf calls on a JSON stream', async () => {
    const sub = await Subscription.open(master.url);
    try {
      expect((await sub.call({ type: 'SUPPRESS', suppress: {} }, { encoding: 'protobuf' })).status).toBe(202);
      const bytes = Buffer.from(encode(mesosTypes().Call, { type: 'REVIVE', framework_id: { value: sub.frameworkId } }));
      const r = await request(url, { headers: { 'Content-Type': 'application/x-protobuf', 'Mesos-Stream-Id': sub.streamId }, body: bytes });
      expect(r.status).toBe(202);
    } finally {
      sub.close();
    }
  });

  it('picks protobuf when Accept allows only protobuf, JSON for */*', async () => {
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo({ failover_timeout: 0 }) } });
    for (const [accept, expected] of [
      ['application/x-protobuf', 'application/x-protobuf'],
      ['*/*', 'application/json'],
    ]) {
      const got = await new Promise<string>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent: false, headers: { ...JSON_CT, Accept: accept } }, (res: import('node:http').IncomingMessage) => {
          resolve(String(res.headers['content-type']));
          res.destroy();
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(got).toBe(expected);
    }
  });
});
