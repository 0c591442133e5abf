/**
 * The framework's suite against a Mesos master (issue 13, point 2), the same assertions on real
 * Apache Mesos (real-mesos.test.ts) and on mesos-local (mesos-local-parity.test.ts): wherever the
 * two disagree, the mesos-local run fails and mesos-local is what gets fixed.
 *
 * The whole scheduler, unchanged: assemble() (worker + Mesos framework over HTTP) on a throwaway
 * PostgreSQL database, the Chronos service for jobs, the UI service for /api/cluster and the run
 * log endpoint (stdout through the agent's files API). One master and two agents (rack:a, rack:b)
 * shared by every case; the cases that restart the master or an agent end with it back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type PrismaStore } from '../../scheduler/adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../../scheduler/adapters/prisma/test-support';
import { ChronosService } from '../../scheduler/api/chronos-service';
import { UiService } from '../../scheduler/api/ui-service';
import type { Job, Run } from '../../scheduler/core/types';
import { assemble, type Scheduler } from '../../scheduler/runtime/assemble';
import { systemClock } from '../../scheduler/runtime/system-clock';
import { waitFor } from '../ha/support';
import { startTarget, type MesosTarget, type TargetName } from './target';

const FAR = 'R/2100-01-01T00:00:00Z/P1D';
const T = 60_000;

export interface Stack {
  db: TestDatabase;
  store: PrismaStore;
  scheduler: Scheduler;
  api: ChronosService;
  stop(): Promise<void>;
}

/** The scheduler as production assembles it, with the short timers the other integration tests use. */
export async function startStack(master: string, encoding: 'json' | 'protobuf', dbPrefix: string): Promise<Stack> {
  const db = await createTestDatabase(dbPrefix);
  const store = await createStore({ databaseUrl: db.url });
  const scheduler = await assemble({
    store,
    clock: systemClock,
    master,
    client: { encoding },
    worker: { retryDelayMs: 300, killGraceMs: 1_000 },
    framework: {
      declineIdleSeconds: 1,
      declineBusySeconds: 0.2,
      reviveMinIntervalMs: 100,
      reconcileInitialMs: 300,
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
    },
  });
  const api = new ChronosService({ store, runtime: scheduler.worker, clock: systemClock });
  await scheduler.subscribed(T);
  return {
    db,
    store,
    scheduler,
    api,
    async stop() {
      await scheduler.stop();
      await store.close();
      await db.drop();
    },
  };
}

interface MasterTask {
  id: string;
  state: string;
  slave_id: string;
  framework_id: string;
  statuses?: Array<Record<string, unknown>>;
}

/** Every task the master knows (running and completed) of every framework. */
async function masterTasks(master: string): Promise<MasterTask[]> {
  const r = await fetch(`${master}/master/state`);
  const s = (await r.json()) as { frameworks: Array<{ tasks: MasterTask[]; completed_tasks: MasterTask[] }> };
  return s.frameworks.flatMap((f) => [...f.tasks, ...f.completed_tasks]);
}

/**
 * Registers the suite for one target. `onDone` runs after the last case with whether every case
 * passed (the real tier writes its marker there: scripts/lib/mesos-tier.mjs).
 */
