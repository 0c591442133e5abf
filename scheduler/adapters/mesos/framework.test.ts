/** The protocol state machine (framework.ts): subscribing, status updates, ERROR, reconnecting, KILL. */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../proto';
import { MesosFramework } from './framework';
import { FakeConnection, deferred } from './testing/fake-connection';
import { setup, update } from './testing/framework-setup';
import { TestClock, flush } from '../../testing/test-clock';
import { parseJob } from '../../api/job-schema';
import type { Run } from '../../core/types';
import type { NewRun, Store } from '../../ports';
import { Worker } from '../../runtime/worker';

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

describe('MesosFramework: errors and reconnecting', () => {
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

describe('MesosFramework: KILL', () => {
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
