/**
 * The framework against mesos-local over HTTP, in both encodings: subscribe, take an offer, launch
 * `echo hello`, see RUNNING then FINISHED, acknowledge every update that has a uuid (mesos-local
 * then stops resending), and read stdout through /files/read. Also: the stream dropped by the
 * master and a silent (half-open) stream both lead back to a working subscription.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import type { Encoding, Json } from '../../../proto';
import { MesosLocal } from '../../../mesos-local/master';
import type { Offer } from '../../core/types';
import { MesosClient, type MesosClientOptions } from './client';
import type { FrameworkPorts, OfferDecision, TaskUpdate } from '../../ports';
import { MesosFramework, type SchedulerConnection } from './framework';
import { systemClock as realClock } from '../../runtime/system-clock';
import { requireTestZk, TEST_ZK } from '../../testing/test-zookeeper';

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function startMesosLocal(): Promise<MesosLocal> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-mesos-adapter-'));
  const ml = new MesosLocal({ port: 0, host: '127.0.0.1', heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, statusUpdateRetryMs: 200, workDir });
  await ml.start();
  cleanups.push(async () => {
    await ml.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  return ml;
}

/** Takes a scalar resource out of an offer, keeping its original JSON (allocation_info etc.). */
function scalar(offer: Offer, name: string, amount: number): Json {
  const r = offer.resources.find((x) => x.name === name && x.type === 'SCALAR');
  if (!r || (r.scalar ?? 0) < amount) throw new Error(`offer ${offer.id} lacks ${amount} ${name}`);
  return { ...(r.raw as Json), scalar: { value: amount } };
}

class Ports implements FrameworkPorts {
  frameworkId: string | null = null;
  work = true;
  launched: string[] = [];
  updates: TaskUpdate[] = [];
  constructor(private readonly taskId: string, private readonly command: string) {}
  async loadFrameworkId() {
    return this.frameworkId;
  }
  async saveFrameworkId(id: string) {
    this.frameworkId = id;
  }
  async activeTasks() {
    return this.launched.map((taskId) => ({ taskId, agentId: null }));
  }
  async onOffers(offers: Offer[]): Promise<OfferDecision> {
    if (!this.work) return { launches: [], declines: offers.map((o) => o.id) };
    const [first, ...rest] = offers;
    this.work = false;
    this.launched.push(this.taskId);
    return {
      launches: [
        {
          agentId: first.agentId,
          offerIds: [first.id],
          taskInfos: [
            {
              name: this.taskId,
              task_id: { value: this.taskId },
              agent_id: { value: first.agentId },
              resources: [scalar(first, 'cpus', 0.1), scalar(first, 'mem', 32)],
              command: { shell: true, value: this.command },
            },
          ],
        },
      ],
      declines: rest.map((o) => o.id),
    };
  }
  async onUpdate(status: TaskUpdate) {
    this.updates.push(status);
  }
  hasWork() {
    return this.work;
  }
}

async function getJson(url: string): Promise<Json> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

