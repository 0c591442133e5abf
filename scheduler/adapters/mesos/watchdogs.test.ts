/** The heartbeat and offer watchdogs (watchdogs.ts), through MesosFramework on a fake connection. */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../proto';
import { deferred } from './testing/fake-connection';
import { offer, setup, startSubscribed } from './testing/framework-setup';

describe('MesosFramework: watchdogs', () => {
  it('heartbeat watchdog: drops a silent stream after 5 intervals and reconnects', async () => {
    const { conn, fw, clock, events } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed('fw-1', 2);
    await clock.advanceAsync(0);
    for (let i = 0; i < 4; i++) {
      await clock.advanceAsync(2000);
      conn.push({ type: 'HEARTBEAT' });
    }
    await clock.advanceAsync(9000); // 9 s of silence < 10 s
    expect(events.filter(([n]) => n === 'watchdog')).toHaveLength(0);
    await clock.advanceAsync(1000);
    const w = events.find(([n]) => n === 'watchdog')?.[1] as Json;
    expect(w).toMatchObject({ kind: 'heartbeat', action: 'reconnect' });
    expect(w.silentMs).toBeGreaterThanOrEqual(10_000);
    expect(conn.disconnects.length).toBeGreaterThan(0);
    expect(fw.state().connected).toBe(false);
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
    expect(fw.state().counters.watchdogFirings).toBe(1);
  });
  it('offer watchdog: work waiting without offers → REVIVE, then re-subscribe', async () => {
    const { conn, ports, fw, clock, events } = setup({ offerStarvationMs: 60_000 });
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    const keepAlive = async (ms: number) => {
      for (let t = 0; t < ms; t += 5000) {
        await clock.advanceAsync(5000);
        conn.push({ type: 'HEARTBEAT' });
      }
    };
    expect(conn.ofType('REVIVE')).toHaveLength(1); // on SUBSCRIBED
    await keepAlive(55_000);
    expect(events.filter(([n]) => n === 'watchdog')).toHaveLength(0);
    await keepAlive(10_000);
    const watchdogs = () => events.filter(([n]) => n === 'watchdog').map(([, p]) => p as Json);
    expect(watchdogs()).toHaveLength(1);
    expect(watchdogs()[0]).toMatchObject({ kind: 'offers', action: 'revive' });
    expect(conn.ofType('REVIVE')).toHaveLength(2);
    await keepAlive(60_000);
    expect(watchdogs()[1]).toMatchObject({ kind: 'offers', action: 'resubscribe' });
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
  });
  it('offer watchdog stays quiet when offers keep coming or there is no work', async () => {
    const { conn, ports, fw, clock, events } = setup({ offerStarvationMs: 30_000 });
    await startSubscribed({ fw, conn, clock });
    for (let i = 0; i < 20; i++) {
      await clock.advanceAsync(5000);
      conn.push({ type: 'HEARTBEAT' });
    }
    ports.work = true;
    for (let i = 0; i < 20; i++) {
      await clock.advanceAsync(5000);
      conn.push({ type: 'OFFERS', offers: { offers: [offer(`O${i}`)] } });
    }
    expect(events.filter(([n]) => n === 'watchdog')).toHaveLength(0);
  });
});

describe('MesosFramework: offer watchdog and a slow worker', () => {
  it('counts offers when they arrive, not when the worker gets round to them', async () => {
    // Before: lastOfferAt was set when the worker's answer came back, so offers queued behind a
    // slow onOffers looked like starvation: REVIVE at 60 s, re-subscribe at 120 s.
    const { conn, ports, fw, clock, events } = setup({ offerStarvationMs: 60_000 });
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    const slow = deferred<import('../../ports').OfferDecision>();
    let first = true;
    ports.decide = async (offers) => {
      if (first) {
        first = false;
        return slow.promise;
      }
      return { launches: [], declines: offers.map((o) => o.id) };
    };
    for (let i = 0; i < 30; i++) {
      conn.push({ type: 'OFFERS', offers: { offers: [offer(`O${i}`)] } });
      await clock.advanceAsync(5000);
    }
    expect(ports.offers).toHaveLength(1); // the worker is still on the first one
    expect(events.filter(([n]) => n === 'watchdog')).toEqual([]);
    expect(fw.state().lastOfferAt).toBe(clock.now() - 5000);
    slow.resolve({ launches: [], declines: ['O0'] });
    await clock.advanceAsync(0);
    expect(ports.offers).toHaveLength(30);
    expect(conn.ofType('DECLINE')).toHaveLength(30);
    // Still counted from the last arrival: starvation only 60 s after it.
    await clock.advanceAsync(50_000);
    conn.push({ type: 'HEARTBEAT' });
    expect(events.filter(([n]) => n === 'watchdog')).toEqual([]);
    await clock.advanceAsync(10_000);
    expect(events.filter(([n]) => n === 'watchdog').map(([, p]) => (p as Json).action)).toEqual(['revive']);
  });
});
