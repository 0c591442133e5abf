/**
 * The warm standby (standby-mirror.ts) against the real PostgreSQL: its mirror follows the jobs'
 * creates, updates and deletes (a write that commits after a later one included), and a worker
 * that takes over from it holds the same jobs and creates the same runs as one that loads cold.
 */
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestStore } from '../adapters/prisma/use-test-store';
import type { Instant, Job } from '../core/types';
import { parseJob } from '../api/job-schema';
import { TestClock } from '../testing/test-clock';
import { StandbyMirror } from './standby-mirror';
import { Worker } from './worker';

const T0: Instant = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3_600_000;

const pgTest = useTestStore('sisyphus_standby', { poolSize: 4 });

beforeEach(async () => {
  await pgTest.db.query('TRUNCATE jobs, runs, dependency_edges, job_tombstones RESTART IDENTITY');
});

function job(name: string, fields: Record<string, unknown> = {}): Job {
  const r = parseJob({ name, command: `echo ${name}`, owner: 'ops@example.com', schedule: 'R/2030-01-01T00:00:00Z/P1D', ...fields }, { now: T0, kind: 'iso8601' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const mirrorOf = (clock = new TestClock(T0)) => new StandbyMirror({ jobs: pgTest.store.jobs, clock, pollMs: 50 });
const names = (jobs: Job[]) => jobs.map((j) => j.name);

describe('the standby mirror follows the jobs table', () => {
  it('creates, updates, deletes, a delete then a create of the same name, and an emptied table', async () => {
    await pgTest.store.jobs.apply({ put: [job('a'), job('b'), job('c')] });
    const mirror = mirrorOf();
    await mirror.catchUp();
    expect(mirror.size).toBe(3);

    await pgTest.store.jobs.put(job('b', { command: 'echo changed' }));
    await pgTest.store.jobs.delete('c');
    await pgTest.store.jobs.put(job('d'));
    await pgTest.store.jobs.delete('a');
    await pgTest.store.jobs.put(job('a', { command: 'echo again' }));
    expect(await mirror.catchUp()).toBeGreaterThan(0);
    const handed = await mirror.takeJobs();
    expect(handed).not.toBeNull();
    expect(handed!.jobs).toEqual(await pgTest.store.jobs.list());
    expect(names(handed!.jobs)).toEqual(['a', 'b', 'd']);
    expect(handed!.jobs.find((j) => j.name === 'b')!.command).toBe('echo changed');

    // handed over: it starts again from a full read; a truncated table reads as empty
    await mirror.catchUp();
    expect(mirror.size).toBe(3);
    await pgTest.db.query('TRUNCATE jobs');
    await mirror.catchUp();
    expect(mirror.size).toBe(0);
  });

  it('sees a write that commits after a later one it has already read', async () => {
    await pgTest.store.jobs.put(job('early'));
    const mirror = mirrorOf();
    await mirror.catchUp();
    // a transaction opened first (the older transaction id) writes, and commits last
    const slow = new pg.Client({ connectionString: pgTest.db.url });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`UPDATE jobs SET data = jsonb_set(data, '{command}', '"echo slow"') WHERE name = 'early'`);
      await pgTest.store.jobs.put(job('fast'));
      await mirror.catchUp();
      expect(mirror.size).toBe(2);
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    const handed = await mirror.takeJobs();
    expect(handed!.jobs.find((j) => j.name === 'early')!.command).toBe('echo slow');
    expect(handed!.jobs).toEqual(await pgTest.store.jobs.list());
  });

  it('hands over nothing before its first read (the worker then loads the jobs itself)', async () => {
    expect(await mirrorOf().takeJobs()).toBeNull();
  });
});

describe('a takeover from the mirror equals a cold load', () => {
  /** Jobs of every kind a load treats differently. */
  const fleet = (): Job[] => [
    job('due-now', { schedule: `R/2026-06-01T11:00:00Z/PT1H` }),
    job('due-soon', { schedule: `R/2026-06-01T12:00:30Z/PT1H` }),
    job('due-in-2h', { schedule: `R/2026-06-01T14:00:00Z/P1D` }),
    job('far', { schedule: 'R/2100-01-01T00:00:00Z/P1D' }),
    job('cron', { schedule: '*/30 * * * *' }),
    job('open-start', { schedule: 'R//PT2H' }),
    job('finished', { schedule: 'R0/2026-01-01T00:00:00Z/P1D' }),
    job('off', { schedule: 'R/2026-06-01T11:00:00Z/PT1H', disabled: true }),
    job('child', { schedule: '', parents: ['due-in-2h'] }),
    ...Array.from({ length: 50 }, (_, i) => job(`bulk-${String(i).padStart(2, '0')}`, { schedule: `R/2026-06-0${1 + (i % 5)}T1${i % 10}:00:00Z/P1D` })),
  ];

  /** Loads a worker at T0 (warm: from the mirror), ticks at T0 + 3 h; the runs created (then deleted again). */
  async function runsCreated(warm: boolean): Promise<{ jobs: Job[]; runs: string[]; later: number }> {
    const clock = new TestClock(T0);
    let later = 0;
    let source: (() => ReturnType<StandbyMirror['takeJobs']>) | undefined;
    if (warm) {
      const mirror = mirrorOf(clock);
      mirror.follow();
      // followed: every job read and its schedule hinted
      await expect.poll(async () => (await mirror.catchUp(), mirror.size), { timeout: 10_000 }).toBe(fleet().length);
      await new Promise((r) => setTimeout(r, 50));
      source = async () => {
        const h = await mirror.takeJobs();
        later = h?.later.size ?? 0;
        return h;
      };
    }
    const w = new Worker({ store: pgTest.store, clock, jobSource: source, retryDelayMs: 60_000 });
    await w.start();
    await w.scheduleIndexed();
    const jobs = [...(w.jobsView()?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    await clock.advanceAsync(3 * HOUR);
    await w.tick();
    await w.idle();
    w.stop();
    const rows = await pgTest.db.query<{ k: string }>(`SELECT job_name || '@' || (extract(epoch from due) * 1000)::bigint || '#' || attempt || ':' || state AS k FROM runs ORDER BY 1`);
    await pgTest.db.query('TRUNCATE runs');
    return { jobs, runs: rows.map((r) => r.k), later };
  }

  it('holds the same jobs and creates the same runs', async () => {
    await pgTest.store.jobs.apply({ put: fleet() });
    const warm = await runsCreated(true);
    const cold = await runsCreated(false);
    // the warm load did defer schedules (those far off), and still created what the cold one did
    expect(warm.later).toBeGreaterThan(0);
    expect(warm.runs.length).toBeGreaterThan(3);
    expect(warm.jobs).toEqual(cold.jobs);
    expect(warm.runs).toEqual(cold.runs);
  });
});
