/**
 * The jobs snapshot's first build over many event-loop turns (snapshot-in-turns.ts) answers exactly
 * as one built at once (entries, their order, the name map), also when jobs change while it runs,
 * and a request during the build waits for it and gets the same; meanwhile other work runs. A
 * later read of the worker's jobs in name order (a reload) goes in turns too.
 */
import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import type { Scheduler } from '../runtime/assemble';
import { EventBus } from '../runtime/events';
import { TestClock } from '../testing/test-clock';
import type { SchedulerRuntime, Store } from '../ports';
import type { Snapshot } from './job-entry';
import { parseJob } from './job-schema';
import { JobSource } from './job-source';
import { JobsSnapshot } from './jobs-snapshot';
import { LiveScheduler } from './live-scheduler';
import { NameOrder } from './name-order';
import { buildSnapshot } from './snapshot-reconcile';
import { buildSnapshotInTurns, nextTurn, sortInTurns } from './snapshot-in-turns';

const template = (() => {
  const r = parseJob({ name: 'x', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D' }, { now: 0 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
})();

const make = (name: string, failed = false): Job => ({ ...template, name, lastError: failed ? '2026-01-02T00:00:00.000Z' : '' });
const name = (i: number) => `job-${String(i).padStart(6, '0')}`;
/** A deterministic shuffle (no flaky orders). */
const shuffled = <T>(xs: T[]): T[] => {
  const out = [...xs];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};
const sortedJobs = (view: Map<string, Job>): Job[] => [...view.keys()].sort().map((n) => view.get(n)!);
/** Everything a page reads of a snapshot: the entries in order and the name map (key → entry; its iteration order is not read). */
function shape(s: Snapshot) {
  const at = new Map(s.entries.map((e, i) => [e, i]));
  return {
    entries: s.entries.map((e) => [e.job, e.status, e.kind]),
    byName: [...s.byName].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, e]) => [n, e.job, e.status, e.kind, at.get(e)]),
  };
}

describe('building in turns', () => {
  it('answers as building at once, for ordered and shuffled names', async () => {
    const jobs = Array.from({ length: 23_456 }, (_, i) => make(name(i), i % 3 === 0));
    const stepped = await buildSnapshotInTurns(jobs, () => true);
    expect(shape(stepped!)).toEqual(shape(buildSnapshot(jobs)));

    const names = shuffled(jobs.map((j) => j.name));
    expect(await sortInTurns([...names], () => true)).toEqual([...names].sort());
    const view = new Map(names.map((n) => [n, make(n)]));
    expect(await new NameOrder().sortedInTurns(view, () => true)).toEqual(new NameOrder().sorted(view));
    const ordered = new Map(jobs.map((j) => [j.name, j]));
    expect(await new NameOrder().sortedInTurns(ordered, () => true)).toEqual(jobs);
  });

  it('a later read (a reload) goes in turns too, and answers as reading at once, also when jobs change meanwhile', async () => {
    const view = new Map(shuffled(Array.from({ length: 23_456 }, (_, i) => name(i))).map((n) => [n, make(n)]));
    const order = new NameOrder();
    await order.sortedInTurns(view, () => true);
    view.set(name(5), make(name(5), true)); // a job changed since: its new object
    let done = false;
    const again = order.sortedInTurns(view, () => true).then((jobs) => ((done = true), jobs));
    let turns = 0;
    while (!done) {
      await nextTurn();
      turns++;
    }
    expect(turns).toBeGreaterThan(2); // at once, within a turn
    expect(await again).toEqual(sortedJobs(view));
    // a name removed meanwhile (the job event re-reads a job changed behind a passed name)
    const changing = order.sortedInTurns(view, () => true);
    view.delete(name(7));
    expect(await changing).toEqual(sortedJobs(view));
  });

  it('stops when no longer wanted', async () => {
    const jobs = Array.from({ length: 20_000 }, (_, i) => make(name(i)));
    let turns = 0;
    expect(await buildSnapshotInTurns(jobs, () => ++turns < 2)).toBeNull();
  });
});

describe('JobsSnapshot first build', () => {
  function setup(n: number) {
    const bus = new EventBus();
    const scheduler = { events: bus } as unknown as Scheduler;
    const view = new Map<string, Job>();
    for (const i of shuffled(Array.from({ length: n }, (_, k) => k))) view.set(name(i * 2), make(name(i * 2)));
    const store = { jobs: { sortsByCodePoint: async () => true, list: async () => sortedJobs(view), get: async (k: string) => view.get(k) ?? null } } as unknown as Store;
    const runtime = { jobsView: () => view } as unknown as SchedulerRuntime;
    const snapshot = new JobsSnapshot({ store, source: new JobSource(store, runtime), clock: new TestClock('2026-03-01T12:00:00Z'), live: new LiveScheduler(() => scheduler), cacheMs: 1000 });
    return { bus, view, snapshot };
  }

  it('lets other work run while it builds, and a request meanwhile waits for it and gets the whole snapshot', async () => {
    const { view, snapshot } = setup(30_000);
    let done = false;
    snapshot.warm();
    const answer = snapshot.get().then((s) => ((done = true), s));
    let turns = 0;
    while (!done) {
      await nextTurn();
      turns++;
    }
    expect(turns).toBeGreaterThan(5); // at once, the request is answered within a turn or two
    expect(shape(await answer)).toEqual(shape(buildSnapshot(sortedJobs(view))));
  });

  it('jobs created, changed and deleted while it builds are in the first answer', async () => {
    const { bus, view, snapshot } = setup(30_000);
    let done = false;
    snapshot.warm();
    const answer = snapshot.get().then(() => (done = true));
    await nextTurn();
    await nextTurn();
    await nextTurn();
    expect(done).toBe(false); // mid-build
    const change = (n: string, job: Job | null) => {
      if (job) view.set(n, job);
      else view.delete(n);
      bus.emit('job', { name: n, change: job ? 'updated' : 'deleted' });
    };
    change(name(1), make(name(1))); // a new name, between two held
    change(name(4), make(name(4), true)); // a new version
    change(name(10), null);
    change(name(59_998), null); // the last one
    await answer;
    const got = await snapshot.get(); // the changes, re-read one by one
    expect(shape(got)).toEqual(shape(buildSnapshot(sortedJobs(view))));
    expect(got.byName.get(name(4))!.status).toBe('failure');
    expect(got.byName.has(name(10))).toBe(false);
  });
});
