/** REVIVE and SUPPRESS (revive-suppress.ts), through MesosFramework on a fake connection. */
import { describe, expect, it } from 'vitest';
import { MesosHttpError } from './client';
import { offer, setup, startSubscribed } from './testing/framework-setup';

describe('MesosFramework: revive and suppress', () => {
  it('REVIVEs when work arrives (first at once, then at most once per interval) and SUPPRESSes when idle', async () => {
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000 });
    await startSubscribed({ fw, conn, clock });
    expect(conn.types()).toEqual([]); // suppressed via SUBSCRIBE's suppressed_roles
    expect(fw.state().suppressed).toBe(true);

    ports.work = true;
    fw.workArrived();
    expect(conn.types()).toEqual(['REVIVE']);
    expect(conn.calls[0].revive.roles).toEqual(['*']);
    expect(fw.state().suppressed).toBe(false);
    fw.workArrived();
    fw.workArrived();
    await clock.advanceAsync(4999);
    expect(conn.ofType('REVIVE')).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(conn.ofType('REVIVE')).toHaveLength(2); // the coalesced one

    // An offer arrives while work waits: declined with a short filter, no suppress.
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    const d1 = conn.ofType('DECLINE')[0];
    expect(d1.decline).toEqual({ offer_ids: [{ value: 'O1' }], filters: { refuse_seconds: 2 } });
    expect(conn.ofType('SUPPRESS')).toHaveLength(0);

    // The queue empties: the next offer is declined for long, then SUPPRESS.
    ports.work = false;
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O2')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('DECLINE')[1].decline.filters).toEqual({ refuse_seconds: 300 });
    expect(conn.types().slice(-2)).toEqual(['DECLINE', 'SUPPRESS']);
    expect(fw.state().suppressed).toBe(true);

    // workDrained with nothing to do is a no-op once suppressed.
    fw.workDrained();
    expect(conn.ofType('SUPPRESS')).toHaveLength(1);
    const s = fw.state().counters;
    expect(s).toMatchObject({ offersReceived: 2, offersDeclined: 2, revives: 2 });
  });
  it('a REVIVE the master did not accept is not counted as revived: REVIVEd again while work waits', async () => {
    // Before: the framework marked itself unsuppressed when it decided to REVIVE, so a REVIVE lost
    // to an HTTP error left the master suppressed while queued work got no offers and no further
    // arrival REVIVEd at once: nothing until the offer watchdog (60–65 s; seen once under load).
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000, offerStarvationMs: 60_000 });
    await startSubscribed({ fw, conn, clock });
    expect(fw.state().suppressed).toBe(true);
    conn.callFailures.push({ type: 'REVIVE', error: new MesosHttpError(500, 'Internal Server Error', 'REVIVE', false) });
    ports.work = true;
    fw.workArrived();
    await clock.advanceAsync(0);
    expect(conn.ofType('REVIVE')).toHaveLength(1);
    expect(fw.state().suppressed).toBe(true); // the master may still be suppressed
    for (let i = 0; i < 5; i++) {
      await clock.advanceAsync(1000);
      conn.push({ type: 'HEARTBEAT' });
    }
    expect(conn.ofType('REVIVE')).toHaveLength(2); // after reviveMinIntervalMs, not after the watchdog
    expect(fw.state().suppressed).toBe(false);
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('DECLINE')[0].decline.filters.refuse_seconds).toBe(2);

    // A new arrival right after a failed REVIVE does not wait for the interval either.
    conn.callFailures.push({ type: 'REVIVE', error: new MesosHttpError(500, '', 'REVIVE', false) });
    ports.work = false;
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O2')] } });
    await clock.advanceAsync(0);
    expect(conn.types().at(-1)).toBe('SUPPRESS');
    ports.work = true;
    fw.workArrived(); // fails
    await clock.advanceAsync(0);
    fw.workArrived(); // within the interval, but the master may be suppressed: at once
    await clock.advanceAsync(0);
    expect(conn.ofType('REVIVE')).toHaveLength(4);
    expect(fw.state().suppressed).toBe(false);
    expect(conn.types().slice(-3)).toEqual(['SUPPRESS', 'REVIVE', 'REVIVE']);
  });
  it('after a re-subscribe with work waiting, a failed REVIVE is sent again too', async () => {
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000 });
    await startSubscribed({ fw, conn, clock });
    conn.callFailures.push({ type: 'REVIVE', error: Object.assign(new Error('no stream'), { name: 'NotSubscribedError' }) });
    ports.work = true;
    conn.breakStream();
    fw.workArrived(); // disconnected: ignored
    await clock.advanceAsync(1000);
    expect(conn.subscribes[1].subscribe.suppressed_roles).toEqual([]);
    conn.subscribed();
    await clock.advanceAsync(0);
    expect(conn.ofType('REVIVE')).toHaveLength(1); // fails (scripted) but belongs to this stream
    expect(fw.state().suppressed).toBe(true);
    await clock.advanceAsync(5000);
    expect(conn.ofType('REVIVE')).toHaveLength(2);
  });
});
