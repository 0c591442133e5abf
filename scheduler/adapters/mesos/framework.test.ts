import { describe, expect, it } from 'vitest';
import type { Json } from '../../../proto';
import { MesosFramework, type MesosFrameworkOptions } from './framework';
import { MesosHttpError } from './client';
import { FakeConnection, FakePorts, deferred } from './testing/fake-connection';
import { TestClock, flush } from '../../testing/test-clock';
import { parseJob } from '../../api/job-schema';
import type { Run } from '../../core/types';
import type { NewRun, Store } from '../../ports';
import { Worker } from '../../runtime/worker';

function setup(opts: Partial<MesosFrameworkOptions> = {}) {
  const clock = new TestClock();
  const conn = new FakeConnection();
  const ports = new FakePorts();
  const fw = new MesosFramework({ connection: conn, ports, clock, random: () => 1, ...opts });
  const events: Array<[string, unknown]> = [];
  for (const name of ['subscribed', 'disconnected', 'revive', 'suppress', 'watchdog', 'error', 'resubscribe', 'stopped', 'update'] as const) {
    fw.on(name, (p) => events.push([name, p]));
  }
  return { clock, conn, ports, fw, events, names: () => events.map(([n]) => n) };
}

const offer = (id: string, agent = 'A1'): Json => ({
  id: { value: id },
  framework_id: { value: 'fw-1' },
  agent_id: { value: agent },
  hostname: `${agent}.example`,
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, allocation_info: { role: '*' } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, allocation_info: { role: '*' } },
  ],
  attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
});

const update = (taskId: string, state: string, uuid?: string, agent: string | null = 'A1'): Json => ({
  type: 'UPDATE',
  update: {
    status: {
      task_id: { value: taskId },
      state,
      ...(agent ? { agent_id: { value: agent } } : {}),
      source: uuid ? 'SOURCE_EXECUTOR' : 'SOURCE_MASTER',
      timestamp: 1700000000.5,
      ...(uuid ? { uuid } : {}),
    },
  },
});

describe('MesosFramework: subscribing', () => {
  it('subscribes with the configured FrameworkInfo and the stored framework id', async () => {
    const { conn, ports, fw, clock } = setup({ roles: ['batch'], hostname: 'h1', webuiUrl: 'http://h1:8080', name: 'sis' });
    ports.stored = 'fw-old';
    await fw.start();
    await clock.advanceAsync(0);
    const call = conn.subscribes[0];
    expect(call.framework_id).toEqual({ value: 'fw-old' });
    const info = call.subscribe.framework_info;
    expect(info).toMatchObject({
      user: 'root',
      name: 'sis',
      id: { value: 'fw-old' },
      failover_timeout: 604800,
      checkpoint: true,
      roles: ['batch'],
      hostname: 'h1',
      webui_url: 'http://h1:8080',
    });
    expect(info.capabilities.map((c: Json) => c.type).sort()).toEqual(['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE']);
    expect(call.subscribe.suppressed_roles).toEqual(['batch']); // idle at start
  });

  it('persists the framework id before acting on SUBSCRIBED, and reuses it on re-subscribe', async () => {
    const { conn, ports, fw, clock, names } = setup();
    ports.work = true;
    ports.active = [{ taskId: 't1', agentId: 'A1' }];
    const saving = deferred();
    ports.save = () => saving.promise;
    await fw.start();
    await clock.advanceAsync(0);
    expect(conn.subscribes[0].framework_id).toBeUndefined();
    conn.subscribed('fw-new');
    await clock.advanceAsync(0);
    // Still saving: nothing has been done with this subscription.
    expect(conn.calls).toEqual([]);
    expect(ports.log).not.toContain('activeTasks');
    expect(names()).not.toContain('subscribed');
    saving.resolve();
    await clock.advanceAsync(0);
    expect(ports.log.indexOf('save-done:fw-new')).toBeLessThan(ports.log.indexOf('activeTasks'));
    expect(conn.types()).toEqual(['REVIVE', 'RECONCILE']);
    expect(fw.state().frameworkId).toBe('fw-new');
    expect(conn.frameworkId).toBe('fw-new');

    conn.breakStream();
    await clock.advanceAsync(20_000);
    expect(conn.subscribes).toHaveLength(2);
    expect(conn.subscribes[1].framework_id).toEqual({ value: 'fw-new' });
    expect(conn.subscribes[1].subscribe.framework_info.id).toEqual({ value: 'fw-new' });
    expect(conn.subscribes[1].subscribe.suppressed_roles).toEqual([]); // work waits
  });

  it('does not act on SUBSCRIBED when the framework id cannot be persisted; it reconnects', async () => {
    const { conn, ports, fw, clock, names } = setup();
    let fail = true;
    ports.save = async () => {
      if (fail) throw new Error('database down');
    };
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed('fw-x');
    await clock.advanceAsync(0);
    expect(conn.calls).toEqual([]);
    expect(names()).toContain('error');
    expect(fw.state().connected).toBe(false);
    fail = false;
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
    conn.subscribed('fw-x');
    await clock.advanceAsync(0);
    expect(fw.state().connected).toBe(true);
  });

  it('retries a failed SUBSCRIBE with capped, jittered backoff', async () => {
    const { conn, fw, clock } = setup();
    conn.subscribeFailures = Array.from({ length: 8 }, () => new Error('HTTP 503 No leader elected'));
    await fw.start();
    await clock.advanceAsync(0);
    const times: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 8; i++) {
      const before = conn.subscribes.length;
      while (conn.subscribes.length === before) await clock.advanceAsync(100);
      times.push(clock.now() - t0);
    }
    const gaps = times.map((t, i) => t - (i === 0 ? 0 : times[i - 1]));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000 + 100);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0]);
  });
});

