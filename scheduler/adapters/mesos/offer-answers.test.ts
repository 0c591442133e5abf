/** Answering offers: ACCEPT and DECLINE, and those calls failing (offer-answers.ts), through MesosFramework on a fake connection. */
import { describe, expect, it } from 'vitest';
import { MesosHttpError } from './client';
import { deferred } from './testing/fake-connection';
import { offer, setup, startSubscribed, update } from './testing/framework-setup';

describe('MesosFramework: offers', () => {
  it('the last call decided wins whatever the order of offers, arrivals and the worker (calls are ordered)', async () => {
    // The interleavings suspected of leaving the framework suppressed with work queued: SUPPRESS
    // decided from hasWork() while the worker is about to queue runs, and arrivals while a
    // SUPPRESS is in flight. The flag flips when the decision is taken and calls leave in that
    // order, so the call sent last always matches the queue.
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000 });
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    // 1. The offer handler drains the queue; runs are queued before the framework looks again.
    const deciding = deferred<import('../../ports').OfferDecision>();
    ports.decide = () => deciding.promise;
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    fw.workArrived(); // work arrives while the decision is pending (rate-limited: deferred)
    deciding.resolve({ launches: [{ agentId: 'A1', offerIds: ['O1'], taskInfos: [{ name: 't', task_id: { value: 't' } }] }], declines: [] });
    await clock.advanceAsync(0);
    expect(conn.types().at(-1)).toBe('ACCEPT'); // still busy: no SUPPRESS
    expect(conn.ofType('ACCEPT')[0].accept.filters.refuse_seconds).toBe(2);
    // 2. The queue is drained at the decision; new runs are queued just after the SUPPRESS.
    const deciding2 = deferred<import('../../ports').OfferDecision>();
    ports.decide = () => deciding2.promise;
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O2')] } });
    await clock.advanceAsync(0);
    ports.work = false;
    deciding2.resolve({ launches: [], declines: ['O2'] });
    await clock.advanceAsync(0);
    expect(conn.types().slice(-2)).toEqual(['DECLINE', 'SUPPRESS']);
    ports.work = true;
    fw.workArrived(); // the SUPPRESS is still in flight
    expect(conn.types().slice(-3)).toEqual(['DECLINE', 'SUPPRESS', 'REVIVE']);
    expect(fw.state().suppressed).toBe(false);
  });
  it('ACCEPTs the launches the worker hands over while it decides at once, and declines only the offers left', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    const rest = deferred<import('../../ports').OfferDecision>();
    ports.decide = (_offers, accept) => {
      // the first chunk of the round is recorded: its ACCEPT goes before the round ends
      accept([{ agentId: 'A1', offerIds: ['O1'], taskInfos: [{ name: 't1', task_id: { value: 't1' } }] }]);
      return rest.promise;
    };
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1'), offer('O2', 'A2'), offer('O3', 'A3')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('ACCEPT').map((c) => c.accept.offer_ids)).toEqual([[{ value: 'O1' }]]);
    expect(conn.ofType('DECLINE')).toEqual([]);
    ports.work = false;
    rest.resolve({ launches: [{ agentId: 'A2', offerIds: ['O2'], taskInfos: [{ name: 't2', task_id: { value: 't2' } }] }], declines: ['O3'] });
    await clock.advanceAsync(0);
    expect(conn.ofType('ACCEPT').map((c) => c.accept.offer_ids)).toEqual([[{ value: 'O1' }], [{ value: 'O2' }]]);
    expect(conn.ofType('ACCEPT')[0].accept.operations[0].launch.task_infos[0].agent_id).toEqual({ value: 'A1' });
    expect(conn.ofType('DECLINE').map((c) => c.decline.offer_ids)).toEqual([[{ value: 'O3' }]]);
  });
  it('launches with ACCEPT, filling agent_id, and declines every offer it did not use', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    ports.decide = async (offers) => {
      expect(offers[0]).toMatchObject({
        id: 'O1',
        agentId: 'A1',
        hostname: 'A1.example',
        attributes: [{ name: 'rack', type: 'TEXT', text: 'r1' }],
      });
      expect(offers[0].resources[0]).toMatchObject({ name: 'cpus', type: 'SCALAR', scalar: 4, role: '*', reserved: false });
      expect(offers[0].resources[1].ranges).toEqual([{ begin: 31000, end: 32000 }]);
      ports.work = false;
      return {
        launches: [{ agentId: 'A1', offerIds: ['O1'], taskInfos: [{ name: 't', task_id: { value: 't' }, resources: [offers[0].resources[0].raw] }] }],
        declines: [],
      };
    };
    await startSubscribed({ fw, conn, clock });
    conn.calls = [];
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1'), offer('O2', 'A2')] } });
    await clock.advanceAsync(0);
    expect(conn.types()).toEqual(['ACCEPT', 'DECLINE', 'SUPPRESS']);
    const acc = conn.calls[0].accept;
    expect(acc.offer_ids).toEqual([{ value: 'O1' }]);
    expect(acc.operations[0].type).toBe('LAUNCH');
    expect(acc.operations[0].launch.task_infos[0].agent_id).toEqual({ value: 'A1' });
    expect(acc.operations[0].launch.task_infos[0].resources[0].allocation_info).toEqual({ role: '*' });
    expect(conn.calls[1].decline.offer_ids).toEqual([{ value: 'O2' }]);
    expect(fw.state().counters).toMatchObject({ offersUsed: 1, offersDeclined: 1, tasksLaunched: 1 });
  });
  it('declines everything (short filter) when onOffers throws', async () => {
    const { conn, ports, fw, clock, names } = setup();
    ports.work = true;
    ports.decide = async () => {
      throw new Error('matcher bug');
    };
    await startSubscribed({ fw, conn, clock });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('DECLINE')[0].decline.filters.refuse_seconds).toBe(2);
    expect(names()).toContain('error');
  });
});