export function mesosSuite(targetName: TargetName, onDone?: (passed: boolean) => void): void {
  let target: MesosTarget;
  let stack: Stack;
  let ui: UiService;
  let registered = 0;
  let passed = 0;
  let n = 0;

  const store = () => stack.store;
  const api = () => stack.api;
  const job = (name: string) => api().getJob(name) as Promise<Job>;
  const runsOf = async (name: string): Promise<Run[]> => (await store().runs.list({ jobName: name, limit: 100 })).runs;
  const runOf = async (name: string, state: string, timeoutMs = T): Promise<Run> =>
    waitFor(`${name} ${state}`, async () => {
      const [r] = await runsOf(name);
      return r?.state === state ? r : null;
    }, timeoutMs);
  const fresh = (label: string) => `${label}-${n++}`;
  /** A fresh job run by hand now; resolves its name. */
  const runNow = async (label: string, fields: Record<string, unknown>): Promise<string> => {
    const name = fresh(label);
    await api().upsertIso8601({ name, schedule: FAR, cpus: 0.1, mem: 32, ...fields });
    await api().runJob(name, '');
    return name;
  };
  const launchesWork = async (label: string): Promise<Run> => runOf(await runNow(label, { command: 'true' }), 'FINISHED');

  beforeAll(async () => {
    target = await startTarget(targetName);
    stack = await startStack(target.masterUrl, 'json', `sisyphus_mesos_${targetName.replace('-', '_')}`);
    ui = new UiService({
      store: stack.store,
      runtime: stack.scheduler.worker,
      clock: systemClock,
      chronos: stack.api,
      scheduler: () => stack.scheduler,
      elector: () => null,
      master: () => target.masterUrl,
      options: { stateCacheMs: 0 },
    });
  }, 120_000);

  afterAll(async () => {
    ui?.dispose();
    await stack?.stop();
    await target?.stop();
    onDone?.(registered > 0 && passed === registered);
  }, 60_000);

  /** it(), counting the cases that passed for the marker (all of them, or it says failed). */
  const test = (name: string, fn: () => Promise<void>, timeoutMs = 90_000) => {
    registered++;
    it(name, async () => {
      await fn();
      passed++;
    }, timeoutMs);
  };

  describe(`the framework on ${targetName === 'real' ? 'real Apache Mesos' : 'mesos-local'}`, () => {
    test('subscribes in JSON: the master lists the framework, active, under the stored id', async () => {
      const id = await store().framework.getFrameworkId();
      expect(id).toBeTruthy();
      const s = (await (await fetch(`${target.masterUrl}/master/frameworks`)).json()) as { frameworks: Array<{ id: string; name: string; active: boolean }> };
      const f = s.frameworks.find((x) => x.id === id);
      expect(f).toMatchObject({ name: 'sisyphus', active: true });
    });

    test('the master answers its plain HTTP as Mesos does: /master/health, and 404 "404 Not Found." for an unknown path', async () => {
      expect((await fetch(`${target.masterUrl}/master/health`)).status).toBe(200);
      const missing = await fetch(`${target.masterUrl}/no/such/endpoint`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('404 Not Found.');
    });

    test('subscribes in protobuf and runs a job to FINISHED', async () => {
      const pb = await startStack(target.masterUrl, 'protobuf', `sisyphus_mesos_pb_${targetName.replace('-', '_')}`);
      try {
        expect(pb.scheduler.client!.encoding).toBe('protobuf');
        await pb.api.upsertIso8601({ name: 'pb', command: 'echo pb', schedule: FAR, cpus: 0.1, mem: 32 });
        await pb.api.runJob('pb', '');
        await waitFor('pb finished', async () => (await pb.store.runs.list({ jobName: 'pb', limit: 5 })).runs[0]?.state === 'FINISHED', T);
        expect((await pb.api.getJob('pb')).successCount).toBe(1);
      } finally {
        await pb.stop();
      }
    });

    test('a job runs to FINISHED and its stdout is read through the agent files API (the UI log endpoint)', async () => {
      const name = await runNow('hello', { command: 'echo "hello from $MESOS_TASK_ID"' });
      const run = await runOf(name, 'FINISHED');
      expect(run.agentId).toBeTruthy();
      expect(run.host).toBe('127.0.0.1');
      const chunk = await ui.log(run.taskId, { file: 'stdout', offset: '0' });
      expect(chunk.unavailable).toBeUndefined();
      expect(chunk.data).toContain(`hello from ${run.taskId}`);
      expect(chunk.eof).toBe(true);
      const tailed = await ui.log(run.taskId, { file: 'stdout', offset: '-1' });
      expect(tailed.data).toContain(`hello from ${run.taskId}`);
      expect((await job(name)).successCount).toBe(1);
    });

    test('packs several tasks into one offer', async () => {
      const offers: Array<{ used: number; launched: number }> = [];
      const off = stack.scheduler.events.on('offers', (o) => offers.push(o));
      try {
        const names = [];
        for (let i = 0; i < 6; i++) {
          const name = fresh('pack');
          await api().upsertIso8601({ name, command: 'sleep 1', schedule: FAR, cpus: 0.5, mem: 64 });
          names.push(name);
        }
        await Promise.all(names.map((name) => api().runJob(name, '')));
        const runs = await Promise.all(names.map((name) => runOf(name, 'FINISHED')));
        const packed = offers.filter((o) => o.used > 0 && o.launched > o.used);
        expect(packed.length, `offer rounds: ${JSON.stringify(offers.filter((o) => o.used))}`).toBeGreaterThan(0);
        const perAgent = new Map<string, number>();
        for (const r of runs) perAgent.set(r.agentId!, (perAgent.get(r.agentId!) ?? 0) + 1);
        expect(Math.max(...perAgent.values())).toBeGreaterThan(1);
      } finally {
        off();
      }
    });

    test('EQUALS and LIKE constraints on the rack attribute pick the agent', async () => {
      const b = await runNow('on-b', { command: 'true', constraints: [['rack', 'EQUALS', 'b']] });
      const a = await runNow('on-a', { command: 'true', constraints: [['rack', 'LIKE', '[a]']] });
      expect((await runOf(b, 'FINISHED')).agentId).toBe(await target.agentId(1));
      expect((await runOf(a, 'FINISHED')).agentId).toBe(await target.agentId(0));
    });

    test('kill: a running task is KILLED by Mesos and is not an error', async () => {
      const name = await runNow('sleeper', { command: 'sleep 60' });
      const running = await runOf(name, 'RUNNING');
      await api().killTasks(name);
      const killed = await runOf(name, 'KILLED');
      expect(killed.finishedAt).not.toBeNull();
      expect((await job(name)).errorCount).toBe(0);
      const t = (await masterTasks(target.masterUrl)).find((x) => x.id === running.taskId);
      expect(t?.state).toBe('TASK_KILLED');
    });

    test('a failing task is retried, then counts one error (as Chronos does)', async () => {
      const name = await runNow('flaky', { command: 'echo oops >&2; exit 3', retries: 1 });
      const j = await waitFor(`${name} error counted`, async () => {
        const x = await job(name);
        return x.errorCount === 1 ? x : null;
      }, T);
      expect(j.successCount).toBe(0);
      expect(j.errorsSinceLastSuccess).toBe(1);
      const runs = await runsOf(name);
      expect(runs.map((r) => [r.attempt, r.state]).sort()).toEqual([
        [0, 'FAILED'],
        [1, 'FAILED'],
      ]);
      // what the UI shows: Mesos's command executor says how the command ended, with no reason
      expect(runs[0].message).toBe('Command exited with status 3');
      expect(runs[0].reason).toBeNull();
      const stderr = await ui.log(runs[0].taskId, { file: 'stderr', offset: '0' });
      expect(stderr.data).toContain('oops');
    });

    test('a three-job dependency chain runs in order', async () => {
      const [a, b, c] = [fresh('chain-a'), fresh('chain-b'), fresh('chain-c')];
      await api().upsertIso8601({ name: a, command: 'true', schedule: FAR, cpus: 0.1, mem: 32 });
      await api().upsertDependency({ name: b, command: 'true', parents: [a], cpus: 0.1, mem: 32 });
      await api().upsertDependency({ name: c, command: 'true', parents: [b], cpus: 0.1, mem: 32 });
      await api().runJob(a, '');
      const rc = await runOf(c, 'FINISHED');
      const [ra] = await runsOf(a);
      const [rb] = await runsOf(b);
      expect(rb.queuedAt).toBeGreaterThanOrEqual(ra.finishedAt!);
      expect(rc.queuedAt).toBeGreaterThanOrEqual(rb.finishedAt!);
      expect(rb.trigger).toBe('dependency');
    });

    test('maxCompletionTime is enforced by Mesos', async () => {
      const name = await runNow('too-long', { command: 'sleep 60', maxCompletionTime: 2 });
      const run = await waitFor(`${name} ended`, async () => {
        const [r] = await runsOf(name);
        return r && !['QUEUED', 'STAGING', 'STARTING', 'RUNNING'].includes(r.state) ? r : null;
      }, T);
      expect(run).toMatchObject({ state: 'FAILED', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', message: 'Command terminated with signal Terminated' });
      expect(run.finishedAt! - run.startedAt!).toBeLessThan(20_000);
      const t = (await masterTasks(target.masterUrl)).find((x) => x.id === run.taskId);
      expect(t?.state).toBe('TASK_FAILED');
      // the master's state JSON keeps each status's state and time, not its reason or message
      expect(Object.keys(t!.statuses!.at(-1)!).sort()).toEqual(['container_status', 'state', 'timestamp']);
    });

    test('suppress when idle, revive when work comes: no offers while suppressed, offers again after', async () => {
      const fw = stack.scheduler.framework!;
      await waitFor('suppressed', () => fw.state().suppressed, T);
      let offered = 0;
      const off = stack.scheduler.events.on('offers', (o) => (offered += o.received));
      try {
        // five allocation intervals and past the 1 s decline filters: a master that had not taken
        // the SUPPRESS would have offered both agents again by now
        const since = Date.now();
        await waitFor('3 s suppressed', () => Date.now() - since > 3_000, 10_000);
        expect(offered).toBe(0);
        const id = await store().framework.getFrameworkId();
        const f = ((await (await fetch(`${target.masterUrl}/master/frameworks`)).json()) as { frameworks: Array<{ id: string; offers: unknown[] }> }).frameworks.find((x) => x.id === id)!;
        expect(f.offers).toEqual([]);
        const revived = stack.scheduler.events.next('framework', (e) => e.kind === 'revive', T);
        const run = await launchesWork('after-suppress');
        await revived;
        expect(run.state).toBe('FINISHED');
        expect(offered).toBeGreaterThan(0);
      } finally {
        off();
      }
    });

    test('/api/cluster shows the real master state: both agents with their attributes, our framework', async () => {
      const c = await ui.cluster();
      expect(c.reachable).toBe(true);
      expect(c.agents.map((a) => a.attributes?.rack).sort()).toEqual(['a', 'b']);
      for (const a of c.agents) expect(a).toMatchObject({ hostname: '127.0.0.1', active: true, resources: { cpus: 4, mem: 4096 } });
      const id = await store().framework.getFrameworkId();
      expect(c.frameworks.find((f) => f.id === id)).toMatchObject({ name: 'sisyphus', active: true });
    });

    test('master restart: re-subscribes with its stored id, reconciles, launches nothing twice', async () => {
      const id = await store().framework.getFrameworkId();
      const name = await runNow('across-restart', { command: 'sleep 4' });
      const running = await runOf(name, 'RUNNING');
      const again = stack.scheduler.events.next('framework', (e) => e.kind === 'subscribed', T);
      await target.restartMaster();
      await again;
      expect(await store().framework.getFrameworkId()).toBe(id);
      await waitFor('reconciled', () => stack.scheduler.framework!.state().reconciling === 0, T);
      const done = await runOf(name, 'FINISHED');
      expect(done.taskId).toBe(running.taskId);
      expect(await runsOf(name)).toHaveLength(1);
      await launchesWork('after-master-restart');
    });

    test('agent stopped and started again: a task that outlived it finishes once, one that ended meanwhile reports its end once', async () => {
      const rackA = [['rack', 'EQUALS', 'a']];
      const long = await runNow('outlives-agent', { command: 'sleep 12', constraints: rackA, retries: 1 });
      // it ends while the agent is down (its first attempt waits for the go file the test writes
      // then), and the test sees that by the file it leaves
      const go = path.join(os.tmpdir(), `sisyphus-go-${process.pid}-${n}`);
      const ended = path.join(os.tmpdir(), `sisyphus-ended-${process.pid}-${n}`);
      const short = await runNow('ends-meanwhile', {
        command: `if [ "$CHRONOS_JOB_RUN_ATTEMPT" = 0 ]; then while [ ! -e ${go} ]; do sleep 0.1; done; touch ${ended}; fi`,
        constraints: rackA,
        retries: 1,
      });
      const running = await runOf(long, 'RUNNING');
      const first = await runOf(short, 'RUNNING');
      await target.stopAgent(0);
      // the master declares the agent unreachable (real: after its ping timeout, ~3 s here)
      await waitFor('the agent unreachable', async () => {
        const s = (await (await fetch(`${target.masterUrl}/master/state`)).json()) as { unreachable_slaves?: number };
        return (s.unreachable_slaves ?? 0) > 0;
      }, T);
      // while rack:a is gone, work goes to rack:b
      const other = await launchesWork('while-agent-down');
      expect(other.agentId).toBe(await target.agentId(1));
      expect((await store().runs.getByTaskId(running.taskId))!.state).toBe('RUNNING'); // unreachable is not lost
      fs.writeFileSync(go, '');
      await waitFor('the first attempt of ends-meanwhile ended', () => fs.existsSync(ended), T);
      fs.rmSync(ended, { force: true });
      fs.rmSync(go, { force: true });
      await target.startAgent(0);
      // the one that ended while nobody watched: its executor hands its end over when the agent is
      // back, and the master reports it (FINISHED here) — not retried, not left running
      const settled = await waitFor('the first attempt settled', async () => {
        const r = await store().runs.getByTaskId(first.taskId);
        return r && r.state !== 'RUNNING' ? r : null;
      }, T);
      expect(settled).toMatchObject({ state: 'FINISHED', reason: 'REASON_AGENT_REREGISTERED', message: 'Unreachable agent re-reregistered' });
      // the one still running when the agent came back: the same task finishes, launched once
      const done = await runOf(long, 'FINISHED');
      expect(done.taskId).toBe(running.taskId);
      expect(await runsOf(long)).toHaveLength(1);
      expect(await runsOf(short)).toHaveLength(1);
    });
  });
}

