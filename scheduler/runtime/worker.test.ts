/**
 * The worker against the real PostgreSQL, without Mesos: what happens around its start.
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import { parseJob } from '../api/job-schema';
import { formatTaskId } from '../core/taskid';
import type { Job, Offer, OfferResource } from '../core/types';
import type { NewRun, Store } from '../ports';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const pg = useTestStore('sisyphus_worker');

const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob(json, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('Worker start', () => {
  it('a job stored while the worker loads is not lost: the change is applied after the load', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // a store whose job list answers only when the test says so (a slow load of 100k jobs)
    const jobs = Object.create(pg.store.jobs) as Store['jobs'];
    jobs.list = async () => {
      const all = await pg.store.jobs.list();
      await gate;
      return all;
    };
    const slow = Object.create(pg.store, { jobs: { value: jobs } }) as Store;
    const worker = new Worker({ store: slow, clock });
    const started = worker.start();
    const late = job({ name: 'posted-during-load', command: 'true', schedule: 'R1/2026-01-01T00:10:00Z/PT1H' }, clock.now());
    await pg.store.jobs.put(late);
    const changed = worker.jobChanged(late, null);
    release();
    await started;
    await changed;
    // it is indexed: when its instant comes, a run is created
    const created = worker.events.next('run', (e) => e.run.jobName === 'posted-during-load', 5_000);
    await clock.advanceAsync(11 * 60_000);
    await created;
    const runs = await pg.store.runs.list({ jobName: 'posted-during-load' });
    expect(runs.runs.map((r) => r.state)).toEqual(['QUEUED']);
    expect(worker.activity('posted-during-load')).toEqual({ queued: 1, running: 0 });
    worker.stop();
  });

  it('a framework that subscribes while the worker loads reconciles every task left running by the last leader', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const t = clock.now();
    const [run] = await pg.store.runs.createMany([
      { jobName: 'left-running', due: t, attempt: 0, taskId: `ct:${t}:0:left-running:`, arguments: '', trigger: 'schedule', highPriority: false, queuedAt: t },
    ]);
    await pg.store.runs.updateMany([{ taskId: run.taskId, patch: { state: 'RUNNING', launchedAt: t, startedAt: t, agentId: 'agent-7' } }]);
    await pg.store.jobs.put(job({ name: 'left-running', command: 'true', schedule: 'R1/2026-01-01T00:00:00Z/PT1H' }, t));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const runs = Object.create(pg.store.runs) as Store['runs'];
    runs.listActive = async () => {
      const all = await pg.store.runs.listActive();
      await gate;
      return all;
    };
    const slow = Object.create(pg.store, { runs: { value: runs } }) as Store;
    const worker = new Worker({ store: slow, clock });
    const started = worker.start();
    // SUBSCRIBED arrives before the load has finished: reconciliation asks for the active tasks
    const asked = worker.activeTasks();
    release();
    await started;
    expect(await asked).toEqual([{ taskId: run.taskId, agentId: 'agent-7' }]);
    worker.stop();
  });
});

describe('Worker.storeJob (the API writes jobs through the worker)', () => {
  it('concurrent writes share one transaction, are stored and applied before they resolve', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    let transactions = 0;
    const counting = Object.create(pg.store, {
      transaction: { value: (fn: Parameters<Store['transaction']>[0]) => (transactions++, pg.store.transaction(fn)) },
    }) as Store;
    const worker = new Worker({ store: counting, clock });
    await worker.start();
    const jobs = Array.from({ length: 20 }, (_, i) => job({ name: `w${i}`, command: 'true', schedule: 'R/2026-01-02T00:00:00Z/P1D' }, clock.now()));
    const before = transactions;
    await Promise.all(jobs.map((j) => worker.storeJob(j, [])));
    expect(transactions - before).toBe(1);
    expect((await pg.store.jobs.list()).map((j) => j.name).sort()).toEqual(jobs.map((j) => j.name).sort());
    expect(worker.jobsView()?.size).toBe(20);
    worker.stop();
  });

  it('jobs written through the API share their common values in the worker, and read as written', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    await worker.start();
    const written = ['s1', 's2'].map((name) => job({ name, command: 'true', owner: 'ops@example.com', schedule: 'R/2026-01-02T00:00:00Z/P1D' }, clock.now()));
    const copies = written.map((j) => structuredClone(j));
    await Promise.all(written.map((j) => worker.storeJob(j, [])));
    const [a, b] = ['s1', 's2'].map((n) => worker.jobsView()!.get(n)!);
    expect([a, b]).toEqual(copies);
    expect(a.fetch).toBe(b.fetch); // one empty list for both
    expect(() => a.fetch.push({ uri: 'http://x' } as never)).toThrow(TypeError); // which no job can change
    expect(await pg.store.jobs.get('s2')).toEqual(copies[1]);
    worker.stop();
  });

  it('fields the request left out come from the job as the worker holds it at write time', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    await worker.start();
    const first = job({ name: 'kept', command: 'true', schedule: 'R/2026-01-02T00:00:00Z/P1D' }, clock.now());
    await worker.storeJob({ ...first, successCount: 5, lastSuccess: '2026-01-01T00:00:00.000Z' }, []);
    // an update that omits the counters (the API read an older copy: successCount 0)
    await worker.storeJob({ ...first, description: 'new', successCount: 0, lastSuccess: '' }, ['successCount', 'lastSuccess']);
    const stored = await pg.store.jobs.get('kept');
    expect(stored).toMatchObject({ description: 'new', successCount: 5, lastSuccess: '2026-01-01T00:00:00.000Z' });
    expect(worker.jobsView()?.get('kept')).toEqual(stored);
    worker.stop();
  });

  it('an immediate job posted through storeJob gets its run without waiting for the timer', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    await worker.start();
    clock.set(Date.parse('2026-01-01T00:00:01Z'));
    await worker.storeJob(job({ name: 'now', command: 'true', schedule: 'R1//PT1S' }, clock.now() - 1), []);
    await worker.idle(); // the write's own step ticks for a job due now: no timer, no second step
    expect((await pg.store.runs.list({ jobName: 'now' })).runs.map((r) => r.state)).toEqual(['QUEUED']);
    worker.stop();
  });

  it('a failed write rejects every caller and changes nothing in the worker', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const failing = Object.create(pg.store, {
      transaction: { value: async () => Promise.reject(new Error('database went away')) },
    }) as Store;
    const worker = new Worker({ store: failing, clock });
    await worker.start();
    const a = job({ name: 'a', command: 'true', schedule: 'R/2026-01-02T00:00:00Z/P1D' }, clock.now());
    const results = await Promise.allSettled([worker.storeJob(a, []), worker.storeJob({ ...a, name: 'b' }, [])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(worker.jobsView()?.size).toBe(0);
    expect(await pg.store.jobs.count()).toBe(0);
    worker.stop();
  });
});

describe('Worker status updates and the dependency counters', () => {
  const offer = (id: string): Offer => {
    const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
    return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
  };

  it('an update whose commit failed leaves the counters as they were: stored again, it counts once', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    let failNext = false;
    const flaky = Object.create(pg.store, {
      transaction: {
        value: (fn: Parameters<Store['transaction']>[0]) =>
          failNext ? ((failNext = false), Promise.reject(new Error('database went away'))) : pg.store.transaction(fn),
      },
    }) as Store;
    const worker = new Worker({ store: flaky, clock });
    await worker.start();
    const base = { command: 'true', schedule: 'R/2026-02-01T00:00:00Z/P1D' };
    await worker.storeJob(job({ name: 'a', ...base }, clock.now()), []);
    await worker.storeJob(job({ name: 'b', ...base }, clock.now()), []);
    await worker.storeJob(job({ name: 'c', command: 'true', parents: ['a', 'b'] }, clock.now()), []);
    const taskId = await worker.runNow(worker.jobsView()!.get('a')!, '');
    expect((await worker.onOffers([offer('o-1')])).launches).toHaveLength(1);
    const finished = { taskId, state: 'TASK_FINISHED', agentId: 'agent-1' };

    failNext = true;
    await expect(worker.onUpdate(finished)).rejects.toThrow('database went away');
    // Mesos resends the unacknowledged update; this time it is stored
    await worker.onUpdate(finished);
    const stored = await pg.store.edges.load();
    expect(stored.get('c')?.get('a')).toBe(1);
    expect(stored.get('c')?.get('b') ?? 0).toBe(0);
    // c is waiting for b: a finishing once more must not make a count the worker holds run ahead
    // of the stored one (it did when a failed commit left the counter moved)
    expect((await pg.store.runs.list({ jobName: 'c' })).runs).toHaveLength(0);
    worker.stop();
  });

  it('updates Mesos sends again for runs already settled count once, and the batch reads those runs in one query', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const reads = { one: 0, many: 0 };
    const runs = Object.create(pg.store.runs) as Store['runs'];
    runs.getByTaskId = (id) => (reads.one++, pg.store.runs.getByTaskId(id));
    runs.getByTaskIds = (ids) => (reads.many++, pg.store.runs.getByTaskIds(ids));
    const counted = Object.create(pg.store, { runs: { value: runs } }) as Store;
    const worker = new Worker({ store: counted, clock });
    await worker.start();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const j = job({ name: `resent-${i}`, command: 'true', schedule: 'R/2026-02-01T00:00:00Z/P1D' }, clock.now());
      await worker.storeJob(j, []);
      ids.push(await worker.runNow(worker.jobsView()!.get(j.name)!, ''));
    }
    await worker.onOffers([offer('o-2')]);
    expect((await pg.store.runs.list({ limit: 50 })).runs.filter((r) => r.state === 'STAGING')).toHaveLength(20);
    const finished = (taskId: string) => ({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' });
    await Promise.all(ids.map((id) => worker.onUpdate(finished(id))));
    reads.one = reads.many = 0;
    // the master re-sends every one (an ACK it did not see): nothing counts twice
    await Promise.all(ids.map((id) => worker.onUpdate(finished(id))));
    for (let i = 0; i < 20; i++) expect(worker.jobsView()!.get(`resent-${i}`)!.successCount).toBe(1);
    expect(reads.one).toBe(0);
    expect(reads.many).toBeGreaterThan(0);
    expect(reads.many).toBeLessThan(20);
    worker.stop();
  });
});

describe('Worker offers with a long queue', () => {
  const offer = (id: string, cpus: number): Offer => {
    const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
    return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', cpus), res('mem', 1_000_000), res('disk', 1_000_000)], attributes: [] };
  };

  it('a small offer takes the head of 3,000 queued runs in launch order (a late high-priority run first), and every run launches in time', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const base = { command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', concurrent: true, cpus: 0.1, mem: 16, disk: 0 };
    await pg.store.jobs.apply({ put: [job({ name: 'bulk', ...base }, clock.now()), job({ name: 'urgent', ...base, highPriority: true }, clock.now())] });
    // the 3,000 manual runs of `bulk`, each due a millisecond after the one before, stored in one
    // statement (3,000 runNow calls, one write each, took most of a minute on a loaded machine)
    // and queued by the worker's load
    const start = clock.now();
    const queued = Array.from({ length: 3000 }, (_, i): NewRun => {
      const args = `n${String(i).padStart(4, '0')}`;
      const due = start + i;
      return { jobName: 'bulk', due, attempt: 0, taskId: formatTaskId(due, 0, 'bulk', args), arguments: args, trigger: 'manual', highPriority: false, queuedAt: due };
    });
    expect(await pg.store.runs.createMany(queued)).toHaveLength(3000);
    clock.advance(3000);
    const worker = new Worker({ store: pg.store, clock });
    await worker.start();
    expect(worker.activity('bulk')).toEqual({ queued: 3000, running: 0 });
    const urgent = await worker.runNow(worker.jobsView()!.get('urgent')!, '');

    const first = await worker.onOffers([offer('o-0', 0.5)]);
    const launched = first.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
    expect(launched).toEqual([urgent, ...queued.slice(0, 4).map((r) => r.taskId)]);

    // the rest launch, oldest due first, a few hundred per offer
    const seen = new Set(launched);
    for (let i = 1; seen.size < 3001 && i < 100; i++) {
      const d = await worker.onOffers([offer(`o-${i}`, 40)]);
      for (const l of d.launches) for (const t of l.taskInfos) seen.add((t as { task_id: { value: string } }).task_id.value);
    }
    expect(seen.size).toBe(3001);
    expect(worker.activity('bulk')).toEqual({ queued: 0, running: 3000 });
    worker.stop();
  }, 60_000);

  it('a client writing jobs without pause does not hold back launches: an offer is answered while the writes go on', async () => {
    await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const worker = new Worker({ store: pg.store, clock });
    await worker.start();
    const base = { command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', concurrent: true, cpus: 0.1, mem: 16, disk: 0 };
    await worker.storeJob(job({ name: 'waiting', ...base }, clock.now()), []);
    const run = await worker.runNow(worker.jobsView()!.get('waiting')!, '');
    // an open-loop client: a new job every turn of the event loop, whatever the answers, so a
    // write is always waiting when the one before it commits
    const cap = 3000;
    let writes = 0;
    let writing = true;
    const client = (async () => {
      const answers: Array<Promise<unknown>> = [];
      while (writing && writes < cap) {
        answers.push(worker.storeJob(job({ name: `w${writes++}`, ...base }, clock.now()), []));
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(answers);
    })();
    while (writes < 50) await new Promise((r) => setImmediate(r));
    const decision = await worker.onOffers([offer('o-1', 1)]);
    const writesWhenAnswered = writes;
    writing = false;
    await client;
    const launched = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
    expect(launched).toEqual([run]);
    expect(writesWhenAnswered).toBeLessThan(cap / 2);
    worker.stop();
  }, 60_000);
});
