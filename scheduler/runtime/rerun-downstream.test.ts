/**
 * "Rerun failed and downstream" of an old night, through the worker over the in-memory store: the
 * rerun and every job downstream of it are for that night (`intendedDue`), so the pipeline grid
 * shows them in that night's column (not in the newest one), its run page shows them as attempts of
 * that night, and a second rerun runs them again.
 */
import { describe, expect, it } from 'vitest';
import { parseJob } from '../api/job-schema';
import { UiService } from '../api/ui-service';
import type { Job, Offer, OfferResource } from '../core/types';
import { MemoryStore } from '../testing/memory-store';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const NIGHT1 = Date.parse('2026-03-01T02:00:00Z');
const DAY = 86_400_000;

const job = (json: Record<string, unknown>, now: number): Job => {
  const r = parseJob({ command: 'true', retries: 0, ...json }, { now });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

const launched = (d: Awaited<ReturnType<Worker['onOffers']>>) =>
  d.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));

describe('rerun of an old night', () => {
  it("runs the failed job and its downstream jobs in that night's grid column, each time it is rerun", async () => {
    const clock = new TestClock('2026-03-01T01:59:00Z');
    const store = new MemoryStore();
    const worker = new Worker({ store, clock });
    // extract (nightly at 02:00) → transform → load
    await store.jobs.apply({
      put: [
        job({ name: 'extract', schedule: 'R/2026-03-01T02:00:00Z/P1D' }, clock.now()),
        job({ name: 'transform', parents: ['extract'] }, clock.now()),
        job({ name: 'load', parents: ['transform'] }, clock.now()),
      ],
    });
    const ui = new UiService({ store, runtime: worker, clock, scheduler: () => null, elector: () => null, master: () => null });
    await worker.start();

    /** Launches whatever is queued and ends each task with `end(jobName)`; until nothing is queued. */
    const runQueued = async (end: (taskId: string) => string) => {
      for (let round = 0; round < 10; round++) {
        await worker.tick();
        const ids = launched(await worker.onOffers([offer(`o-${clock.now()}-${round}`)]));
        if (ids.length === 0) return;
        for (const id of ids) {
          await worker.onUpdate({ taskId: id, state: 'TASK_RUNNING', agentId: 'agent-1' });
          await clock.advanceAsync(1000);
          await worker.onUpdate({ taskId: id, state: end(id), agentId: 'agent-1' });
        }
      }
    };
    // three nights: the first one's transform fails, the others succeed
    for (let night = 0; night < 3; night++) {
      await clock.advanceAsync(NIGHT1 + night * DAY + 1000 - clock.now());
      await runQueued((id) => (night === 0 && id.includes(':transform:') ? 'TASK_FAILED' : 'TASK_FINISHED'));
    }
    const before = await ui.grid(new URLSearchParams({ job: 'extract', n: '3' }));
    expect(before.columns).toEqual([NIGHT1, NIGHT1 + DAY, NIGHT1 + 2 * DAY]);
    const col = (g: typeof before, name: string) => g.cells[g.jobs.findIndex((j) => j.name === name)].map((c) => c?.state ?? null);
    expect(col(before, 'transform')).toEqual(['FAILED', 'FINISHED', 'FINISHED']);
    expect(col(before, 'load')).toEqual([null, 'FINISHED', 'FINISHED']);

    // the morning after night 3: rerun night 1's transform and what depends on it
    await clock.advanceAsync(5 * 3_600_000);
    const failed = before.cells[before.jobs.findIndex((j) => j.name === 'transform')][0]!.taskId;
    for (const attempt of [1, 2]) {
      const r = await ui.rerun([failed]);
      expect(r.queued).toHaveLength(1);
      // the rerun of transform (fired by extract) is for night 1 too (SISYPHUS_DUE)
      expect((await store.runs.getByTaskId(r.queued[0]))?.intendedDue, `rerun ${attempt}`).toBe(NIGHT1);
      await runQueued(() => 'TASK_FINISHED');
      const after = await ui.grid(new URLSearchParams({ job: 'extract', n: '3' }));
      expect(after.columns, `rerun ${attempt}`).toEqual(before.columns); // a rerun makes no column
      expect(col(after, 'transform'), `rerun ${attempt}`).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
      expect(col(after, 'load'), `rerun ${attempt}`).toEqual(['FINISHED', 'FINISHED', 'FINISHED']);
      const load = after.cells[after.jobs.findIndex((j) => j.name === 'load')][0]!;
      expect(load.attempts, `rerun ${attempt}`).toBe(attempt);
      // it ran this morning, for night 1
      const stored = (await store.runs.getByTaskId(load.taskId))!;
      expect(stored.due, `rerun ${attempt}`).toBeGreaterThan(NIGHT1 + 2 * DAY);
      expect(stored.intendedDue, `rerun ${attempt}`).toBeLessThan(NIGHT1 + DAY);
      // and its run page has night 1's every load as an attempt
      const page = await ui.runDetail(load.taskId);
      expect(page.attempts.map((a) => a.run.intendedDue ?? a.run.due), `rerun ${attempt}`).toEqual(Array(attempt).fill(stored.intendedDue));
    }
    worker.stop();
  });
});
