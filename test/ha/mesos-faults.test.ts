/**
 * Mesos faults through the whole scheduler (`assemble()` over the real PostgreSQL and
 * mesos-local's fault injection). Each case ends with the framework subscribed, its tasks
 * reconciled, and work queued during or after the fault launched and finished.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MesosLocal } from '../../mesos-local/master';
import { createStore, type PrismaStore } from '../../scheduler/adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { ChronosService } from '../../scheduler/api/chronos-service';
import type { Run } from '../../scheduler/core/types';
import { assemble, type Scheduler } from '../../scheduler/runtime/assemble';
import { systemClock } from '../../scheduler/runtime/system-clock';
import { waitFor, startMesosLocal } from './support';

let db: TestDatabase;
let store: PrismaStore;
let mesos: MesosLocal;
let scheduler: Scheduler;
let api: ChronosService;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-ha-mesos-'));
  db = await createTestDatabase('sisyphus_ha_mesos');
  store = await createStore({ databaseUrl: db.url });
  mesos = await startMesosLocal(dir, [{ cpus: 8, mem: 8192, disk: 10000 }, { cpus: 8, mem: 8192, disk: 10000 }], { heartbeatIntervalSeconds: 0.3, statusUpdateRetryMs: 300, statusUpdateRetryMaxMs: 1_000 });
  scheduler = await assemble({
    store: store.fenced(await store.raiseEpoch(1)),
    clock: systemClock,
    master: mesos.url,
    worker: { retryDelayMs: 200, killGraceMs: 300 },
    framework: {
      declineIdleSeconds: 1,
      declineBusySeconds: 0.2,
      reviveMinIntervalMs: 100,
      offerStarvationMs: 1_500,
      reconcileInitialMs: 300,
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
    },
  });
  api = new ChronosService({ store, runtime: scheduler.worker, clock: systemClock });
  await scheduler.subscribed(20_000);
}, 60_000);

afterAll(async () => {
  await scheduler?.stop();
  await mesos?.stop();
  await store?.close();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const far = 'R/2100-01-01T00:00:00Z/P1D';
const runsOf = async (name: string): Promise<Run[]> => (await store.runs.list({ jobName: name, limit: 50 })).runs;
let n = 0;

/** A manual run of a fresh job finishes: the framework is subscribed, offered and launching. */
async function launchesWork(label: string): Promise<void> {
  const name = `after-${label}-${n++}`;
  await api.upsertIso8601({ name, command: 'true', schedule: far, cpus: 0.1, mem: 16 });
  await api.runJob(name, '');
  await waitFor(`${name} finished`, async () => (await runsOf(name))[0]?.state === 'FINISHED', 20_000);
  expect(scheduler.framework!.state().connected).toBe(true);
}

async function runningTask(label: string): Promise<Run> {
  const name = `long-${label}`;
  await api.upsertIso8601({ name, command: 'sleep 30', schedule: far, cpus: 0.1, mem: 16, retries: 0 });
  await api.runJob(name, '');
  return waitFor(`${name} running`, async () => {
    const [r] = await runsOf(name);
    return r?.state === 'RUNNING' ? r : null;
  });
}

function resubscribed(): Promise<unknown> {
  return scheduler.events.next('framework', (e) => e.kind === 'subscribed', 20_000);
}

describe('Mesos faults end with the framework subscribed, reconciled and launching', () => {
  it('drop-stream: re-subscribes, reconciles the running task, launches new work', async () => {
    const long = await runningTask('drop');
    const again = resubscribed();
    expect(mesos.fault('drop-stream').ok).toBe(true);
    await again;
    await waitFor('reconciled', () => scheduler.framework!.state().reconciling === 0);
    expect((await store.runs.getByTaskId(long.taskId))!.state).toBe('RUNNING');
    await launchesWork('drop-stream');
  });

  it('silence (half-open stream): the heartbeat watchdog reconnects', async () => {
    const watchdog = scheduler.events.next('framework', (e) => e.kind === 'watchdog' || e.kind === 'disconnected', 20_000);
    const again = resubscribed();
    expect(mesos.fault('silence').ok).toBe(true);
    await watchdog;
    await again;
    await launchesWork('silence');
  });

  it('failover (new master id): re-subscribes with the stored framework id', async () => {
    const id = await store.framework.getFrameworkId();
    const again = resubscribed();
    expect(mesos.fault('failover').ok).toBe(true);
    await again;
    expect(await store.framework.getFrameworkId()).toBe(id);
    await waitFor('reconciled', () => scheduler.framework!.state().reconciling === 0);
    await launchesWork('failover');
  });

  it('lose-agent: its task is kept (UNREACHABLE may come back), work launches on the other agent', async () => {
    const long = await runningTask('lose');
    expect(mesos.fault('lose-agent', long.agentId!).ok).toBe(true);
    // partition-aware: TASK_UNREACHABLE keeps the run as it is (never launched twice)
    await launchesWork('lose-agent');
    const other = (await runsOf(`after-lose-agent-${n - 1}`))[0];
    expect(other.agentId).not.toBe(long.agentId);
    expect((await store.runs.getByTaskId(long.taskId))!.state).toBe('RUNNING');
    expect(mesos.fault('restore-agent', long.agentId!).ok).toBe(true);
    await launchesWork('restore-agent');
  });

  it('crash-executor: the run fails, new work still launches', async () => {
    const long = await runningTask('crash');
    expect(mesos.fault('crash-executor', long.taskId).ok).toBe(true);
    const settled = await waitFor('the crashed task settled', async () => {
      const r = await store.runs.getByTaskId(long.taskId);
      return r && r.state !== 'RUNNING' ? r : null;
    });
    expect(['FAILED', 'LOST']).toContain(settled.state);
    await launchesWork('crash-executor');
  });

  it('stop-offers: work waits, the offer watchdog revives; resume-offers launches it', async () => {
    expect(mesos.fault('stop-offers').ok).toBe(true);
    const name = 'starved';
    await api.upsertIso8601({ name, command: 'true', schedule: far, cpus: 0.1, mem: 16 });
    const watchdog = scheduler.events.next('framework', (e) => e.kind === 'watchdog', 20_000);
    await api.runJob(name, '');
    await watchdog;
    expect((await runsOf(name))[0].state).toBe('QUEUED');
    expect(mesos.fault('resume-offers').ok).toBe(true);
    await waitFor(`${name} finished`, async () => (await runsOf(name))[0]?.state === 'FINISHED', 20_000);
    await launchesWork('resume-offers');
  });
});