describe('MesosFramework: ACCEPT and DECLINE calls that fail', () => {
  const launchT1 = async (offers: Array<{ id: string }>) => ({
    launches: [{ agentId: 'A1', offerIds: [offers[0].id], taskInfos: [{ name: 't1', task_id: { value: 't1' } }] }],
    declines: [],
  });
  const timeout = () => new Error('ACCEPT: no answer within 75000 ms');
  it('a failed ACCEPT: its offers are declined, then its tasks are reconciled explicitly (with agent ids) at once', async () => {
    // Before: nothing happened; the runs stayed STAGING with no task on Mesos until the next
    // re-subscribe, and the offers stayed outstanding at the master.
    const { conn, ports, fw, clock } = setup({ reconcileInitialMs: 5000 });
    ports.work = true;
    ports.decide = launchT1;
    await startSubscribed({ fw, conn, clock });
    conn.calls = [];
    conn.callFailures.push({ type: 'ACCEPT', error: timeout() });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.types()).toEqual(['ACCEPT', 'DECLINE', 'RECONCILE']);
    expect(conn.calls[1].decline.offer_ids).toEqual([{ value: 'O1' }]);
    expect(conn.calls[2].reconcile.tasks).toEqual([{ task_id: { value: 't1' }, agent_id: { value: 'A1' } }]);
    expect(fw.state().reconciling).toBe(1);

    // No answer yet: asked again with backoff.
    await clock.advanceAsync(5000);
    expect(conn.ofType('RECONCILE')).toHaveLength(2);
    // Mesos does not know the task (the ACCEPT never arrived): TASK_GONE, handed to the worker.
    conn.push(update('t1', 'TASK_GONE', undefined));
    await clock.advanceAsync(0);
    expect(ports.updates.map((u) => [u.taskId, u.state])).toEqual([['t1', 'TASK_GONE']]);
    expect(fw.state().reconciling).toBe(0);
    await clock.advanceAsync(60_000);
    expect(conn.ofType('RECONCILE')).toHaveLength(2);
    expect(conn.ofType('ACCEPT')).toHaveLength(1); // never launched again by the framework
  });
  it('a failed ACCEPT that did reach the master: the reconciliation answer is the real state; nothing launched twice', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    ports.decide = launchT1;
    await startSubscribed({ fw, conn, clock });
    conn.callFailures.push({ type: 'ACCEPT', error: new MesosHttpError(500, '', 'ACCEPT', false) });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('RECONCILE').at(-1)!.reconcile.tasks).toEqual([{ task_id: { value: 't1' }, agent_id: { value: 'A1' } }]);
    ports.decide = async (offers) => ({ launches: [], declines: offers.map((o) => o.id) });
    conn.push(update('t1', 'TASK_RUNNING', undefined)); // the master's answer: it knows the task
    await clock.advanceAsync(0);
    conn.push(update('t1', 'TASK_RUNNING', 'dXVpZC0x')); // the agent's own update
    await clock.advanceAsync(60_000);
    expect(ports.updates.map((u) => u.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING']);
    expect(fw.state().reconciling).toBe(0);
    expect(conn.ofType('ACCEPT')).toHaveLength(1);
  });
  it('a task that reports on its own before the RECONCILE is not asked about', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    ports.decide = launchT1;
    await startSubscribed({ fw, conn, clock });
    conn.callFailures.push({ type: 'ACCEPT', error: timeout() }, { type: 'DECLINE', error: new MesosHttpError(500, '', 'DECLINE', false) });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.types().slice(-2)).toEqual(['ACCEPT', 'DECLINE']); // failed: retried before reconciling
    conn.push(update('t1', 'TASK_STARTING', 'dXVpZC0x'));
    await clock.advanceAsync(1000);
    expect(conn.types().slice(-4)).toEqual(['ACCEPT', 'DECLINE', 'ACKNOWLEDGE', 'DECLINE']); // the retry; t1 answered: no RECONCILE
    expect(conn.ofType('RECONCILE')).toHaveLength(0);
    expect(fw.state().reconciling).toBe(0);
  });
  it('the RECONCILE of a failed ACCEPT waits until the master took the DECLINE of its offers', async () => {
    // Once the DECLINE is processed a late ACCEPT of those offers can only be dropped (invalid
    // offers), so "unknown task" in the answer is final.
    const { conn, ports, fw, clock } = setup({ declineRetryMs: 1000 });
    ports.work = true;
    ports.decide = launchT1;
    await startSubscribed({ fw, conn, clock });
    conn.calls = [];
    conn.callFailures.push({ type: 'ACCEPT', error: timeout() }, { type: 'DECLINE', error: new MesosHttpError(503, '', 'DECLINE', false) });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(999);
    expect(conn.types()).toEqual(['ACCEPT', 'DECLINE']);
    await clock.advanceAsync(1);
    expect(conn.types()).toEqual(['ACCEPT', 'DECLINE', 'DECLINE', 'RECONCILE']);
    expect(conn.calls[2].decline.offer_ids).toEqual([{ value: 'O1' }]);
  });
  it('a failed ACCEPT on a stream that is gone: nothing on the old stream; the next SUBSCRIBED reconciles the task', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.work = true;
    ports.decide = async (offers) => {
      ports.active = [{ taskId: 't1', agentId: 'A1' }]; // the worker marked it STAGING
      conn.breakStream();
      return launchT1(offers);
    };
    await startSubscribed({ fw, conn, clock });
    conn.calls = [];
    conn.callFailures.push({ type: 'ACCEPT', error: Object.assign(new Error('ACCEPT: not subscribed'), { name: 'NotSubscribedError' }) });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.types()).toEqual([]); // re-subscribed meanwhile: those offers are void
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
    conn.subscribed();
    await clock.advanceAsync(0);
    expect(conn.ofType('RECONCILE')[0].reconcile.tasks).toEqual([{ task_id: { value: 't1' }, agent_id: { value: 'A1' } }]);
  });
  it('a failed DECLINE is sent once more (offers never expire by default); a second failure re-subscribes, which rescinds them', async () => {
    // Before: a DECLINE lost to an error left the offers outstanding at the master (held from
    // every framework, ours included) until some re-subscribe or an operator's --offer_timeout.
    const { conn, ports, fw, clock, names } = setup({ declineRetryMs: 1000 });
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    conn.calls = [];
    conn.callFailures.push({ type: 'DECLINE', error: new MesosHttpError(500, '', 'DECLINE', false) });
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1'), offer('O2', 'A2')] } });
    await clock.advanceAsync(999);
    expect(conn.ofType('DECLINE')).toHaveLength(1);
    await clock.advanceAsync(1);
    const declines = conn.ofType('DECLINE');
    expect(declines).toHaveLength(2);
    expect(declines[1].decline).toEqual(declines[0].decline);
    await clock.advanceAsync(10_000);
    expect(conn.ofType('DECLINE')).toHaveLength(2); // once only
    expect(names()).not.toContain('resubscribe');

    // Both fail: the master holds them; a re-subscribe makes it rescind them.
    conn.callFailures.push(
      { type: 'DECLINE', error: new MesosHttpError(500, '', 'DECLINE', false) },
      { type: 'DECLINE', error: new MesosHttpError(500, '', 'DECLINE', false) },
    );
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O3')] } });
    await clock.advanceAsync(1000);
    expect(conn.ofType('DECLINE')).toHaveLength(4);
    expect(names()).toContain('resubscribe');
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
  });
  it('a DECLINE that failed because the stream is gone is not retried (the master rescinded the offers)', async () => {
    const { conn, ports, fw, clock } = setup({ declineRetryMs: 1000 });
    ports.work = true;
    await startSubscribed({ fw, conn, clock });
    conn.callFailures.push({ type: 'DECLINE', error: Object.assign(new Error('DECLINE: not subscribed'), { name: 'NotSubscribedError' }) });
    ports.decide = async (offers) => {
      conn.breakStream();
      return { launches: [], declines: offers.map((o) => o.id) };
    };
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(5000);
    expect(conn.ofType('DECLINE')).toHaveLength(0); // decided after the stream broke: not even sent
  });
});