async function waitFor<T>(what: string, fn: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function setup(
  ml: MesosLocal | string,
  encoding: Encoding,
  taskId: string,
  command = 'echo hello',
  extra: Partial<ConstructorParameters<typeof MesosFramework>[0]> = {},
  clientExtra: Partial<MesosClientOptions> = {},
) {
  const client = new MesosClient({ master: typeof ml === 'string' ? ml : ml.url, encoding, retryInitialMs: 20, ...clientExtra });
  const ports = new Ports(taskId, command);
  const fw = new MesosFramework({
    connection: client,
    ports,
    clock: realClock,
    reconnectInitialMs: 50,
    reconnectMaxMs: 500,
    hostname: 'localhost',
    webuiUrl: 'http://localhost:8080',
    ...extra,
  });
  const errors: string[] = [];
  fw.on('error', (e) => errors.push(e.message));
  cleanups.push(async () => {
    fw.stop();
    await client.close();
  });
  return { client, ports, fw, errors };
}

describe.each(['json', 'protobuf'] as Encoding[])('MesosFramework against mesos-local (%s)', (encoding) => {
  it('runs echo hello: RUNNING then FINISHED, every update acknowledged, stdout readable', async () => {
    const ml = await startMesosLocal();
    const taskId = `hello-${encoding}`;
    const { ports, fw, errors } = setup(ml, encoding, taskId);
    const acked: TaskUpdate[] = [];
    fw.on('update', (u) => {
      if (u.acknowledged) acked.push(u);
    });
    const subscribed = fw.next('subscribed');
    await fw.start();
    const sub = await subscribed;
    expect(sub.frameworkId).toMatch(new RegExp(`^${ml.masterId}-`));
    expect(ports.frameworkId).toBe(sub.frameworkId);
    fw.workArrived();

    await waitFor('TASK_FINISHED', () => ports.updates.find((u) => u.taskId === taskId && u.state === 'TASK_FINISHED'));
    const states = ports.updates.filter((u) => u.taskId === taskId).map((u) => u.state);
    expect(states).toContain('TASK_RUNNING');
    expect(states.indexOf('TASK_RUNNING')).toBeLessThan(states.indexOf('TASK_FINISHED'));
    for (const u of ports.updates.filter((x) => x.uuid)) {
      expect(acked.some((a) => a.uuid === u.uuid), `update ${u.state} ${u.uuid} acknowledged`).toBe(true);
    }

    // Acknowledged: mesos-local has nothing outstanding and stops resending.
    let stateDoc: Json = {};
    const findTask = (doc: Json): Json | undefined => {
      const fwDoc = ((doc.frameworks ?? []) as Json[]).find((f) => f.id === sub.frameworkId);
      return fwDoc && [...fwDoc.tasks, ...fwDoc.completed_tasks].find((x: Json) => x.id === taskId);
    };
    for (let i = 0; ; i++) {
      stateDoc = await getJson(`${ml.url}/master/state`);
      const t = findTask(stateDoc);
      if (t && t.state === 'TASK_FINISHED' && t.unacknowledged_updates === 0) break;
      if (i > 200) throw new Error(`updates still unacknowledged: ${JSON.stringify(t)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const before = ports.updates.length;
    await new Promise((r) => setTimeout(r, 1000)); // five retry periods
    expect(ports.updates.length).toBe(before);

    const t = findTask(stateDoc)!;
    const out = await getJson(`${ml.url}/files/read?path=${encodeURIComponent(`${t.sandbox_directory}/stdout`)}&offset=0`);
    expect(out.data).toContain('hello');

    // Idle afterwards: suppressed.
    await waitFor('suppressed', () => fw.state().suppressed);
    expect(errors).toEqual([]);
    expect(fw.state().counters.acks).toBeGreaterThanOrEqual(2);
  });

  it('recovers from a dropped stream and from a silent one (heartbeat watchdog)', async () => {
    const ml = await startMesosLocal();
    const { fw } = setup(ml, encoding, `noop-${encoding}`);
    const first = fw.next('subscribed');
    await fw.start();
    const a = await first;

    const again = fw.next('subscribed');
    ml.fault('drop-stream');
    const b = await again;
    expect(b.frameworkId).toBe(a.frameworkId);
    expect(b.resubscribed).toBe(true);

    const watchdog = fw.next('watchdog');
    const third = fw.next('subscribed');
    ml.fault('silence');
    expect((await watchdog).kind).toBe('heartbeat');
    const c = await third;
    expect(c.frameworkId).toBe(a.frameworkId);
    expect(c.streamId).not.toBe(b.streamId);
  });
});

/**
 * A MesosClient whose next ACCEPT fails: `drop` never sends it (lost on the way), `lose-answer`
 * sends it and then fails as if the answer never came (the master did launch).
 */
class FailingAccept implements SchedulerConnection {
  accepts = 0;
  constructor(
    private readonly client: MesosClient,
    public mode: 'drop' | 'lose-answer' | null,
  ) {}
  get frameworkId() {
    return this.client.frameworkId;
  }
  set frameworkId(id: string | null) {
    this.client.frameworkId = id;
  }
  on: SchedulerConnection['on'] = (event, fn) => this.client.on(event, fn);
  subscribe(call: Json) {
    return this.client.subscribe(call);
  }
  disconnect(reason?: string) {
    this.client.disconnect(reason);
  }
  async call(call: Json): Promise<void> {
    if (call.type !== 'ACCEPT') return this.client.call(call);
    this.accepts++;
    const mode = this.mode;
    this.mode = null;
    if (mode === 'drop') throw new Error('ACCEPT: no answer within 75000 ms');
    await this.client.call(call);
    if (mode === 'lose-answer') throw new Error('ACCEPT: socket hang up');
  }
}

describe('MesosFramework against mesos-local: failures', () => {
  it('an ACCEPT that never reached the master: the explicit RECONCILE answers TASK_GONE and no task exists', async () => {
    const ml = await startMesosLocal();
    const taskId = 'accept-lost';
    const client = new MesosClient({ master: ml.url, encoding: 'json', retryInitialMs: 20 });
    const conn = new FailingAccept(client, 'drop');
    const ports = new Ports(taskId, 'true');
    const fw = new MesosFramework({ connection: conn, ports, clock: realClock, reconnectInitialMs: 50 });
    const errors: string[] = [];
    fw.on('error', (e) => errors.push(e.message));
    cleanups.push(async () => {
      fw.stop();
      await client.close();
    });
    await fw.start();
    const sub = await fw.next('subscribed');
    const gone = fw.next('update', (u) => u.taskId === taskId);
    fw.workArrived();
    const u = await gone;
    // before: nothing answered; the run stayed STAGING until a re-subscribe
    expect(u).toMatchObject({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION', acknowledged: false });
    expect(u.agentId).toMatch(/-S\d+$/);
    expect(errors.some((e) => e.includes('ACCEPT failed'))).toBe(true);
    expect(conn.accepts).toBe(1);
    await waitFor('reconciliation finished', () => fw.state().reconciling === 0);
    const doc = await getJson(`${ml.url}/master/state`);
    const fwDoc = (doc.frameworks as Json[]).find((f) => f.id === sub.frameworkId)!;
    expect([...fwDoc.tasks, ...fwDoc.completed_tasks].map((t: Json) => t.id)).toEqual([]);
  });

  it('an ACCEPT whose answer was lost: reconciliation reports the real task, launched once, never GONE', async () => {
    const ml = await startMesosLocal();
    const taskId = 'accept-answer-lost';
    const client = new MesosClient({ master: ml.url, encoding: 'protobuf', retryInitialMs: 20 });
    const conn = new FailingAccept(client, 'lose-answer');
    const ports = new Ports(taskId, 'true');
    const fw = new MesosFramework({ connection: conn, ports, clock: realClock, reconnectInitialMs: 50 });
    cleanups.push(async () => {
      fw.stop();
      await client.close();
    });
    await fw.start();
    const sub = await fw.next('subscribed');
    const reconciled = fw.next('update', (u) => u.taskId === taskId && u.reason === 'REASON_RECONCILIATION');
    fw.workArrived();
    expect(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']).toContain((await reconciled).state);
    await waitFor('TASK_FINISHED', () => ports.updates.find((x) => x.taskId === taskId && x.state === 'TASK_FINISHED'));
    const states = ports.updates.filter((x) => x.taskId === taskId).map((x) => x.state);
    expect(states.filter((s) => /GONE|LOST|DROPPED|UNKNOWN/.test(s))).toEqual([]);
    expect(conn.accepts).toBe(1);
    const doc = await getJson(`${ml.url}/master/state`);
    const fwDoc = (doc.frameworks as Json[]).find((f) => f.id === sub.frameworkId)!;
    expect([...fwDoc.tasks, ...fwDoc.completed_tasks].map((t: Json) => t.id)).toEqual([taskId]);
  });

  it('after a master failover re-subscribes with the same id and reconciles the running task', async () => {
    const ml = await startMesosLocal();
    const taskId = 'sleeper';
    const { ports, fw, client } = setup(ml, 'protobuf', taskId, 'sleep 30', { reconcileInitialMs: 200 });
    await fw.start();
    const sub = await fw.next('subscribed');
    fw.workArrived();
    await waitFor('TASK_RUNNING', () => ports.updates.find((u) => u.taskId === taskId && u.state === 'TASK_RUNNING'));
    await client.drain();
    const activeBefore = ports.updates.length;

    const again = fw.next('subscribed');
    const reconciled = fw.next('update', (u) => u.taskId === taskId && u.reason === 'REASON_RECONCILIATION');
    ml.fault('failover');
    const sub2 = await again;
    expect(sub2.frameworkId).toBe(sub.frameworkId);
    const r = await reconciled;
    expect(r.state).toBe('TASK_RUNNING');
    expect(r.acknowledged).toBe(false); // master-made: no uuid
    expect(ports.updates.length).toBeGreaterThan(activeBefore);
    await waitFor('reconciliation finished', () => fw.state().reconciling === 0);

    const killed = fw.next('update', (u) => u.taskId === taskId && u.state === 'TASK_KILLED');
    await fw.kill(taskId, r.agentId ?? null, 100);
    expect((await killed).acknowledged).toBe(true);
  });

  it('offer watchdog: REVIVE, then re-subscribe, while the allocator is stalled', async () => {
    const ml = await startMesosLocal();
    const { ports, fw } = setup(ml, 'json', 'late-task', 'true', { offerStarvationMs: 400, offerResubscribeMs: 400 });
    ports.work = false;
    await fw.start();
    await fw.next('subscribed');
    ml.fault('stop-offers');
    ports.work = true;
    const watchdogs: string[] = [];
    fw.on('watchdog', (w) => watchdogs.push(`${w.kind}:${w.action}`));
    const resubscribed = fw.next('subscribed');
    fw.workArrived();
    await resubscribed;
    expect(watchdogs).toEqual(['offers:revive', 'offers:resubscribe']);
    ml.fault('resume-offers');
    await waitFor('task launched and finished', () => ports.updates.find((u) => u.state === 'TASK_FINISHED'));
  });

  it('a REVIVE the master refused (503 past the call deadline) is sent again: queued work launches without the watchdog', async () => {
    const ml = await startMesosLocal();
    const { ports, fw, errors } = setup(ml, 'json', 'after-lost-revive', 'true', { reviveMinIntervalMs: 300, offerStarvationMs: 60_000 }, { callTimeoutMs: 300 });
    ports.work = false;
    await fw.start();
    await fw.next('subscribed'); // idle: SUBSCRIBE said suppressed
    const watchdogs: string[] = [];
    fw.on('watchdog', (w) => watchdogs.push(`${w.kind}:${w.action}`));
    ml.fault('recovering'); // the scheduler endpoint answers 503 for a moment
    ports.work = true;
    fw.workArrived();
    await waitFor('the REVIVE to give up', () => errors.find((e) => e.includes('REVIVE') && e.includes('503')), 5_000);
    ml.fault('recovered');
    // before: the framework counted itself revived, the master kept it suppressed, and nothing
    // launched until the offer watchdog (60 s here)
    await waitFor('task launched and finished', () => ports.updates.find((u) => u.state === 'TASK_FINISHED'), 10_000);
    expect(watchdogs).toEqual([]);
    expect(fw.state().counters.revives).toBeGreaterThanOrEqual(2);
  });

  it('retries SUBSCRIBE while the master answers 503, then subscribes', async () => {
    const ml = await startMesosLocal();
    ml.fault('recovering');
    const { fw } = setup(ml, 'json', 'x');
    const disconnects: string[] = [];
    fw.on('disconnected', (d) => disconnects.push(d.reason));
    await fw.start();
    await waitFor('a 503 seen', () => disconnects.find((d) => d.includes('503')));
    ml.fault('recovered');
    await fw.next('subscribed');
  });

  it('authenticates with basic auth, and reports bad credentials as an error while retrying', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-mesos-adapter-'));
    const ml = new MesosLocal({ port: 0, host: '127.0.0.1', heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, workDir, credentials: { principal: 'sisyphus', secret: 'right' } });
    await ml.start();
    cleanups.push(async () => {
      await ml.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    });
    const make = (secret: string) => {
      const client = new MesosClient({ master: ml.url, credentials: { principal: 'sisyphus', secret } });
      const fw = new MesosFramework({ connection: client, ports: new Ports('x', 'true'), clock: realClock, reconnectInitialMs: 50, principal: 'sisyphus' });
      cleanups.push(async () => {
        fw.stop();
        await client.close();
      });
      return fw;
    };
    const bad = make('wrong');
    const refused = bad.next('error');
    await bad.start();
    expect((await refused).message).toMatch(/401/);
    const good = make('right');
    await good.start();
    await good.next('subscribed');
    await new Promise((r) => setTimeout(r, 300));
    expect(good.state().connected).toBe(true);
  });

  it('stops loudly on ERROR "Framework has been removed"', async () => {
    const ml = await startMesosLocal();
    const { fw } = setup(ml, 'json', 'x');
    await fw.start();
    await fw.next('subscribed');
    const err = fw.next('error', (e) => e.fatal);
    const stopped = fw.next('stopped');
    ml.fault('error', 'Framework has been removed');
    expect((await err).message).toContain('removed');
    await stopped;
    expect(fw.state().running).toBe(false);
  });
});

/* ------------------------- leader detection through ZooKeeper ------------------------------- */

const ZK = TEST_ZK;

describe('MesosFramework against mesos-local: leader in ZooKeeper', () => {
  beforeAll(requireTestZk);

  it('finds the leader in ZooKeeper and follows a leader change to another master', async () => {
    const ml1 = await startMesosLocal();
    const ml2 = await startMesosLocal();
    const zk = zookeeper.createClient(ZK, { sessionTimeout: 5000 });
    await new Promise<void>((r) => {
      zk.once('connected', r);
      zk.connect();
    });
    const dir = `/sisyphus-test-fw-${process.pid}-${Date.now()}/mesos`;
    cleanups.push(
      () =>
        new Promise<void>((r) =>
          zk.removeRecursive(dir.slice(0, -'/mesos'.length), () => {
            zk.close();
            r();
          }),
        ),
    );
    const p = <T>(fn: (cb: (e: Error | null, v: T) => void) => void) => new Promise<T>((res, rej) => fn((e, v) => (e ? rej(e) : res(v))));
    await p<void>((cb) => zk.mkdirp(dir, (e: Error | null) => cb(e, undefined)));
    const node = (ml: MesosLocal) =>
      p<string>((cb) =>
        zk.create(`${dir}/json.info_`, Buffer.from(JSON.stringify({ id: ml.masterId, address: { ip: '127.0.0.1', port: ml.port } })), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, cb),
      );
    const n1 = await node(ml1);
    const { fw } = setup(`zk://${ZK}${dir}`, 'json', 'x');
    await fw.start();
    const a = await fw.next('subscribed');
    expect(a.master).toBe(ml1.url);

    await node(ml2);
    const b = fw.next('subscribed');
    await p<void>((cb) => zk.remove(n1, (e: Error | null) => cb(e, undefined)));
    const sub = await b;
    expect(sub.master).toBe(ml2.url);
    expect(sub.frameworkId).toBe(a.frameworkId); // re-subscribed with the stored id
  });
});