describe('MesosFramework: reconciliation', () => {
  it('reconciles every active task after SUBSCRIBED, repeating for the silent ones, then goes implicit', async () => {
    const { conn, ports, fw, clock } = setup({ reconcileInitialMs: 5000 });
    ports.active = [
      { taskId: 't1', agentId: 'A1' },
      { taskId: 't2', agentId: null },
      { taskId: 't3', agentId: 'A2' },
    ];
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    const first = conn.ofType('RECONCILE');
    expect(first).toHaveLength(1);
    expect(first[0].reconcile.tasks).toEqual([
      { task_id: { value: 't1' }, agent_id: { value: 'A1' } },
      { task_id: { value: 't2' } },
      { task_id: { value: 't3' }, agent_id: { value: 'A2' } },
    ]);
    conn.push(update('t1', 'TASK_RUNNING'));
    await clock.advanceAsync(5000);
    const second = conn.ofType('RECONCILE')[1];
    expect(second.reconcile.tasks.map((t: Json) => t.task_id.value)).toEqual(['t2', 't3']);
    conn.push(update('t2', 'TASK_LOST', undefined, null));
    await clock.advanceAsync(10_000);
    expect(conn.ofType('RECONCILE')[2].reconcile.tasks.map((t: Json) => t.task_id.value)).toEqual(['t3']);
    conn.push(update('t3', 'TASK_FINISHED'));
    await clock.advanceAsync(0);
    expect(fw.state().reconciling).toBe(0);
    const n = conn.ofType('RECONCILE').length;
    const withHeartbeats = async (ms: number) => {
      for (let t = 0; t < ms; t += 10_000) {
        await clock.advanceAsync(Math.min(10_000, ms - t));
        conn.push({ type: 'HEARTBEAT' });
      }
    };
    await withHeartbeats(14 * 60_000);
    expect(conn.ofType('RECONCILE')).toHaveLength(n); // no more explicit rounds
    await withHeartbeats(60_000 + 1);
    expect(fw.state().connected).toBe(true);
    const implicit = conn.ofType('RECONCILE')[n];
    expect(implicit.reconcile.tasks).toEqual([]);
  });

  it('keeps a task pending when its reconciliation answer could not be persisted', async () => {
    const { conn, ports, fw, clock } = setup();
    ports.active = [{ taskId: 't1', agentId: 'A1' }];
    ports.update = async () => {
      throw new Error('db down');
    };
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.push(update('t1', 'TASK_RUNNING'));
    await clock.advanceAsync(5000);
    expect(conn.ofType('RECONCILE')).toHaveLength(2);
    expect(fw.state().reconciling).toBe(1);
  });
});

