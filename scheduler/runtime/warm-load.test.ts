/**
 * A worker loading from a warm standby's hand-over (job-source-load.ts): the map of every job and
 * the map of jobs due later than a minute, taken as they are. Each job still runs at its instant:
 * those due soon at once, a later one changed before the deferred indexing reaches it as changed,
 * and the others once indexed after the first launches.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import type { Job } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const job = (name: string, start: string): Job => {
  const r = parseJob({ name, command: 'true', schedule: `R1/${start}/PT1H` }, { now: T0 });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('a warm load from the maps a standby hands over', () => {
  it('runs every job at its instant: due soon at once, a later one changed meanwhile as changed, the rest after', async () => {
    const store = new MemoryStore();
    const clock = new TestClock(T0);
    const all = [job('soon', '2026-06-01T12:00:20Z'), job('later', '2026-06-01T14:00:00Z'), job('moved', '2026-06-01T15:00:00Z')];
    await store.jobs.apply({ put: all });
    const jobs = new Map(all.map((j) => [j.name, j]));
    const later = new Map([
      ['later', jobs.get('later')!],
      ['moved', jobs.get('moved')!],
    ]);
    const worker = new Worker({ store, clock, jobSource: async () => ({ jobs, later, soon: [jobs.get('soon')!] }) });
    await worker.start();
    expect(worker.jobsView()).toBe(jobs); // held as handed over, not copied
    // the API moves `moved` to 12:00:40 before the deferred indexing reaches it
    const moved = job('moved', '2026-06-01T12:00:40Z');
    await store.jobs.put(moved);
    await worker.jobChanged(moved, jobs.get('moved')!);
    await worker.scheduleIndexed();
    const due = async (at: number) => {
      clock.set(at);
      await worker.tick();
      return (await store.runs.list({ limit: 100 })).runs.map((r) => `${r.jobName}@${new Date(r.due).toISOString().slice(11, 19)}`).sort();
    };
    expect(await due(T0 + 21_000)).toEqual(['soon@12:00:20']);
    expect(await due(T0 + 41_000)).toEqual(['moved@12:00:40', 'soon@12:00:20']);
    expect(await due(T0 + 2 * 3_600_000 + 1_000)).toEqual(['later@14:00:00', 'moved@12:00:40', 'soon@12:00:20']);
    worker.stop();
  });
});
