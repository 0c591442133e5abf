/**
 * Catch-up after downtime (issue 17 point 2), replayed with the TestClock over the in-memory store:
 * an hourly job, the scheduler down from 00:30 to 06:00:30 (instants 01:00 … 06:00 missed), under
 * each policy, and catchUp all under Forbid, Replace and Queue; then a leader change in the middle of a catch-up: a second worker over the same
 * store takes over, and every instant runs exactly once.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource, Run } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const hhmm = (t: number): string => new Date(t).toISOString().slice(11, 16);

const hourly = (extra: Record<string, unknown>): Job => {
  const r = parseJob({ name: 'hourly', command: 'true', schedule: 'R/2026-06-01T01:00:00Z/PT1H', ...extra }, { now: START });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

/** One offer round: every task launched finishes at once. Returns the due instants launched. */
async function launchRound(worker: Worker, id: string): Promise<string[]> {
  const decision = await worker.onOffers([offer(id)]);
  const ids = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
  for (const taskId of ids) {
    await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1' });
    await worker.onUpdate({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' });
  }
  return ids.map((t) => hhmm(Number(t.split(':')[1])));
}

const runsOf = async (store: MemoryStore): Promise<Run[]> => (await store.runs.list({ jobName: 'hourly', limit: 1000 })).runs.sort((a, b) => a.due - b.due);
const summary = (runs: Run[]) => runs.map((r) => `${hhmm(r.due)} ${r.state}`);

/** The outage: a worker runs 00:00 → 00:30, stops; the clock moves to 06:00:30; a worker starts. */
async function outage(job: Job, settings: { catchUpMax?: number; catchUpGraceMs?: number } = {}) {
  const clock = new TestClock(START);
  const store = new MemoryStore();
  await store.jobs.put(job);
  const before = new Worker({ store, clock, ...settings });
  await before.start();
  await clock.advanceAsync(30 * 60_000);
  before.stop();
  await clock.advanceAsync(5 * HOUR + 30 * 60_000 + 30_000); // 06:00:30, nobody running
  const after = new Worker({ store, clock, ...settings });
  const queued = after.events.next('queue', () => true, 5_000);
  await after.start();
  await clock.advanceAsync(1);
  await queued;
  await after.idle();
  return { clock, store, worker: after };
}

describe('a 6-hour outage replayed under each catch-up policy', () => {
  it('latest (default, Chronos): one run catches up, then the schedule goes on from 07:00', async () => {
    const { clock, store, worker } = await outage(hourly({}));
    expect(summary(await runsOf(store))).toEqual(['01:00 QUEUED']);
    expect(await launchRound(worker, 'o-1')).toEqual(['01:00']);
    await clock.advanceAsync(HOUR);
    await worker.idle();
    expect(summary(await runsOf(store))).toEqual(['01:00 FINISHED', '07:00 QUEUED']);
    worker.stop();
  });

  it('none: the five missed instants are recorded SKIPPED with the reason; 06:00 (30 s late, within the grace) runs', async () => {
    const { store, worker } = await outage(hourly({ catchUp: 'none' }));
    const runs = await runsOf(store);
    expect(summary(runs)).toEqual(['01:00 SKIPPED', '02:00 SKIPPED', '03:00 SKIPPED', '04:00 SKIPPED', '05:00 SKIPPED', '06:00 QUEUED']);
    expect(runs[0].message).toBe('skipped: missed by 18030 s (catchUp: none)');
    expect(await launchRound(worker, 'o-1')).toEqual(['06:00']);
    worker.stop();
  });

  it('none with a 10 s grace: all six skipped, nothing runs, and 07:00 runs on time', async () => {
    const { clock, store, worker } = await outage(hourly({ catchUp: 'none' }), { catchUpGraceMs: 10_000 });
    expect(summary(await runsOf(store))).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'].map((t) => `${t} SKIPPED`));
    expect(worker.activity('hourly')).toEqual({ queued: 0, running: 0 });
    await clock.advanceAsync(HOUR);
    await worker.idle();
    expect(summary(await runsOf(store)).at(-1)).toBe('07:00 QUEUED');
    worker.stop();
  });

  it('all: six runs, launched oldest first one at a time (not concurrent), then 07:00 once', async () => {
    const { clock, store, worker } = await outage(hourly({ catchUp: 'all' }));
    expect(summary(await runsOf(store))).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'].map((t) => `${t} QUEUED`));
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(...(await launchRound(worker, `o-${i}`)));
    expect(order).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00']);
    await clock.advanceAsync(HOUR);
    await worker.idle();
    expect(await launchRound(worker, 'o-7')).toEqual(['07:00']);
    const runs = await runsOf(store);
    expect(runs.map((r) => hhmm(r.due))).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00']);
    expect(runs.every((r) => r.state === 'FINISHED')).toBe(true);
    worker.stop();
  });

  it('all with catchUpWindow PT3H: 04:00 … 06:00 run, older recorded SKIPPED naming the window', async () => {
    const { store, worker } = await outage(hourly({ catchUp: 'all', catchUpWindow: 'PT3H' }));
    const runs = await runsOf(store);
    expect(summary(runs)).toEqual(['01:00 SKIPPED', '02:00 SKIPPED', '03:00 SKIPPED', '04:00 QUEUED', '05:00 QUEUED', '06:00 QUEUED']);
    expect(runs[0].message).toBe('skipped: missed, and older than catchUpWindow PT3H (catchUp: all)');
    worker.stop();
  });

  it('all bounded by CATCH_UP_MAX 2: the latest two run; two recorded, two counted in the message', async () => {
    const { store, worker } = await outage(hourly({ catchUp: 'all' }), { catchUpMax: 2 });
    const runs = await runsOf(store);
    expect(summary(runs)).toEqual(['03:00 SKIPPED', '04:00 SKIPPED', '05:00 QUEUED', '06:00 QUEUED']);
    expect(runs[0].message).toMatch(/; 2 older missed instants \(from 2026-06-01T01:00:00.000Z\) skipped without a record$/);
    worker.stop();
  });
});

describe('catchUp all under an overlap policy that is not Allow', () => {
  it.each(['Forbid', 'Replace', 'Queue'])('%s: every missed instant runs, one at a time; none is skipped or killed for the one before', async (policy) => {
    const { store, worker } = await outage(hourly({ catchUp: 'all', concurrencyPolicy: policy }));
    const kills: string[] = [];
    worker.attachFramework({ workArrived: () => {}, kill: async (taskId) => void kills.push(taskId) });
    for (const [k, due] of ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'].entries()) {
      const decision = await worker.onOffers([offer(`o-${k}`)]);
      const ids = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
      expect(ids.map((t) => hhmm(Number(t.split(':')[1])))).toEqual([due]);
      await worker.onUpdate({ taskId: ids[0], state: 'TASK_RUNNING', agentId: 'agent-1' });
      expect(kills).toEqual([]);
      await worker.onUpdate({ taskId: ids[0], state: 'TASK_FINISHED', agentId: 'agent-1' });
    }
    expect(summary(await runsOf(store))).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'].map((t) => `${t} FINISHED`));
    worker.stop();
  });
});

describe('HA: a leader change in the middle of a catch-up', () => {
  it('the new leader neither loses nor repeats an instant', async () => {
    const { clock, store, worker: first } = await outage(hourly({ catchUp: 'all' }));
    // the first leader runs two of the six, then loses the leadership
    const launched = [...(await launchRound(first, 'a-1')), ...(await launchRound(first, 'a-2'))];
    expect(launched).toEqual(['01:00', '02:00']);
    first.stop();
    await clock.advanceAsync(5 * 60_000);
    const second = new Worker({ store, clock });
    await second.start();
    await clock.advanceAsync(1);
    await second.idle();
    for (let i = 0; i < 4; i++) launched.push(...(await launchRound(second, `b-${i}`)));
    await clock.advanceAsync(HOUR);
    await second.idle();
    launched.push(...(await launchRound(second, 'b-7')));
    expect(launched).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00']);
    const runs = await runsOf(store);
    expect(runs.map((r) => `${hhmm(r.due)} ${r.attempt} ${r.state}`)).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00'].map((t) => `${t} 0 FINISHED`));
    second.stop();
  });

  it('a takeover before any catch-up run launched plans the same instants again, making no second run of any', async () => {
    const { clock, store, worker: first } = await outage(hourly({ catchUp: 'all' }));
    first.stop();
    const second = new Worker({ store, clock });
    await second.start();
    await clock.advanceAsync(1);
    await second.idle();
    expect(second.activity('hourly')).toEqual({ queued: 6, running: 0 });
    expect((await runsOf(store)).length).toBe(6);
    second.stop();
  });
});
