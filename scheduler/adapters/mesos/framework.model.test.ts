/**
 * A seeded model check of REVIVE/SUPPRESS: the real MesosFramework against a model master (one
 * agent, suppression, refuse filters, one outstanding offer, calls applied in FIFO order with the
 * stream id read when each is sent, as MesosClient does) and a model worker (a run queue behind a
 * serial chain: offers answered and runs queued in random order, `workArrived` after queueing).
 * Random interleavings of offers, calls, arrivals, SUBSCRIBED and dropped streams; the property:
 * work never waits 30 s without an offer (the offer watchdog is set out of reach, at 10 min).
 *
 * With every call accepted this held before the fix too (no interleaving of decisions leaves the
 * master suppressed); with REVIVE/SUPPRESS calls failing now and then it did not: 3 of these 30
 * seeds got stuck at a 20% failure rate, a failed REVIVE being counted as done. Likewise with ACCEPT
 * and DECLINE calls failing (an ACCEPT half the time after the master took it): 27 of 30 seeds got
 * stuck while the offer was never given back. Deterministic: a failure names its seed and the
 * master's last calls.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../proto';
import type { ClientEventMap } from './client';
import { TypedEmitter } from './emitter';
import type { FrameworkPorts, OfferDecision } from '../../ports';
import { MesosFramework } from './framework';
import { TestClock } from '../../testing/test-clock';
import { prng } from '../../testing/prng';


class ModelMaster extends TypedEmitter<ClientEventMap> {
  frameworkId: string | null = null;
  /** The client's current stream id (null while none is open). */
  private clientStream: string | null = null;
  private seq = 0;
  private calls: Array<{ call: Json; resolve: () => void; reject: (e: Error) => void }> = [];
  /** Steps waiting to happen (SUBSCRIBE answers, SUBSCRIBED events), picked at random. */
  readonly steps: Array<() => void> = [];
  // master state
  private stream: string | null = null;
  private ready: string | null = null; // SUBSCRIBED sent on this stream
  suppressed = true;
  filterUntil = 0;
  /** The offer the framework holds, if any; only an ACCEPT or DECLINE of that id gives it back. */
  private outstanding: string | null = null;
  readonly log: string[] = [];

  constructor(
    private readonly rnd: () => number,
    private readonly clock: TestClock,
    private readonly failRate: number,
    private readonly failing: readonly string[] = ['REVIVE', 'SUPPRESS'],
  ) {
    super();
  }

  async subscribe(call: Json): Promise<{ streamId: string; master: string }> {
    this.clientStream = null;
    const sid = `s${++this.seq}`;
    this.stream = sid;
    this.ready = null;
    this.outstanding = null;
    this.suppressed = (call.subscribe.suppressed_roles as string[]).length > 0;
    this.log.push(`SUBSCRIBE ${sid} suppressed=${this.suppressed}`);
    await new Promise<void>((r) => this.steps.push(r));
    if (this.stream !== sid) throw new Error('stream closed while subscribing');
    this.clientStream = sid;
    this.steps.push(() => {
      if (this.stream !== sid) return;
      this.ready = sid;
      this.send(sid, { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' }, heartbeat_interval_seconds: 100_000 } });
    });
    return { streamId: sid, master: 'http://m' };
  }

  call(call: Json): Promise<void> {
    return new Promise((resolve, reject) => this.calls.push({ call, resolve, reject }));
  }

  disconnect(): void {
    const id = this.clientStream;
    this.clientStream = null;
    if (id) this.emit('disconnected', { reason: 'dropped', streamId: id });
  }

  /** The master answers the oldest call (FIFO, one connection). */
  answerCall(): void {
    const c = this.calls.shift();
    if (!c) return;
    const type = String(c.call.type);
    const sid = this.clientStream;
    if (!sid) return c.reject(Object.assign(new Error('no stream'), { name: 'NotSubscribedError' }));
    if (sid !== this.stream) return c.reject(Object.assign(new Error('stale stream id'), { name: 'MesosHttpError' }));
    // An ACCEPT may also fail after the master took it (the answer was lost): applied, then rejected.
    const failed = this.failing.includes(type) && this.rnd() < this.failRate;
    const applied = failed && type === 'ACCEPT' && this.rnd() < 0.5;
    if (failed && !applied) {
      this.log.push(`${type} failed`);
      return c.reject(Object.assign(new Error('HTTP 500'), { name: 'MesosHttpError' }));
    }
    this.log.push(`${type} @${this.clock.now()}${applied ? ' (answer lost)' : ''}`);
    if (type === 'REVIVE') {
      this.suppressed = false;
      this.filterUntil = 0;
    } else if (type === 'SUPPRESS') this.suppressed = true;
    else if (type === 'DECLINE' || type === 'ACCEPT') {
      const ids = (c.call[type.toLowerCase()].offer_ids as Json[]).map((o) => o.value);
      if (this.outstanding === null || !ids.includes(this.outstanding)) return c.resolve(); // no longer valid: ignored
      this.outstanding = null;
      const refuse = Number(c.call[type.toLowerCase()].filters.refuse_seconds);
      this.filterUntil = Math.max(this.filterUntil, this.clock.now() + refuse * 1000);
    }
    if (applied) c.reject(Object.assign(new Error('ACCEPT: no answer within 75000 ms'), { name: 'Error' }));
    else c.resolve();
  }

  offer(): void {
    if (!this.stream || this.ready !== this.stream || this.suppressed || this.outstanding || this.clock.now() < this.filterUntil) return;
    const id = `O${++this.seq}`;
    this.outstanding = id;
    this.log.push(`OFFERS ${id}`);
    this.send(this.stream, {
      type: 'OFFERS',
      offers: { offers: [{ id: { value: id }, framework_id: { value: 'fw' }, agent_id: { value: 'A' }, hostname: 'a', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 4 } }] }] },
    });
  }

  /** The master loses the stream (closed connection). */
  drop(): void {
    if (!this.stream) return;
    this.stream = null;
    this.log.push('stream dropped');
    const id = this.clientStream;
    this.clientStream = null;
    if (id) this.emit('disconnected', { reason: 'stream ended', streamId: id });
  }

  private send(sid: string, ev: Json): void {
    if (this.clientStream === sid && this.stream === sid) this.emit('event', ev);
  }
}

