/**
 * The UI's jobs snapshot updated in place (snapshot-reconcile.ts) equals one built from scratch,
 * after any stream of creates, updates (a new job object, or the same object with a new outcome)
 * and deletes; and JobsSnapshot's background reload answers like a full rebuild.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { EventBus } from '../runtime/events';
import type { Scheduler } from '../runtime/assemble';
import { TestClock } from '../testing/test-clock';
import type { Store } from '../ports';
import { parseJob } from './job-schema';
import { JobsSnapshot } from './jobs-snapshot';
import { LiveScheduler } from './live-scheduler';
import { buildSnapshot, reconcileSnapshot } from './snapshot-reconcile';
import type { Snapshot } from './job-entry';

const template = (() => {
  const r = parseJob({ name: 'x', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: 0 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
})();

const outcomes = [
  { lastSuccess: '', lastError: '' },
  { lastSuccess: '2026-01-01T00:00:00.000Z', lastError: '' },
  { lastSuccess: '2026-01-01T00:00:00.000Z', lastError: '2026-01-02T00:00:00.000Z' },
];

function make(name: string, outcome: number, dependent: boolean): Job {
  const j: Job = { ...template, name, ...outcomes[outcome] };
  if (dependent) {
    delete (j as Partial<Job>).schedule;
    j.parents = ['p'];
  }
  return j;
}

type Op =
  | { k: 'create'; name: string; outcome: number; dependent: boolean }
  | { k: 'replace'; name: string; outcome: number; dependent: boolean }
  | { k: 'mutate'; name: string; outcome: number }
  | { k: 'delete'; name: string }
  | { k: 'reconcile' };

const names = fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `job-${String.fromCharCode(97 + i)}`));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('create' as const), name: names, outcome: fc.nat(2), dependent: fc.boolean() }),
  fc.record({ k: fc.constant('replace' as const), name: names, outcome: fc.nat(2), dependent: fc.boolean() }),
  fc.record({ k: fc.constant('mutate' as const), name: names, outcome: fc.nat(2) }),
  fc.record({ k: fc.constant('delete' as const), name: names }),
  fc.constant({ k: 'reconcile' as const }),
);

/** The jobs in name order, as the worker's view sorted (name-order.ts) lists them. */
const listOf = (held: Map<string, Job>): Job[] => [...held.keys()].sort().map((n) => held.get(n)!);

/** What a reader sees: each entry's job (by identity), status and kind, and the name map. */
function shape(s: Snapshot) {
  return {
    entries: s.entries.map((e) => ({ job: e.job, status: e.status, kind: e.kind })),
    map: [...s.byName.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, e]) => [n, s.entries.indexOf(e)]),
  };
}

function apply(held: Map<string, Job>, o: Op): void {
  if (o.k === 'create' && !held.has(o.name)) held.set(o.name, make(o.name, o.outcome, o.dependent));
  if (o.k === 'replace' && held.has(o.name)) held.set(o.name, make(o.name, o.outcome, o.dependent));
  if (o.k === 'mutate' && held.has(o.name)) Object.assign(held.get(o.name)!, outcomes[o.outcome]); // in place
  if (o.k === 'delete') held.delete(o.name);
}

describe('reconcileSnapshot', () => {
  it('equals a snapshot built from scratch after any stream of creates, updates and deletes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(fc.tuple(names, fc.nat(2), fc.boolean()), { maxLength: 12 }), (ops, initial) => {
        const held = new Map<string, Job>();
        for (const [n, o, d] of initial) held.set(n, make(n, o, d));
        let snap = buildSnapshot(listOf(held));
        for (const o of [...ops, { k: 'reconcile' as const }]) {
          if (o.k !== 'reconcile') apply(held, o);
          else {
            snap = reconcileSnapshot(snap, listOf(held));
            expect(shape(snap)).toEqual(shape(buildSnapshot(listOf(held))));
            for (const e of snap.entries) expect(snap.byName.get(e.job.name)).toBe(e);
          }
        }
      }),
      { seed: 18_004, numRuns: 300 },
    );
  });

  it('keeps the same snapshot and entries when nothing changed (no second copy of every entry)', () => {
    const jobs = ['a', 'b', 'c'].map((n) => make(n, 0, false));
    const snap = buildSnapshot(jobs);
    const entries = [...snap.entries];
    expect(reconcileSnapshot(snap, jobs)).toBe(snap);
    expect(snap.entries).toEqual(entries);
    snap.entries.forEach((e, i) => expect(e).toBe(entries[i]));
  });
});

describe('JobsSnapshot reload', () => {
  it('a reload after changes no event announced answers as a full rebuild would', async () => {
    const clock = new TestClock('2026-03-01T12:00:00Z');
    const bus = new EventBus();
    const scheduler = { events: bus } as unknown as Scheduler;
    const held = new Map<string, Job>();
    for (const n of ['b', 'd', 'f']) held.set(n, make(n, 0, false));
    const snapshot = new JobsSnapshot({
      store: {} as Store,
      source: { fromWorker: async () => listOf(held), named: async (n) => held.get(n) ?? null },
      clock,
      live: new LiveScheduler(() => scheduler),
      cacheMs: 1000,
    });
    const first = await snapshot.get();
    expect(first.entries.map((e) => e.job.name)).toEqual(['b', 'd', 'f']);

    // behind the events' back: a new job, a deleted one, a replaced one, one changed in place
    held.set('a', make('a', 1, true));
    held.delete('d');
    held.set('f', make('f', 2, false));
    Object.assign(held.get('b')!, outcomes[2]);
    clock.advance(30_000); // the reload age while events come (cacheMs × 30)
    await snapshot.get(); // starts the reload, answers the stale snapshot
    const reloaded = await new Promise<Snapshot>((resolve) => setImmediate(() => resolve(snapshot.get())));
    expect(shape(reloaded)).toEqual(shape(buildSnapshot(listOf(held))));
    expect(reloaded.entries.map((e) => [e.job.name, e.status, e.kind])).toEqual([
      ['a', 'success', 'dependent'],
      ['b', 'failure', 'scheduled'],
      ['f', 'failure', 'scheduled'],
    ]);
  });
});
