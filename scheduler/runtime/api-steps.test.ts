/**
 * An API caller (a manual run, a delete, mark success) waits for about one step of the worker, not
 * for every queued batch of launches and updates: with a backlog of retries, a manual run waited
 * 10-31 s (found by npm run fuzz). The worker over the in-memory store, slowed at will.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job, Offer, OfferResource } from '../core/types';
import type { Store } from '../ports';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob(json, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

/** The store with every call of its own and of its parts held while `held()` is true. */
function slowed(store: MemoryStore, held: () => Promise<void> | null): Store {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, p, receiver) {
        const v = Reflect.get(t, p, receiver) as unknown;
        if (typeof v === 'function') {
          return async (...args: unknown[]) => {
            const gate = held();
            if (gate) await gate;
            return (v as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        if (v && typeof v === 'object' && !Array.isArray(v)) return wrap(v as object);
        return v;
      },
    });
  return wrap(store as unknown as Store);
}

describe('API steps', () => {
  it('a manual run queued behind offer rounds runs right after the step in progress', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const memory = new MemoryStore();
    let gate: Promise<void> | null = null;
    let release!: () => void;
    const store = slowed(memory, () => gate);
    const a = job({ name: 'a', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', concurrent: true }, clock.now());
    const b = job({ name: 'b', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' }, clock.now());
    await memory.jobs.put(a);
    await memory.jobs.put(b);
    const worker = new Worker({ store, clock });
    await worker.start();
    for (let i = 0; i < 4; i++) await worker.runNow(a, '');

    // the database turns slow in the middle of an offer round; more rounds queue behind it
    gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    const rounds = [1, 2, 3, 4].map((i) => worker.onOffers([offer(`o-${i}`)]).then(() => done.push(`offers ${i}`)));
    await Promise.resolve();
    const manual = worker.runNow(b, '').then(() => done.push('manual run'));
    gate = null;
    release();
    await Promise.all([...rounds, manual]);
    // the round in progress ends first, the manual run comes next, then the rounds queued before it
    expect(done).toEqual(['offers 1', 'manual run', 'offers 2', 'offers 3', 'offers 4']);
    expect(worker.activity('b')).toEqual({ queued: 0, running: 1 }); // and the next round launched it
    worker.stop();
  });
});
