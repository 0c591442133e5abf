/**
 * A paused job in the worker (issue 17 point 5), with the TestClock over the in-memory store: its
 * instants do not run while paused, it resumes by itself at the end (stored: a new leader sees it
 * resumed), a pause stored before a restart still holds and still ends by itself, and a paused
 * dependency job's run is recorded SKIPPED with who, until when and why.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (t: number): string => new Date(t).toISOString();
const hhmm = (t: number): string => iso(t).slice(11, 16);

const job = (json: Record<string, unknown>): Job => {
  const r = parseJob({ command: 'true', ...json }, { now: START });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

const pause = (untilMs: number, note = 'upstream storage maintenance') => ({ until: iso(untilMs), note, by: 'ops', at: iso(START) });

describe('a paused job in the worker', () => {
  it('runs nothing while paused, resumes by itself at the end (stored), and runs its next instant', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    // hourly from 01:00, paused until 03:30
    await store.jobs.put({ ...job({ name: 'hourly', schedule: 'R/2026-06-01T01:00:00Z/PT1H' }), pause: pause(START + 3.5 * HOUR) });
    const worker = new Worker({ store, clock });
    await worker.start();
    await clock.advanceAsync(3 * HOUR); // 03:00: 01:00, 02:00 and 03:00 came while paused
    await worker.idle();
    expect((await store.runs.list({ jobName: 'hourly' })).runs).toEqual([]);

    const resumed = worker.events.next('job', (e) => e.name === 'hourly', 5_000);
    await clock.advanceAsync(30 * 60_000); // 03:30: the pause ends
    await resumed;
    const stored = await store.jobs.get('hourly');
    expect(stored?.pause).toBeUndefined();
    // the instants inside the pause are not replayed: the next is 04:00
    expect(stored?.schedule).toBe('R/2026-06-01T04:00:00.000Z/PT1H');
    expect(worker.activity('hourly')).toEqual({ queued: 0, running: 0 });
    // the job's history says it resumed by itself
    expect((await store.versions.list('hourly', 1))[0]).toMatchObject({ kind: 'resume', by: null, note: 'the pause ended' });

    await clock.advanceAsync(HOUR);
    await worker.idle();
    const runs = (await store.runs.list({ jobName: 'hourly' })).runs;
    expect(runs.map((r) => `${hhmm(r.due)} ${r.state}`)).toEqual(['04:00 QUEUED']);
    worker.stop();
  });

  it('a pause stored before a restart (or a leader change) still holds, and still ends by itself', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    await store.jobs.put(job({ name: 'nightly', schedule: 'R/2026-06-01T02:00:00Z/P1D' }));
    const first = new Worker({ store, clock });
    await first.start();
    await first.storeJob({ ...(await store.jobs.get('nightly'))!, pause: pause(START + 26 * HOUR) }, []);
    first.stop();

    const second = new Worker({ store, clock });
    await second.start();
    await clock.advanceAsync(25 * HOUR); // 01:00 the next day: 02:00 of the first day did not run
    await second.idle();
    expect((await store.runs.list({ jobName: 'nightly' })).runs).toEqual([]);
    expect((await store.jobs.get('nightly'))?.pause?.note).toBe('upstream storage maintenance');
    const resumed = second.events.next('job', (e) => e.name === 'nightly', 5_000);
    await clock.advanceAsync(HOUR); // 02:00 the next day: the pause ends, and the instant at its end runs
    await resumed;
    await clock.advanceAsync(1);
    await second.idle();
    const runs = (await store.runs.list({ jobName: 'nightly' })).runs;
    expect(runs.map((r) => iso(r.due))).toEqual(['2026-06-02T02:00:00.000Z']);
    second.stop();
  });

  it('a paused dependency job: its run is recorded SKIPPED with who, until when and why', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    await store.jobs.put(job({ name: 'extract', schedule: 'R/2026-06-01T01:00:00Z/PT1H' }));
    await store.jobs.put({ ...job({ name: 'load', parents: ['extract'] }), pause: pause(START + 10 * HOUR) });
    const worker = new Worker({ store, clock });
    await worker.start();
    await clock.advanceAsync(HOUR + 1);
    await worker.idle();
    const decision = await worker.onOffers([offer('o-1')]);
    const [taskId] = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
    const skipped = worker.events.next('run', (e) => e.run.jobName === 'load', 5_000);
    await worker.onUpdate({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' });
    await skipped;
    const [run] = (await store.runs.list({ jobName: 'load' })).runs;
    expect(run.state).toBe('SKIPPED');
    expect(run.message).toBe('skipped: paused by ops until 2026-06-01T10:00:00.000Z: upstream storage maintenance');
    worker.stop();
  });
});

describe('a pause that ended while no leader ran', () => {
  it('the next leader clears it and moves the schedule on before any instant of the pause runs', async () => {
    const clock = new TestClock(START + 5 * HOUR); // 05:00; the pause ended at 03:30
    const store = new MemoryStore();
    await store.jobs.put({ ...job({ name: 'hourly', schedule: 'R/2026-06-01T01:00:00Z/PT1H' }), pause: pause(START + 3.5 * HOUR) });
    const worker = new Worker({ store, clock });
    const resumed = worker.events.next('job', (e) => e.name === 'hourly', 5_000);
    await worker.start();
    await clock.advanceAsync(1);
    await resumed;
    await worker.idle();
    expect((await store.jobs.get('hourly'))?.schedule).toBe('R/2026-06-01T05:00:00.000Z/PT1H');
    await clock.advanceAsync(1);
    await worker.idle();
    // 01:00 … 04:00 fell inside the pause: none runs; 05:00 (at the resume) does
    expect((await store.runs.list({ jobName: 'hourly' })).runs.map((r) => hhmm(r.due))).toEqual(['05:00']);
    worker.stop();
  });
});
