/**
 * One bad item never stops the loop (issue 12): the worker over the in-memory store
 * (scheduler/testing/memory-store.ts) with a TestClock and hand-made offers. Each case has one
 * item that fails (a schedule that cannot advance, data the store refuses) among good ones: the
 * bad one is marked with its reason, the good ones go on.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import { ChronosService } from '../api/chronos-service';
import type { Job, Offer, OfferResource } from '../core/types';
import { StoreDataError } from '../ports';
import { MemoryStore, type MemoryStoreOptions } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = '2026-01-01T00:00:00Z';

/** A job as the API would parse it; the schedule is not checked here (the API checks it). */
const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob(json, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string, cpus = 8): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', cpus), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

const launchedIds = (d: Awaited<ReturnType<Worker['onOffers']>>) =>
  d.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));

/** A fresh store that refuses (StoreDataError) what `refuse` says, as PostgreSQL refuses a NUL. */
const refusing = (refuse: MemoryStoreOptions['refuse']) => new MemoryStore({ refuse });

describe('a job whose schedule cannot advance (stored before the API refused such schedules)', () => {
  it('fails its own run with the reason, is set aside, and the other runs of the offer round launch', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    const worker = new Worker({ store, clock });
    const errors: string[] = [];
    worker.events.on('error', (e) => errors.push(`${e.where}: ${e.message}`));
    // stored as an older version or another writer left it: the API refuses it now
    const poison = job({ name: 's3', command: 'true', schedule: 'R/2025-12-31T00:00:00Z/P1000000Y' }, clock.now());
    await store.jobs.put(poison);
    for (const name of ['ok-1', 'ok-2', 'ok-3']) {
      await store.jobs.put(job({ name, command: 'true', schedule: 'R/2025-12-31T23:30:00Z/PT1H', concurrent: true }, clock.now()));
    }
    const due = worker.events.next('queue', (q) => q.normal === 4, 5_000);
    await worker.start();
    await clock.advanceAsync(2);
    await due;
    expect(worker.activity('s3')).toEqual({ queued: 1, running: 0 });

    const decision = await worker.onOffers([offer('o-1')]);
    const launched = launchedIds(decision);
    expect(launched).toHaveLength(3);
    expect(launched.every((id) => /:ok-\d:$/.test(id))).toBe(true);

    const [run] = (await store.runs.list({ jobName: 's3' })).runs;
    expect(run.state).toBe('ERROR');
    expect(run.message).toMatch(/^not launched: the schedule R\/2025-12-31T00:00:00(\.000)?Z\/P1000000Y cannot advance past 2026-01-01T00:00:00\.002Z/);
    expect(worker.setAsideReason('s3')).toMatch(/its schedule cannot advance past/);
    expect((await store.jobs.get('s3'))?.errorCount).toBe(1);
    expect(errors.filter((e) => e.includes('s3'))).toEqual([
      expect.stringMatching(/^job: job s3 is set aside until it is changed/),
      expect.stringMatching(/^launch: job s3: run ct:\d+:0:s3: not launched/),
    ]);

    // the next rounds never see it again, and the other jobs keep their hourly runs
    const hourLater = worker.events.next('queue', (q) => q.normal === 3, 5_000);
    await clock.advanceAsync(60 * 60_000);
    await hourLater;
    const next = launchedIds(await worker.onOffers([offer('o-2')]));
    expect(next).toHaveLength(3);
    expect(worker.activity('s3')).toEqual({ queued: 0, running: 0 });

    // changed by the user, it is scheduled again
    await worker.storeJob({ ...poison, schedule: 'R/2026-01-01T02:00:00Z/PT1H' }, []);
    expect(worker.setAsideReason('s3')).toBeNull();
    const others = worker.events.next('queue', (q) => q.normal === 3, 5_000);
    const again = worker.events.next('run', (e) => e.run.jobName === 's3' && e.run.state === 'QUEUED', 5_000);
    await clock.advanceAsync(60 * 60_000);
    await others;
    // the tick of 01:30 stored its runs after the clock had passed 02:00: its timer fires now
    await clock.advanceAsync(1);
    await again;
    expect(launchedIds(await worker.onOffers([offer('o-3')])).some((id) => id.endsWith(':s3:'))).toBe(true);
    worker.stop();
  });
});

