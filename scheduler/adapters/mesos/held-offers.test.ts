/**
 * Offers kept for work due soon (OfferDecision.hold, held-offers.ts), through MesosFramework on a
 * fake connection: neither accepted nor declined while kept, handed to the worker again at the
 * next workArrived (no REVIVE round trip), a rescinded one never, and declined at the deadline.
 */
import { describe, expect, it } from 'vitest';
import type { Offer } from '../../core/types';
import { offer, setup, startSubscribed } from './testing/framework-setup';

const ids = (offers: Offer[]) => offers.map((o) => o.id);

describe('MesosFramework: offers kept for work due soon', () => {
  it('keeps the offers the worker holds, and hands them to it again when the work arrives', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true; // runs prepared ahead come due soon
    await startSubscribed({ fw, conn, clock });
    const seen: string[][] = [];
    ports.decide = async (offers) => {
      seen.push(ids(offers));
      return { launches: [], declines: [], hold: { offerIds: ids(offers), until: clock.now() + 3000 } };
    };
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1'), offer('O2', 'A2')] } });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O3', 'A3')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('DECLINE')).toEqual([]);
    expect(conn.ofType('ACCEPT')).toEqual([]);
    expect(conn.types()).not.toContain('SUPPRESS');

    // the instant: the runs are queued; the kept offers come back to the worker at once, together
    ports.decide = async (offers) => {
      seen.push(ids(offers));
      return { launches: [{ agentId: 'A2', offerIds: ['O2'], taskInfos: [{ name: 't', task_id: { value: 't' } }] }], declines: ['O1', 'O3'] };
    };
    conn.calls = [];
    fw.workArrived();
    await clock.advanceAsync(0);
    expect(seen.at(-1)!.sort()).toEqual(['O1', 'O2', 'O3']);
    expect(conn.ofType('ACCEPT').map((c) => c.accept.offer_ids)).toEqual([[{ value: 'O2' }]]);
    expect(conn.ofType('DECLINE').map((c) => c.decline.offer_ids)).toEqual([[{ value: 'O1' }, { value: 'O3' }]]);
    // handed over once: the next arrival has nothing kept to hand over
    const rounds = seen.length;
    fw.workArrived();
    await clock.advanceAsync(5000);
    expect(seen).toHaveLength(rounds);
    expect(fw.state().counters.offersReceived).toBe(3);
  });

  it('a kept offer the master rescinds is never handed over or answered', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    const seen: string[][] = [];
    ports.decide = async (offers) => {
      seen.push(ids(offers));
      return { launches: [], declines: [], hold: { offerIds: ids(offers), until: clock.now() + 3000 } };
    };
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1'), offer('O2', 'A2')] } });
    await clock.advanceAsync(0);
    conn.push({ type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } });
    await clock.advanceAsync(0);
    ports.decide = async (offers) => {
      seen.push(ids(offers));
      return { launches: [], declines: ids(offers) };
    };
    conn.calls = [];
    fw.workArrived();
    await clock.advanceAsync(0);
    expect(seen.at(-1)).toEqual(['O2']);
    expect(conn.ofType('DECLINE').map((c) => c.decline.offer_ids)).toEqual([[{ value: 'O2' }]]);
  });

  it('offers still kept at the deadline (no work came) are declined; a stopped framework forgets them', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    ports.decide = async (offers) => ({ launches: [], declines: [], hold: { offerIds: ids(offers), until: clock.now() + 3000 } });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(2999);
    expect(conn.ofType('DECLINE')).toEqual([]);
    await clock.advanceAsync(1);
    expect(conn.ofType('DECLINE').map((c) => c.decline.offer_ids)).toEqual([[{ value: 'O1' }]]);

    // kept, then the framework stops (its stream goes: the master rescinds them): nothing is handed over
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O4')] } });
    await clock.advanceAsync(0);
    const seen: string[][] = [];
    ports.decide = async (offers) => {
      seen.push(ids(offers));
      return { launches: [], declines: ids(offers) };
    };
    conn.calls = [];
    fw.stop('test');
    fw.workArrived();
    await clock.advanceAsync(5000);
    expect(seen).toEqual([]);
    expect(conn.ofType('DECLINE')).toEqual([]);
  });
});
