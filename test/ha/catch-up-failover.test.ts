/**
 * A leader change in the middle of a catch-up (issue 17 point 2), on the real PostgreSQL with
 * fencing epochs: leader 1 (a worker over a store fenced by epoch 1) comes back after a 6-hour
 * outage with an hourly `catchUp: all` job, plans the six missed instants and runs two; leader 2
 * raises the epoch to 2 and takes over; leader 1, still running, can store nothing more. Every
 * instant runs exactly once: no task id launched twice, no (job, due) with two runs, none missing.
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../../scheduler/adapters/prisma/use-test-store';
import { parseJob } from '../../scheduler/api/job-schema';
import type { Offer, OfferResource } from '../../scheduler/core/types';
import { TestClock } from '../../scheduler/testing/test-clock';
import { Worker } from '../../scheduler/runtime/worker';

const pg = useTestStore('sisyphus_catchup_ha', { poolSize: 4 });

const START = Date.parse('2026-06-01T00:00:00Z');
const HOUR = 3_600_000;
const hhmm = (t: number): string => new Date(t).toISOString().slice(11, 16);

const offer = (id: string): Offer => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return { id, agentId: 'agent-1', hostname: 'agent-1', resources: [res('cpus', 8), res('mem', 65536), res('disk', 100000)], attributes: [] };
};

/** One offer round; each task launched runs and finishes. Returns the task ids launched. */
async function round(worker: Worker, id: string): Promise<string[]> {
  const decision = await worker.onOffers([offer(id)]);
  const ids = decision.launches.flatMap((l) => l.taskInfos.map((t) => (t as { task_id: { value: string } }).task_id.value));
  for (const taskId of ids) {
    await worker.onUpdate({ taskId, state: 'TASK_RUNNING', agentId: 'agent-1' });
    await worker.onUpdate({ taskId, state: 'TASK_FINISHED', agentId: 'agent-1' });
  }
  return ids;
}

describe('HA: a leader change in the middle of a catch-up', () => {
  it('neither loses nor repeats an instant; the old leader stores nothing after the new epoch', async () => {
    // the job as it was stored before the outage: next instant 01:00; now 06:00:30
    const clock = new TestClock(START + 6 * HOUR + 30_000);
    const parsed = parseJob({ name: 'hourly', command: 'true', schedule: 'R/2026-06-01T01:00:00Z/PT1H', catchUp: 'all' }, { now: START });
    if (!parsed.ok) throw new Error(parsed.error.message);
    await pg.store.jobs.put(parsed.value);

    await pg.store.raiseEpoch(1);
    const fencedOut: string[] = [];
    const first = new Worker({ store: pg.store.fenced(1, (e) => fencedOut.push(e.message)), clock, instanceId: 'leader-1' });
    const planned = first.events.next('queue', (q) => q.normal === 6, 5_000);
    await first.start();
    await clock.advanceAsync(1);
    await planned;
    const launched = [...(await round(first, 'a-1')), ...(await round(first, 'a-2'))];
    expect(launched.map((t) => hhmm(Number(t.split(':')[1])))).toEqual(['01:00', '02:00']);

    // leader 2 is elected: it raises the epoch, loads and goes on
    await pg.store.raiseEpoch(2);
    const second = new Worker({ store: pg.store.fenced(2), clock, instanceId: 'leader-2' });
    await second.start();
    await clock.advanceAsync(1);
    await second.idle();
    expect(second.activity('hourly')).toEqual({ queued: 4, running: 0 });

    // the old leader has not noticed yet and answers an offer: its launch cannot be recorded
    const stale = await first.onOffers([offer('a-3')]);
    expect(stale.launches).toEqual([]);
    expect(fencedOut.length).toBeGreaterThan(0);
    first.stop();

    for (let i = 0; i < 4; i++) launched.push(...(await round(second, `b-${i}`)));
    await clock.advanceAsync(HOUR);
    await second.idle();
    launched.push(...(await round(second, 'b-7')));
    second.stop();

    expect(new Set(launched).size).toBe(launched.length);
    const runs = (await pg.store.runs.list({ jobName: 'hourly', limit: 100 })).runs.sort((a, b) => a.due - b.due);
    expect(runs.map((r) => `${hhmm(r.due)} ${r.attempt} ${r.state}`)).toEqual(
      ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00'].map((t) => `${t} 0 FINISHED`),
    );
    expect(launched.map((t) => hhmm(Number(t.split(':')[1])))).toEqual(['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00']);
  });
});