describe('data the store refuses', () => {
  it('a status update whose effects are refused is stored alone, without them; the rest of its batch is stored and counted', async () => {
    const clock = new TestClock(START);
    const store = refusing({ job: (j) => j.name === 'bad' && j.successCount > 0 });
    const worker = new Worker({ store, clock });
    const errors: string[] = [];
    worker.events.on('error', (e) => errors.push(e.message));
    await worker.start();
    const base = { command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' };
    await worker.storeJob(job({ name: 'bad', ...base }, clock.now()), []);
    await worker.storeJob(job({ name: 'good', ...base }, clock.now()), []);
    const bad = await worker.runNow(worker.jobsView()!.get('bad')!, '');
    const good = await worker.runNow(worker.jobsView()!.get('good')!, '');
    expect(launchedIds(await worker.onOffers([offer('o-1')])).sort()).toEqual([bad, good].sort());

    // one batch: both handed over in the same turn
    const results = await Promise.allSettled([
      worker.onUpdate({ taskId: bad, state: 'TASK_FINISHED', agentId: 'agent-1' }),
      worker.onUpdate({ taskId: good, state: 'TASK_FINISHED', agentId: 'agent-1' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect((await store.runs.getByTaskId(good))?.state).toBe('FINISHED');
    expect((await store.jobs.get('good'))?.successCount).toBe(1);
    const badRun = await store.runs.getByTaskId(bad);
    expect(badRun?.state).toBe('FINISHED');
    expect(badRun?.message).toMatch(/not counted: the job's bookkeeping for this run could not be stored/);
    expect((await store.jobs.get('bad'))?.successCount).toBe(0);
    expect(errors.some((m) => m.includes(bad) && m.includes('its effects cannot be stored'))).toBe(true);
    expect(worker.activity('bad')).toEqual({ queued: 0, running: 0 });
    worker.stop();
  });

  it('a status message with a NUL and a lone surrogate from the agent is stored with U+FFFD in their place', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    const worker = new Worker({ store, clock });
    await worker.start();
    await worker.storeJob(job({ name: 'msg', command: 'false', schedule: 'R/2030-01-01T00:00:00Z/P1D', retries: 0 }, clock.now()), []);
    const id = await worker.runNow(worker.jobsView()!.get('msg')!, '');
    await worker.onOffers([offer('o-1')]);
    await worker.onUpdate({ taskId: id, state: 'TASK_FAILED', message: 'exit\u0000 status \ud800 1', reason: 'REASON_COMMAND_EXECUTOR_FAILED', agentId: 'agent-1' });
    const run = await store.runs.getByTaskId(id);
    expect(run?.state).toBe('FAILED');
    expect(run?.message).toBe('exit\ufffd status \ufffd 1');
    worker.stop();
  });

  it('one API job write the store refuses fails alone; the writes that shared its transaction are stored', async () => {
    const clock = new TestClock(START);
    const store = refusing({ job: (j) => j.name === 'refused' });
    const worker = new Worker({ store, clock });
    await worker.start();
    const base = { command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' };
    const results = await Promise.allSettled(
      ['first', 'refused', 'last'].map((name) => worker.storeJob(job({ name, ...base }, clock.now()), [])),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreDataError);
    expect((await store.jobs.list()).map((j) => j.name)).toEqual(['first', 'last']);
    expect([...worker.jobsView()!.keys()].sort()).toEqual(['first', 'last']);
    worker.stop();
  });

  it('a due run the store refuses sets its job aside; the other jobs due with it get their runs', async () => {
    const clock = new TestClock(START);
    const store = refusing({ run: (r) => r.jobName === 'unstorable' });
    const worker = new Worker({ store, clock });
    await worker.start();
    for (const name of ['a', 'unstorable', 'z']) {
      await worker.storeJob(job({ name, command: 'true', schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, clock.now()), []);
    }
    const first = worker.events.next('queue', (q) => q.normal === 2, 5_000);
    await clock.advanceAsync(11 * 60_000);
    await first;
    expect((await store.runs.list({})).runs.map((r) => r.jobName).sort()).toEqual(['a', 'z']);
    expect(worker.setAsideReason('unstorable')).toMatch(/its run due at 2026-01-01T00:10:00.000Z cannot be stored: the database refused the data/);
    // launched; the next hour: the others run again, the set-aside job does not
    expect(launchedIds(await worker.onOffers([offer('o-1')]))).toHaveLength(2);
    const second = worker.events.next('queue', (q) => q.normal === 2, 5_000);
    await clock.advanceAsync(60 * 60_000);
    await second;
    expect((await store.runs.list({})).runs.map((r) => r.jobName).sort()).toEqual(['a', 'a', 'z', 'z']);
    worker.stop();
  });
});

describe('deleting a job ends its queued runs', () => {
  it('its queued runs are SKIPPED with the reason "job deleted"; a new job of the same name starts with none of them', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    const worker = new Worker({ store, clock, retryDelayMs: 60_000 });
    await worker.start();
    const api = new ChronosService({ store, runtime: worker, clock });
    await api.upsertIso8601({ name: 'gone', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' });
    await api.runJob('gone', 'one');
    clock.advance(1);
    await api.runJob('gone', 'two');
    expect(worker.activity('gone')).toEqual({ queued: 2, running: 0 });
    const events: string[] = [];
    worker.events.on('run', (e) => events.push(`${e.previous}->${e.run.state}`));

    await api.deleteJob('gone');
    const runs = (await store.runs.list({ jobName: 'gone' })).runs;
    expect(runs.map((r) => [r.state, r.message])).toEqual([
      ['SKIPPED', 'skipped: job deleted'],
      ['SKIPPED', 'skipped: job deleted'],
    ]);
    expect(events).toEqual(['QUEUED->SKIPPED', 'QUEUED->SKIPPED']);
    expect(worker.activity('gone')).toEqual({ queued: 0, running: 0 });
    expect(launchedIds(await worker.onOffers([offer('o-1')]))).toEqual([]);

    await api.upsertIso8601({ name: 'gone', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' });
    expect(worker.activity('gone')).toEqual({ queued: 0, running: 0 });
    expect((await store.runs.list({ jobName: 'gone', states: ['QUEUED'] })).runs).toEqual([]);
    worker.stop();
  });
});
