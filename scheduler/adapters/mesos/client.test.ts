import { afterEach, describe, expect, it } from 'vitest';
import type { Encoding, Json } from '../../../proto';
import { ACK_SOCKETS, MesosClient, MesosHttpError, NotSubscribedError } from './client';
import { StaticDetector } from './detect';
import { FakeMaster } from './testing/fake-master';

const SUBSCRIBE: Json = {
  type: 'SUBSCRIBE',
  subscribe: { framework_info: { user: 'root', name: 'sisyphus-test', failover_timeout: 604800, checkpoint: true } },
};

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  cleanups = [];
});

async function master(opts: ConstructorParameters<typeof FakeMaster>[0] = {}): Promise<FakeMaster> {
  const m = await new FakeMaster(opts).start();
  cleanups.push(() => m.stop());
  return m;
}

function client(opts: Partial<ConstructorParameters<typeof MesosClient>[0]> & { master: string }): MesosClient {
  const c = new MesosClient({ retryInitialMs: 20, retryMaxMs: 100, ...opts });
  cleanups.push(() => c.close());
  return c;
}

function collect(c: MesosClient): Json[] {
  const events: Json[] = [];
  c.on('event', (e) => events.push(e));
  return events;
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MesosClient', () => {
  for (const encoding of ['json', 'protobuf'] as Encoding[]) {
    it(`subscribes, decodes re-chunked events and sends calls in ${encoding}`, async () => {
      const m = await master({ rechunk: 42, frameworkId: 'fw-enc' });
      const c = client({ master: m.url, encoding });
      const events = collect(c);
      const { streamId } = await c.subscribe(SUBSCRIBE);
      expect(streamId).toBe('stream-1');
      expect(m.subscribes[0].encoding).toBe(encoding);
      expect(m.subscribes[0].headers.accept).toBe(encoding === 'json' ? 'application/json' : 'application/x-protobuf');
      expect(m.subscribes[0].headers['mesos-stream-id']).toBeUndefined();
      m.stream!.send({
        type: 'OFFERS',
        offers: {
          offers: [
            {
              id: { value: 'O1' },
              framework_id: { value: 'fw-enc' },
              agent_id: { value: 'A1' },
              hostname: 'hôte-ü',
              resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 2 } }],
            },
          ],
        },
      });
      await until(() => events.length >= 3);
      expect(events.map((e) => e.type)).toEqual(['SUBSCRIBED', 'HEARTBEAT', 'OFFERS']);
      expect(events[0].subscribed.framework_id.value).toBe('fw-enc');
      expect(events[2].offers.offers[0].hostname).toBe('hôte-ü');

      c.frameworkId = 'fw-enc';
      await c.call({ type: 'REVIVE', revive: { roles: ['*'] } });
      const rec = m.calls[0];
      expect(rec.encoding).toBe(encoding);
      expect(rec.headers['mesos-stream-id']).toBe('stream-1');
      expect(rec.call.framework_id).toEqual({ value: 'fw-enc' });
      expect(rec.call.revive).toEqual({ roles: ['*'] });
    });
  }

  it('follows a protocol-relative 307 to the leader and remembers it', async () => {
    const leader = await master();
    const follower = await master();
    follower.subscribeReplies.push({ status: 307, headers: { Location: `//127.0.0.1:${leader.port}/api/v1/scheduler` } });
    const c = client({ master: follower.url });
    const leaders: string[] = [];
    c.on('leader', (l) => leaders.push(l.master));
    const { master: at } = await c.subscribe(SUBSCRIBE);
    expect(at).toBe(leader.url);
    expect(c.master).toBe(leader.url);
    expect(leaders).toContain(leader.url);
    expect(follower.subscribes).toHaveLength(1);
    expect(leader.subscribes).toHaveLength(1);
    await c.call({ type: 'REVIVE' });
    expect(leader.calls).toHaveLength(1);
    expect(follower.calls).toHaveLength(0);
  });

  it('follows a 307 on a call too', async () => {
    const a = await master();
    const b = await master();
    const c = client({ master: a.url });
    await c.subscribe(SUBSCRIBE);
    a.callReplies.push({ status: 307, headers: { Location: `//127.0.0.1:${b.port}/api/v1/scheduler` } });
    await c.call({ type: 'SUPPRESS' });
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(1);
    expect(c.master).toBe(b.url);
  });

  it('finds the leader in a static list through GET /redirect, skipping dead masters', async () => {
    const leader = await master();
    const other = await master();
    other.redirectTo = `//127.0.0.1:${leader.port}`;
    const det = new StaticDetector(['http://127.0.0.1:1', `127.0.0.1:${other.port}`], { probeTimeoutMs: 1000 });
    const c = new MesosClient({ master: det });
    cleanups.push(() => c.close());
    await c.subscribe(SUBSCRIBE);
    expect(other.redirectHits).toHaveLength(1);
    expect(leader.subscribes).toHaveLength(1);
  });

  it('retries 503 and 404 with backoff', async () => {
    const m = await master();
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    m.callReplies.push({ status: 503, body: 'No leader elected' }, { status: 404 }, { status: 503 });
    await c.call({ type: 'REVIVE' });
    expect(m.calls).toHaveLength(4);
    const gaps = m.calls.slice(1).map((rec, i) => rec.at - m.calls[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(15);
  });

  it('reports 503 on SUBSCRIBE as a retryable HTTP error', async () => {
    const m = await master();
    m.subscribeReplies.push({ status: 503, body: 'No leader elected' });
    const c = client({ master: m.url });
    await expect(c.subscribe(SUBSCRIBE)).rejects.toMatchObject({ status: 503 });
    await c.subscribe(SUBSCRIBE); // the next attempt works
  });

  const resubscribeCases: Array<[string, number, string]> = [
    ['400 Framework cannot be found', 400, 'Framework cannot be found'],
    ['403 not subscribed', 403, 'Framework is not subscribed'],
  ];
  for (const [name, status, body] of resubscribeCases) {
    it(`asks for a re-subscribe on ${name}`, async () => {
      const m = await master();
      const c = client({ master: m.url });
      await c.subscribe(SUBSCRIBE);
      const seen = c.next('resubscribe');
      m.callReplies.push({ status, body });
      const err = await c.call({ type: 'REVIVE' }).catch((e) => e);
      expect(err).toBeInstanceOf(MesosHttpError);
      expect(err.needsResubscribe).toBe(true);
      expect((await seen).status).toBe(status);
    });
  }

  it('turns other 4xx into an error event with the body', async () => {
    const m = await master();
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    const seen = c.next('error');
    m.callReplies.push({ status: 400, body: 'Failed to validate scheduler::Call: Expecting accept to be present' });
    const err = await c.call({ type: 'ACCEPT' }).catch((e) => e);
    expect(err.needsResubscribe).toBe(false);
    expect((await seen).body).toContain('Expecting accept');
  });

  it('sends ACKNOWLEDGE calls side by side, beside the ordered queue', async () => {
    const m = await master();
    let inFlight = 0;
    let maxInFlight = 0;
    m.server.on('request', (req, res) => {
      if (req.method !== 'POST' || req.headers['mesos-stream-id'] === undefined) return; // calls only
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
    });
    m.callDelayMs = () => 40;
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    const acks = Array.from({ length: 8 }, (_, i) =>
      c.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A' }, task_id: { value: `t${i}` }, uuid: 'AAAAAAAAAAAAAAAAAAAAAA==' } }),
    );
    await Promise.all(acks);
    expect(m.calls.filter((r) => r.call.type === 'ACKNOWLEDGE')).toHaveLength(8);
    expect(maxInFlight).toBeGreaterThan(1); // not one after another
  });

  it('keeps thousands of acknowledgements in its own queue: at most ACK_SOCKETS at the master, oldest first, a resent one acknowledged once', async () => {
    const m = await master();
    let inFlight = 0;
    let maxInFlight = 0;
    m.server.on('request', (req, res) => {
      if (req.method !== 'POST' || req.headers['mesos-stream-id'] === undefined) return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
    });
    m.callDelayMs = () => 1;
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    const ack = (i: number) =>
      c.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A' }, task_id: { value: `t${i}` }, uuid: 'AAAAAAAAAAAAAAAAAAAAAA==' } });
    const acks = Array.from({ length: 2000 }, (_, i) => ack(i));
    const again = ack(1999); // the same update resent before its acknowledgement went out
    await Promise.all([...acks, again]);
    const sent = m.calls.filter((r) => r.call.type === 'ACKNOWLEDGE').map((r) => String((r.call.acknowledge as Json).task_id.value));
    expect(sent).toHaveLength(2000);
    expect(new Set(sent).size).toBe(2000);
    expect(maxInFlight).toBeLessThanOrEqual(ACK_SOCKETS);
    expect(maxInFlight).toBeGreaterThan(1);
    // oldest first: the k-th call to reach the master was among the first k + ACK_SOCKETS queued
    const late = sent.map((t, k) => ({ t, k })).filter(({ t, k }) => Number(t.slice(1)) >= k + ACK_SOCKETS);
    expect(late).toEqual([]);
  });

  it('closing the client rejects the acknowledgements still waiting (the agent resends them)', async () => {
    const m = await master();
    m.callDelayMs = () => 200;
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    const acks = Array.from({ length: ACK_SOCKETS + 20 }, (_, i) =>
      c.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A' }, task_id: { value: `t${i}` }, uuid: 'AAAAAAAAAAAAAAAAAAAAAA==' } }),
    );
    const settled = Promise.allSettled(acks);
    await new Promise((r) => setTimeout(r, 20));
    await c.close();
    const results = await settled;
    const waiting = results.slice(ACK_SOCKETS);
    expect(waiting).toHaveLength(20);
    expect(waiting.every((r) => r.status === 'rejected' && r.reason instanceof NotSubscribedError)).toBe(true);
  });

  it('sends calls strictly in order, one at a time, whatever their latency', async () => {
    const m = await master();
    let inFlight = 0;
    let maxInFlight = 0;
    m.server.on('request', (req) => {
      if (req.method !== 'POST') return;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.on('close', () => inFlight--);
    });
    m.callDelayMs = (call) => (call.decline ? 30 : 1);
    const c = client({ master: m.url });
    await c.subscribe(SUBSCRIBE);
    const N = 30;
    const ps: Promise<void>[] = [];
    for (let i = 0; i < N; i++) {
      ps.push(
        i % 3 === 0
          ? c.call({ type: 'DECLINE', decline: { offer_ids: [{ value: `O${i}` }] } })
          : c.call({ type: 'REVIVE', revive: { roles: [`r${i}`] } }),
      );
    }
    await Promise.all(ps);
    const seen = m.calls.map((r) => r.call.decline?.offer_ids[0].value ?? r.call.revive.roles[0]);
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => (i % 3 === 0 ? `O${i}` : `r${i}`)));
    expect(maxInFlight).toBeLessThanOrEqual(2); // the SUBSCRIBE stream plus one call
  });

  it('sends basic auth on every request', async () => {
    const m = await master();
    const det = new StaticDetector([m.url], { credentials: { principal: 'sisyphus', secret: 's3cr3t' } });
    const c = new MesosClient({ master: det, credentials: { principal: 'sisyphus', secret: 's3cr3t' } });
    cleanups.push(() => c.close());
    await c.subscribe(SUBSCRIBE);
    await c.call({ type: 'REVIVE' });
    const expected = `Basic ${Buffer.from('sisyphus:s3cr3t').toString('base64')}`;
    expect(m.redirectHits[0].authorization).toBe(expected);
    expect(m.subscribes[0].headers.authorization).toBe(expected);
    expect(m.calls[0].headers.authorization).toBe(expected);
  });

  const broken: Array<[string, (s: NonNullable<FakeMaster['stream']>) => void]> = [
    ['a malformed JSON event', (s) => s.sendRaw(Buffer.from('5\n{{{{{'))],
    ['a zero length', (s) => s.sendRaw(Buffer.from('0\n'))],
    ['a non-numeric length', (s) => s.sendRaw(Buffer.from('<html>oops</html>'))],
    ['a stream cut inside a record', (s) => { s.sendRaw(Buffer.from('100\n{"type":')); s.end(); }],
    ['a dropped connection', (s) => s.destroy()],
  ];
  for (const [name, breakIt] of broken) {
    it(`reports ${name} as a disconnect (no crash) and can subscribe again`, async () => {
      const m = await master();
      const c = client({ master: m.url });
      const events = collect(c);
      await c.subscribe(SUBSCRIBE);
      await until(() => events.length === 2);
      const gone = c.next('disconnected');
      breakIt(m.stream!);
      const d = await gone;
      expect(d.streamId).toBe('stream-1');
      expect(c.connected).toBe(false);
      expect(c.streamId).toBeNull();
      await expect(c.call({ type: 'REVIVE' })).rejects.toBeInstanceOf(NotSubscribedError);
      await c.subscribe(SUBSCRIBE);
      await until(() => events.length === 4);
      expect(c.streamId).toBe('stream-2');
    });
  }

  it('times out a call that gets no answer', async () => {
    const m = await master();
    m.callDelayMs = () => 2000;
    const c = client({ master: m.url, callTimeoutMs: 200 });
    await c.subscribe(SUBSCRIBE);
    const t0 = Date.now();
    await expect(c.call({ type: 'REVIVE' })).rejects.toThrow(/timed out|no answer/);
    expect(Date.now() - t0).toBeLessThan(1500);
  });
});
