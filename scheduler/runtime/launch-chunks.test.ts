/**
 * An offer round launched in chunks (launch-planner.ts, core/launch-chunks.ts): the worker over
 * the in-memory store with a TestClock and hand-made offers of many agents. Each chunk is recorded
 * before it is handed over for its ACCEPT, the first before the rest are recorded; a stop between
 * two chunks leaves the rest QUEUED, and the next leader launches exactly those: nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource } from '../core/types';
import type { Launch, RunRecord, Store } from '../ports';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const START = '2026-01-01T00:00:00Z';
const DUE = Date.parse('2026-01-01T00:10:00Z');
const JOBS = 1_200; // 80 tasks of 0.1 cpu per 8-cpu agent: 15 agents, 3 chunks

const job = (name: string, now: number): Job => {
  const r = parseJob({ name, command: 'true', cpus: 0.1, mem: 16, disk: 0, schedule: 'R/2026-01-01T00:10:00Z/PT1H' }, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offers = (round: string, agents: number): Offer[] =>
  Array.from({ length: agents }, (_, i) => {
    const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
    return { id: `${round}-${i}`, agentId: `agent-${i}`, hostname: `agent-${i}`, resources: [res('cpus', 8), res('mem', 100_000), res('disk', 100_000)], attributes: [] };
  });

const idsOf = (launches: readonly Launch[]) => launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));

/** `store`, whose transactions and records fail (the database gone) once `down` is set. */
function failing(store: MemoryStore): { store: Store; down: () => void } {
  let isDown = false;
  // a launch is recorded in one RunStore.record (one statement over PostgreSQL): it fails too
  const runs = new Proxy(store.runs, {
    get: (t, key, receiver) =>
      key === 'record' ? (c: RunRecord) => (isDown ? Promise.reject(new Error('connection terminated')) : t.record(c)) : (Reflect.get(t, key, receiver) as unknown),
  });
  const wrapped = new Proxy(store, {
    get(t, key, receiver) {
      if (key === 'transaction') {
        return (fn: Parameters<Store['transaction']>[0]) => (isDown ? Promise.reject(new Error('connection terminated')) : t.transaction(fn));
      }
      if (key === 'runs') return runs;
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
  return { store: wrapped, down: () => (isDown = true) };
}

async function herdQueued(store: Store, clock: TestClock): Promise<Worker> {
  const worker = new Worker({ store, clock });
  const queued = worker.events.next('queue', (q) => q.normal === JOBS, 10_000);
  await worker.start();
  await clock.advanceAsync(DUE + 1 - clock.now());
  await queued;
  return worker;
}

describe('an offer round in chunks', () => {
  it('hands each chunk over for its ACCEPT once it is recorded, the first before the others are recorded', async () => {
    const clock = new TestClock(START);
    const store = new MemoryStore();
    await store.jobs.apply({ put: Array.from({ length: JOBS }, (_, i) => job(`herd-${i}`, clock.now())) });
    const worker = await herdQueued(store, clock);

    // each chunk as handed over, with the runs still waiting to be recorded then
    const chunks: { ids: string[]; offerIds: string[]; queuedLeft: number }[] = [];
    const decision = await worker.onOffers(offers('o', 20), (launches) =>
      chunks.push({ ids: idsOf(launches), offerIds: launches.flatMap((l) => l.offerIds), queuedLeft: worker.queuedRuns().length }),
    );
    await worker.idle();
    expect(chunks.length).toBeGreaterThan(1);
    // all launched, none twice, none in the answer: it holds only the offers declined, each offer answered once
    const all = chunks.flatMap((c) => c.ids);
    expect(all).toHaveLength(JOBS);
    expect(new Set(all).size).toBe(JOBS);
    expect(decision.launches).toEqual([]);
    expect([...chunks.flatMap((c) => c.offerIds), ...decision.declines].sort()).toEqual(offers('o', 20).map((o) => o.id).sort());
    // every task of a chunk was stored STAGING when the chunk was handed over; the first chunk went before the rest were recorded
    const stored = new Map((await store.runs.list({ limit: JOBS * 2 })).runs.map((r) => [r.taskId, r]));
    expect(all.every((id) => stored.get(id)?.state === 'STAGING')).toBe(true);
    expect(chunks[0].queuedLeft).toBe(JOBS - chunks[0].ids.length);
    expect(chunks.at(-1)!.queuedLeft).toBe(0);
    worker.stop();
  });

  it("the round's schedules are stored once, after its ACCEPTs; when that fails the launches stand and the failure is reported", async () => {
    const clock = new TestClock(START);
    const memory = new MemoryStore();
    await memory.jobs.apply({ put: Array.from({ length: JOBS }, (_, i) => job(`herd-${i}`, clock.now())) });
    const order: string[] = [];
    let refuse = false;
    const runs = new Proxy(memory.runs, {
      get: (t, key, receiver) =>
        key === 'record'
          ? (c: RunRecord) => {
              if (c.jobs.length === 0) return t.record(c);
              order.push(`schedules ×${c.jobs.length}`);
              return refuse ? Promise.reject(new Error('connection terminated')) : t.record(c);
            }
          : (Reflect.get(t, key, receiver) as unknown),
    });
    const store = new Proxy(memory, { get: (t, key, receiver) => (key === 'runs' ? runs : (Reflect.get(t, key, receiver) as unknown)) }) as Store;
    const worker = await herdQueued(store, clock);
    const errors: string[] = [];
    worker.events.on('error', (e) => errors.push(e.message));
    refuse = true;
    await worker.onOffers(offers('o', 20), (launches) => order.push(`accept ×${idsOf(launches).length}`));
    await worker.idle();
    // every chunk's ACCEPT went before the schedules' one write
    expect(order.length).toBeGreaterThan(2);
    expect(order.at(-1)).toBe(`schedules ×${JOBS}`);
    expect(order.slice(0, -1).every((o) => o.startsWith('accept'))).toBe(true);
    // the launches stand; the schedules are held by the worker, reported as not stored
    const stored = (await memory.runs.list({ limit: JOBS * 2 })).runs;
    expect(stored.filter((r) => r.state === 'STAGING')).toHaveLength(JOBS);
    expect(errors.filter((m) => m.includes(`the schedules of ${JOBS} launched job(s) could not be stored`))).toHaveLength(1);
    expect((await memory.jobs.get('herd-0'))?.schedule).toBe('R/2026-01-01T00:10:00Z/PT1H');
    expect(worker.jobsView()?.get('herd-0')?.schedule).toBe('R/2026-01-01T01:10:00.000Z/PT1H');
    worker.stop();
  });

  it('a stop between two chunks: the recorded chunk launched, the rest QUEUED, and the next leader launches only those; every schedule advanced once', async () => {
    const clock = new TestClock(START);
    const memory = new MemoryStore();
    await memory.jobs.apply({ put: Array.from({ length: JOBS }, (_, i) => job(`herd-${i}`, clock.now())) });
    const { store, down } = failing(memory);
    const first = await herdQueued(store, clock);
    const toMesos: string[] = [];
    const errors: string[] = [];
    first.events.on('error', (e) => errors.push(e.message));
    // the database goes away right after the first chunk's ACCEPT is sent
    const answer = await first.onOffers(offers('a', 20), (launches) => {
      toMesos.push(...idsOf(launches));
      down();
    });
    first.stop();
    expect(toMesos.length).toBeGreaterThan(0);
    expect(toMesos.length).toBeLessThan(JOBS);
    expect(answer.launches).toEqual([]);
    expect(errors.some((m) => m.includes('could not record launches: connection terminated'))).toBe(true);
    const afterCrash = (await memory.runs.list({ limit: JOBS * 2 })).runs;
    expect(afterCrash.filter((r) => r.state === 'STAGING').map((r) => r.taskId).sort()).toEqual([...toMesos].sort());
    expect(afterCrash.filter((r) => r.state === 'QUEUED')).toHaveLength(JOBS - toMesos.length);

    // the next leader: loads the runs (STAGING ones in flight, QUEUED ones queued) and launches the rest
    // (the round's schedules are stored after its ACCEPTs: the database went away first, so the
    // launched jobs still point at the instant their runs have; the next leader moves them on)
    const second = new Worker({ store: memory, clock });
    await second.start();
    await clock.advanceAsync(1);
    await second.idle();
    const next = await second.onOffers(offers('b', 20), (launches) => toMesos.push(...idsOf(launches)));
    toMesos.push(...idsOf(next.launches));
    expect(toMesos).toHaveLength(JOBS);
    expect(new Set(toMesos).size).toBe(JOBS);
    const runs = (await memory.runs.list({ limit: JOBS * 2 })).runs;
    expect(runs).toHaveLength(JOBS);
    expect(runs.every((r) => r.state === 'STAGING' && r.due === DUE)).toBe(true);
    // each job's schedule advanced once, to the next instant, its other fields as they were
    for (const j of await memory.jobs.list()) expect(j).toEqual({ ...job(j.name, Date.parse(START)), schedule: 'R/2026-01-01T01:10:00.000Z/PT1H' });
    second.stop();
  });
});