async function run(seed: number, failRate: number, failing?: readonly string[]): Promise<string | null> {
  const rnd = prng(seed * 7919 + (failRate > 0 ? 1 : 0));
  const clock = new TestClock();
  const master = new ModelMaster(rnd, clock, failRate, failing);
  let queued = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const workerSteps: Array<() => void> = [];
  const onWorker = <T>(fn: () => T): Promise<T> => {
    const p = chain.then(() => new Promise<T>((resolve) => workerSteps.push(() => resolve(fn()))));
    chain = p;
    return p;
  };
  const ports: FrameworkPorts = {
    loadFrameworkId: async () => null,
    saveFrameworkId: async () => {},
    activeTasks: async () => [],
    onOffers: (offers) =>
      onWorker<OfferDecision>(() => {
        const n = Math.min(queued, 1 + Math.floor(rnd() * 3));
        queued -= n;
        if (n === 0) return { launches: [], declines: offers.map((o) => o.id) };
        const taskInfos = Array.from({ length: n }, (_, i) => ({ task_id: { value: `t${i}` } }));
        return { launches: [{ agentId: 'A', offerIds: [offers[0].id], taskInfos }], declines: [] };
      }),
    onUpdate: async () => {},
    hasWork: () => queued > 0,
  };
  const fw = new MesosFramework({ connection: master, ports, clock, random: () => 0.5, offerStarvationMs: 600_000 });
  fw.on('error', () => {});
  let lastOffers = clock.now();
  fw.on('offers', () => (lastOffers = clock.now()));
  await fw.start();
  let hungrySince: number | null = null;
  try {
    for (let step = 0; step < 2000; step++) {
      const r = rnd();
      if (r < 0.004) {
        void onWorker(() => {
          queued += 1 + Math.floor(rnd() * 30);
          fw.workArrived();
        });
      } else if (r < 0.35) workerSteps.shift()?.();
      else if (r < 0.6) master.answerCall();
      else if (r < 0.7) master.steps.splice(Math.floor(rnd() * master.steps.length), 1)[0]?.();
      else if (r < 0.8) master.offer();
      else if (r < 0.802) master.drop();
      await clock.advanceAsync(Math.floor(rnd() * 300));
      hungrySince = queued > 0 ? (hungrySince ?? clock.now()) : null;
      if (hungrySince !== null && clock.now() - Math.max(hungrySince, lastOffers) > 30_000) {
        const s = fw.state();
        return `seed ${seed}: ${queued} runs queued for 30 s without offers; master suppressed=${master.suppressed}, framework suppressed=${s.suppressed} connected=${s.connected}\n${master.log.slice(-20).join('\n')}`;
      }
    }
    return null;
  } finally {
    fw.stop();
  }
}

describe('MesosFramework model check: queued work always gets offers', () => {
  const stuck = async (seeds: number, failRate: number, failing?: readonly string[]) => {
    const found: string[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const r = await run(seed, failRate, failing);
      if (r) found.push(r);
    }
    return found;
  };

  it('with every call accepted', async () => {
    expect(await stuck(20, 0)).toEqual([]);
  });

  it('with REVIVE and SUPPRESS calls failing now and then (20%)', async () => {
    // before the fix: seeds 1, 17 and 25 stuck
    expect(await stuck(30, 0.2)).toEqual([]);
  });

  it('with ACCEPT and DECLINE calls failing now and then (20%; an ACCEPT half the time after the master took it)', async () => {
    // Before: a failed DECLINE, or a failed ACCEPT that never reached the master, left the offer
    // outstanding (mesos has no offer timeout by default): no further offer until a stream drop.
    // Now the ACCEPT's offers are declined, a DECLINE is sent once more, then re-subscribe.
    expect(await stuck(30, 0.2, ['ACCEPT', 'DECLINE'])).toEqual([]);
  });
});
