/**
 * Jitter in the worker (TestClock, real PostgreSQL, no Mesos): a scheduled run of a job with a
 * jitter is created at its instant but waits among the delayed runs until due + its delay, with
 * the reason in words; a restart in between keeps the same launch instant.
 */
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import { parseJob } from '../api/job-schema';
import { jitterDelay } from '../core/jitter';
import { TestClock } from '../testing/test-clock';
import { Worker } from './worker';

const pg = useTestStore('sisyphus_jitter');

const DUE = Date.parse('2026-01-01T00:10:00Z');

describe('a job with a jitter', () => {
  it('its run is created at the instant and released for launch at due + the delay, also after a restart', async () => {
    const clock = new TestClock('2026-01-01T00:00:00Z');
    const parsed = parseJob({ name: 'spread', command: 'true', schedule: 'R/2026-01-01T00:10:00Z/P1D', jitter: 'PT10M' }, { now: clock.now() });
    if (!parsed.ok) throw new Error(parsed.error.message);
    const delay = jitterDelay('spread', DUE, 600_000);
    expect(delay).toBeGreaterThan(60_000); // this job and instant: a delay worth testing (it is fixed)
    await pg.store.jobs.put(parsed.value);
    let worker = new Worker({ store: pg.store, clock });
    await worker.start();

    const created = worker.events.next('run', (e) => e.run.jobName === 'spread', 5_000);
    await clock.advanceAsync(DUE + 1 - clock.now());
    const { run } = await created;
    expect(run).toMatchObject({ due: DUE, state: 'QUEUED', trigger: 'schedule' });
    expect(worker.hasWork()).toBe(false);
    expect(worker.waitingReason(run.taskId)).toBe(`jitter PT10M: launches at ${new Date(DUE + delay).toISOString()}`);

    // a restart half way: the new worker holds it back until the same instant
    await clock.advanceAsync(delay / 2);
    worker.stop();
    worker = new Worker({ store: pg.store, clock });
    await worker.start();
    expect(worker.hasWork()).toBe(false);
    expect(worker.waitingReason(run.taskId)).toBe(`jitter PT10M: launches at ${new Date(DUE + delay).toISOString()}`);

    await clock.advanceAsync(DUE + delay - 1_000 - clock.now());
    await worker.idle();
    expect(worker.hasWork()).toBe(false);
    const released = worker.events.next('queue', (q) => q.high + q.normal === 1, 5_000);
    await clock.advanceAsync(2_000);
    await released;
    expect(worker.hasWork()).toBe(true);
    expect(worker.queuedRuns().map((r) => r.taskId)).toEqual([run.taskId]);
    worker.stop();
  });
});