describe('MesosFramework: status updates', () => {
  it('acknowledges only after onUpdate resolves, only with a uuid, never when it rejects', async () => {
    const { conn, ports, fw, clock, events } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.calls = [];

    const persisting = deferred();
    ports.update = () => persisting.promise;
    conn.push(update('t1', 'TASK_RUNNING', 'dXVpZC0x'));
    await clock.advanceAsync(0);
    expect(conn.ofType('ACKNOWLEDGE')).toHaveLength(0);
    persisting.resolve();
    await clock.advanceAsync(0);
    expect(conn.ofType('ACKNOWLEDGE')).toEqual([
      { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A1' }, task_id: { value: 't1' }, uuid: 'dXVpZC0x' } },
    ]);

    ports.update = async () => {};
    conn.push(update('t2', 'TASK_LOST')); // from the master: no uuid
    await clock.advanceAsync(0);
    expect(conn.ofType('ACKNOWLEDGE')).toHaveLength(1);

    ports.update = async () => {
      throw new Error('database down');
    };
    conn.push(update('t3', 'TASK_FINISHED', 'dXVpZC0z'));
    await clock.advanceAsync(0);
    expect(conn.ofType('ACKNOWLEDGE')).toHaveLength(1);
    const t3 = events.filter(([n]) => n === 'update').map(([, p]) => p as Json).find((u) => u.taskId === 't3');
    expect(t3?.acknowledged).toBe(false);
    expect(events.some(([n, p]) => n === 'error' && /not acknowledged/.test((p as Json).message))).toBe(true);

    expect(ports.updates.map((u) => [u.taskId, u.state, u.timestamp, u.source])).toEqual([
      ['t1', 'TASK_RUNNING', 1700000000500, 'SOURCE_EXECUTOR'],
      ['t2', 'TASK_LOST', 1700000000500, 'SOURCE_MASTER'],
    ]);
  });

  it('processes events one at a time, in order', async () => {
    const { conn, ports, fw, clock } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    const slow = deferred();
    ports.update = (s) => (s.taskId === 't1' ? slow.promise : Promise.resolve());
    conn.push(update('t1', 'TASK_RUNNING', 'AQ=='));
    conn.push(update('t1', 'TASK_FINISHED', 'Ag=='));
    await clock.advanceAsync(0);
    expect(ports.updates).toHaveLength(0);
    slow.resolve();
    await clock.advanceAsync(0);
    expect(conn.ofType('ACKNOWLEDGE').map((c) => c.acknowledge.uuid)).toEqual(['AQ==', 'Ag==']);
  });
});

describe('MesosFramework: offers, revive and suppress', () => {
  it('REVIVEs when work arrives (first at once, then at most once per interval) and SUPPRESSes when idle', async () => {
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000 });
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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

  it('the last call decided wins whatever the order of offers, arrivals and the worker (calls are ordered)', async () => {
    // The interleavings suspected of leaving the framework suppressed with work queued: SUPPRESS
    // decided from hasWork() while the worker is about to queue runs, and arrivals while a
    // SUPPRESS is in flight. The flag flips when the decision is taken and calls leave in that
    // order, so the call sent last always matches the queue.
    const { conn, ports, fw, clock } = setup({ reviveMinIntervalMs: 5000 });
    ports.work = true;
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    // 1. The offer handler drains the queue; runs are queued before the framework looks again.
    const deciding = deferred<import('./framework').Decision>();
    ports.decide = () => deciding.promise;
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    fw.workArrived(); // work arrives while the decision is pending (rate-limited: deferred)
    deciding.resolve({ launches: [{ agentId: 'A1', offerIds: ['O1'], taskInfos: [{ name: 't', task_id: { value: 't' } }] }], declines: [] });
    await clock.advanceAsync(0);
    expect(conn.types().at(-1)).toBe('ACCEPT'); // still busy: no SUPPRESS
    expect(conn.ofType('ACCEPT')[0].accept.filters.refuse_seconds).toBe(2);
    // 2. The queue is drained at the decision; new runs are queued just after the SUPPRESS.
    const deciding2 = deferred<import('./framework').Decision>();
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.push({ type: 'OFFERS', offers: { offers: [offer('O1')] } });
    await clock.advanceAsync(0);
    expect(conn.ofType('DECLINE')[0].decline.filters.refuse_seconds).toBe(2);
    expect(names()).toContain('error');
  });

  it('sends KILL with a kill policy', async () => {
    const { conn, fw, clock } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    await fw.kill('t1', 'A1', 3000);
    expect(conn.ofType('KILL')[0].kill).toEqual({
      task_id: { value: 't1' },
      agent_id: { value: 'A1' },
      kill_policy: { grace_period: { nanoseconds: 3_000_000_000 } },
    });
  });
});

describe('MesosFramework: errors and watchdogs', () => {
  it('stops loudly on ERROR "Framework has been removed" instead of registering a new id', async () => {
    const { conn, fw, clock, events } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed('fw-dead');
    await clock.advanceAsync(0);
    conn.push({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    await clock.advanceAsync(60_000);
    const err = events.find(([n]) => n === 'error')?.[1] as Json;
    expect(err.fatal).toBe(true);
    expect(err.message).toContain('fw-dead');
    expect(events.map(([n]) => n)).toContain('stopped');
    expect(conn.subscribes).toHaveLength(1);
    expect(fw.state().running).toBe(false);
  });

  it('registers anew on "Framework has been removed" when so configured', async () => {
    const { conn, fw, clock } = setup({ onFrameworkRemoved: 'register-new' });
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed('fw-dead');
    await clock.advanceAsync(0);
    conn.push({ type: 'ERROR', error: { message: 'Framework has been removed' } });
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
    expect(conn.subscribes[1].framework_id).toBeUndefined();
  });

  it('re-subscribes on another ERROR and when a call says so', async () => {
    const { conn, fw, clock, names } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.push({ type: 'ERROR', error: { message: 'Framework failed over' } });
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(2);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.fire('resubscribe', { reason: 'x', status: 400, body: 'Framework cannot be found', callType: 'REVIVE' });
    await clock.advanceAsync(1000);
    expect(conn.subscribes).toHaveLength(3);
    expect(names().filter((n) => n === 'resubscribe')).toHaveLength(2);
    expect(fw.state().counters.resubscribes).toBe(2);
  });

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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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

  it('reconnects with backoff when the stream breaks', async () => {
    const { conn, fw, clock, names } = setup();
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    conn.breakStream('socket hang up');
    await flush();
    expect(names()).toContain('disconnected');
    expect(fw.state().connected).toBe(false);
    await clock.advanceAsync(500);
    expect(conn.subscribes).toHaveLength(2);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
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

describe('MesosFramework: offer watchdog and a slow worker', () => {
  it('counts offers when they arrive, not when the worker gets round to them', async () => {
    // Before: lastOfferAt was set when the worker's answer came back, so offers queued behind a
    // slow onOffers looked like starvation: REVIVE at 60 s, re-subscribe at 120 s.
    const { conn, ports, fw, clock, events } = setup({ offerStarvationMs: 60_000 });
    ports.work = true;
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    const slow = deferred<import('./framework').Decision>();
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

describe('MesosFramework with the worker: queued work is announced even when a tick fails', () => {
  it('runs queued by a tick whose schedule write failed still REVIVE the suppressed framework', async () => {
    // Before: Worker.tick rethrew the advanceSkipped failure before `workArrived()`, so the run it
    // had just queued was never announced; the framework stayed suppressed, and every retry tick
    // failed the same way while the job store was down.
    const clock = new TestClock('2026-01-01T00:00:10Z');
    const parse = (json: Record<string, unknown>) => {
      const r = parseJob(json, { now: Date.parse('2025-12-31T00:00:00Z') });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    // Both due at 00:00:00, 10 s ago: `late` is past its epsilon (skipped: its schedule is moved
    // on with jobs.apply, which fails), `due` is queued.
    const jobs = [
      parse({ name: 'late', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/PT1H', epsilon: 'PT1S' }),
      parse({ name: 'due', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/PT1H', epsilon: 'PT1H' }),
    ];
    const created: NewRun[] = [];
    const store = {
      jobs: { list: async () => jobs, apply: async () => Promise.reject(new Error('database went away')) },
      edges: { load: async () => new Map() },
      runs: {
        listActive: async () => [],
        createMany: async (runs: NewRun[]) => {
          const fresh = runs.filter((r) => !created.some((c) => c.taskId === r.taskId));
          created.push(...fresh);
          return fresh.map((r, i) => ({ ...r, id: `r${created.length + i}`, state: r.state ?? 'QUEUED', launchedAt: null, startedAt: null, finishedAt: null, agentId: null, host: null, message: r.message ?? null, reason: null, elementsProcessed: 0 }) as Run);
        },
      },
    } as unknown as Store;
    const worker = new Worker({ store, clock });
    const errors: string[] = [];
    worker.events.on('error', (e) => errors.push(e.message));
    const conn = new FakeConnection();
    const fw = new MesosFramework({
      connection: conn,
      clock,
      random: () => 1,
      ports: {
        loadFrameworkId: async () => null,
        saveFrameworkId: async () => {},
        activeTasks: async () => worker.activeTasks(),
        onOffers: async (offers) => worker.onOffers(offers),
        onUpdate: (u) => worker.onUpdate(u),
        hasWork: () => worker.hasWork(),
      },
    });
    worker.attachFramework(fw);
    await fw.start();
    await clock.advanceAsync(0);
    conn.subscribed();
    await clock.advanceAsync(0);
    expect(fw.state().suppressed).toBe(true);
    await worker.start(); // its timer ticks at once: both instants are past
    await clock.advanceAsync(0);
    expect(created.map((r) => [r.jobName, r.state ?? 'QUEUED'])).toEqual([
      ['late', 'SKIPPED'],
      ['due', 'QUEUED'],
    ]);
    expect(errors.some((m) => /database went away/.test(m))).toBe(true); // the tick did fail
    expect(worker.hasWork()).toBe(true);
    expect(conn.ofType('REVIVE')).toHaveLength(1); // at once: the framework was suppressed
    expect(fw.state().suppressed).toBe(false);
    // The store stays down: every retry tick fails the same way and still announces the work.
    await clock.advanceAsync(5000);
    expect(conn.ofType('REVIVE')).toHaveLength(2); // rate-limited (reviveMinIntervalMs)
    worker.stop();
    fw.stop();
  });
});
