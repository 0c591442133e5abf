/**
 * A herd's offer round whose later chunk is recorded after its offers were rescinded (mesos-local
 * with an offer timeout, like Mesos's --offer_timeout, and a store that takes longer than that to
 * record the second launch): Mesos refuses that ACCEPT (TASK_DROPPED, REASON_INVALID_OFFERS). Every
 * run recorded as launched must either reach Mesos or be settled with the reason Mesos gave and
 * launched again, none left STAGING; the task never ran, so no retry is spent and no failure is
 * counted (the jobs have no retries at all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MesosLocal } from '../../mesos-local/master';
import { createStore, type PrismaStore } from '../adapters/prisma';
import { createTestDatabase, type TestDatabase } from '../adapters/prisma/test-support';
import { parseJob } from '../api/job-schema';
import type { Run } from '../core/types';
import type { RunRecord, Store } from '../ports';
import { assemble, type Scheduler } from './assemble';
import { systemClock } from './system-clock';

const JOBS = 800; // 80 tasks of 0.1 cpu per 8-cpu agent on 10 agents: two chunks of ~500
const OFFER_TIMEOUT_MS = 1_500;

let db: TestDatabase;
let store: PrismaStore;
let mesos: MesosLocal;
let scheduler: Scheduler;
/** Launch records (RunStore.record calls writing OFFERED events) seen; the second is held past the offer timeout. */
let launchRecords = 0;

/** The store, with the second launch record held until its offers are rescinded. */
function slowSecondLaunch(inner: PrismaStore): Store {
  const runs = new Proxy(inner.runs, {
    get(t, key, receiver) {
      if (key !== 'record') return Reflect.get(t, key, receiver) as unknown;
      return async (changes: RunRecord): Promise<void> => {
        await t.record(changes);
        if (changes.events.some((e) => e.state === 'OFFERED') && ++launchRecords === 2) {
          await new Promise((r) => setTimeout(r, 2 * OFFER_TIMEOUT_MS));
        }
      };
    },
  });
  return new Proxy(inner, {
    get: (t, key, receiver) => (key === 'runs' ? runs : (Reflect.get(t, key, receiver) as unknown)),
  }) as Store;
}

beforeAll(async () => {
  db = await createTestDatabase('sisyphus_refused_accept');
  store = await createStore({ databaseUrl: db.url });
  mesos = new MesosLocal({ port: 0, host: '127.0.0.1', heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, statusUpdateRetryMs: 500, offerTimeoutMs: OFFER_TIMEOUT_MS, scale: { agents: 10, taskDurationMs: 0 } });
  await mesos.start();
}, 60_000);

afterAll(async () => {
  await scheduler?.stop();
  await mesos?.stop();
  await store?.close();
  await db?.drop();
});

describe('a chunk of an offer round whose ACCEPT Mesos refuses (its offers rescinded while it was recorded)', () => {
  it('its runs are settled DROPPED with the reason and launched again without spending a retry, none left STAGING; every recorded launch reached Mesos or was refused', async () => {
    const due = Math.ceil((Date.now() + 3_000) / 1000) * 1000;
    const jobs = Array.from({ length: JOBS }, (_, i) => {
      const r = parseJob({ name: `herd-${i}`, command: 'true', cpus: 0.1, mem: 16, disk: 0, retries: 0, schedule: `R1/${new Date(due).toISOString()}/PT1H` }, { now: Date.now() });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
    await store.jobs.apply({ put: jobs });
    scheduler = await assemble({ store: slowSecondLaunch(store), clock: systemClock, master: mesos.url, worker: { retryDelayMs: 100 }, framework: { declineIdleSeconds: 1, declineBusySeconds: 0.2, reviveMinIntervalMs: 100 } });
    await scheduler.subscribed(20_000);

    // every job settled: a run FINISHED, or its free relaunches used up (4 refusals on a busy machine)
    const all = async (): Promise<Run[]> => (await store.runs.list({ limit: JOBS * 6 })).runs;
    const settled = (runs: Run[]) => {
      const byJob = new Map<string, Run[]>();
      for (const r of runs) byJob.set(r.jobName, [...(byJob.get(r.jobName) ?? []), r]);
      return byJob.size === JOBS && [...byJob.values()].every((rs) => rs.every((r) => r.state === 'FINISHED' || r.state === 'DROPPED') && (rs.some((r) => r.state === 'FINISHED') || rs.length > 3));
    };
    const until = Date.now() + 60_000;
    for (;;) {
      // listening before the read: an event between the read and the wait is not missed
      const changed = scheduler.events.next('run', () => true, Math.max(1, until - Date.now())).catch(() => {});
      const runs = await all();
      if (settled(runs)) break;
      if (Date.now() > until) {
        const states = new Map<string, number>();
        for (const r of runs) states.set(`${r.state}/${r.attempt}`, (states.get(`${r.state}/${r.attempt}`) ?? 0) + 1);
        throw new Error(`not every job's run settled: runs ${JSON.stringify([...states])}, Mesos ${JSON.stringify(mesos.counters)}`);
      }
      await changed;
    }
    const runs = await all();
    expect(launchRecords).toBeGreaterThanOrEqual(2);
    // nothing left in flight: every run FINISHED or DROPPED
    expect(runs.filter((r) => r.state !== 'FINISHED' && r.state !== 'DROPPED').map((r) => [r.taskId, r.state])).toEqual([]);
    const dropped = runs.filter((r) => r.state === 'DROPPED');
    expect(dropped.length).toBeGreaterThan(0); // the held chunk was refused
    // each with the reason Mesos gave, for the user to see
    expect(dropped.filter((r) => !/^Task launched with invalid offers: Offer \S+ is no longer valid/.test(r.message ?? ''))).toEqual([]);
    // each refused run was launched again with the same attempt (none has a retry to spend)
    const relaunched = runs.filter((r) => r.trigger === 'retry');
    expect(relaunched.filter((r) => r.attempt !== 0)).toEqual([]);
    expect(new Set(relaunched.map((r) => r.jobName))).toEqual(new Set(dropped.map((r) => r.jobName)));
    // and every job FINISHED with nothing counted against it
    expect(new Set(runs.filter((r) => r.state === 'FINISHED').map((r) => r.jobName)).size).toBe(JOBS);
    const counted = (await store.jobs.list()).filter((j) => j.errorCount !== 0 || j.successCount !== 1).map((j) => [j.name, j.errorCount, j.successCount]);
    expect(counted).toEqual([]);
    // counted alike: every run recorded as launched is a task Mesos launched or refused, none launched twice
    const m = mesos.counters;
    expect(m.tasks_launched + m.tasks_dropped).toBe(runs.filter((r) => r.launchedAt !== null).length);
    expect(m.tasks_dropped).toBe(dropped.length);
    expect(m.tasks_launched).toBe(runs.filter((r) => r.state === 'FINISHED').length);
  }, 90_000);
});
