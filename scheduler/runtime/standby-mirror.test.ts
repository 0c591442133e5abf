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
import { DependencyGraph } from '../core/dag';
import { TestClock } from '../testing/test-clock';
import { StandbyMirror, type HandOver } from './standby-mirror';
import { inNameOrder } from './job-source-load';
import { Worker } from './worker';

const T0: Instant = Date.UTC(2026, 5, 1, 12, 0, 0);
const HOUR = 3_600_000;

const pgTest = useTestStore('sisyphus_standby', { poolSize: 4 });

beforeEach(async () => {
  await pgTest.db.query('TRUNCATE jobs, runs, dependency_edges, job_tombstones RESTART IDENTITY');
});

function job(name: string, fields: Record<string, unknown> = {}): Job {
  const dependency = 'parents' in fields;
  const body = dependency ? { name, command: `echo ${name}`, owner: 'ops@example.com', ...fields } : { name, command: `echo ${name}`, owner: 'ops@example.com', schedule: 'R/2030-01-01T00:00:00Z/P1D', ...fields };
  const r = parseJob(body, { now: T0, kind: dependency ? 'dependency' : 'iso8601' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

const mirrorOf = (clock = new TestClock(T0)) => new StandbyMirror({ jobs: pgTest.store.jobs, clock, pollMs: 50 });
const names = (jobs: Job[]) => jobs.map((j) => j.name);
/** The jobs handed over, in name order (as the store lists them). */
const listed = (h: HandOver): Job[] => inNameOrder(h.jobs);

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
    expect(listed(handed!)).toEqual(await pgTest.store.jobs.list());
    expect(names(listed(handed!))).toEqual(['a', 'b', 'd']);
    expect(listed(handed!).find((j) => j.name === 'b')!.command).toBe('echo changed');

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
    expect(listed(handed!).find((j) => j.name === 'early')!.command).toBe('echo slow');
    expect(listed(handed!)).toEqual(await pgTest.store.jobs.list());
  });

  it('hands over nothing before its first read (the worker then loads the jobs itself)', async () => {
    expect(await mirrorOf().takeJobs()).toBeNull();
  });
});

describe('the standby keeps the dependency graph built', () => {
  const pipeline = () => [job('extract'), job('transform', { parents: ['extract'] }), job('load', { parents: ['transform', 'extract'] }), job('lone')];
  /** Each job's parents and children in the graph, as the API and the worker read them. */
  const shape = (g: DependencyGraph) => g.names().sort().map((n) => `${n} <- ${g.parentsOf(n).join(',')} -> ${g.childrenOf(n).join(',')}`);
  const following = async () => {
    const mirror = mirrorOf();
    mirror.follow();
    // the test clock's timer does not fire: each poll reads as the follower's timer would
    await expect.poll(async () => (await mirror.catchUp(), mirror.graphReady), { timeout: 10_000 }).toBe(true);
    // past the table's truncation (beforeEach): a read now applies only what changed
    await expect.poll(() => mirror.catchUp(), { timeout: 10_000 }).toBe(0);
    expect(mirror.graphReady).toBe(true);
    return mirror;
  };

  it('hands over the graph a cold load builds, kept through a change of schedule', async () => {
    await pgTest.store.jobs.apply({ put: pipeline() });
    const mirror = await following();
    await pgTest.store.jobs.put(job('extract', { schedule: 'R/2031-01-01T00:00:00Z/P1D' }));
    const handed = await mirror.takeJobs();
    expect(handed!.caughtUp).toBe(1);
    expect(handed!.graph).toBeDefined();
    const cold = DependencyGraph.fromJobs(await pgTest.store.jobs.list());
    expect(shape(handed!.graph!.graph)).toEqual(shape(cold.graph));
    expect(handed!.graph!.graph.topologicalOrder()).toEqual(cold.graph.topologicalOrder());
    expect(names(listed(handed!))).toEqual(['extract', 'load', 'lone', 'transform']);
  });

  it('rebuilds once the jobs stop changing, not on every read of a stream of creates', async () => {
    await pgTest.store.jobs.apply({ put: pipeline() });
    const mirror = await following();
    for (let k = 0; k < 3; k++) {
      await pgTest.store.jobs.put(job(`burst-${k}`, { parents: ['lone'] }));
      await mirror.catchUp();
      expect(mirror.graphReady).toBe(false);
    }
    await expect.poll(async () => (await mirror.catchUp(), mirror.graphReady), { timeout: 10_000 }).toBe(true);
    const handed = await mirror.takeJobs();
    expect(handed!.graph!.graph.childrenOf('lone')).toEqual(['burst-0', 'burst-1', 'burst-2']);
  });

  it('hands over no graph after a change of parents, a new job or a delete it has not built yet (the worker builds it)', async () => {
    for (const change of [
      () => pgTest.store.jobs.put(job('load', { parents: ['transform'] })),
      () => pgTest.store.jobs.put(job('new-one', { parents: ['lone'] })),
      () => pgTest.store.jobs.delete('lone'),
    ]) {
      await pgTest.db.query('DELETE FROM jobs');
      await pgTest.store.jobs.apply({ put: pipeline() });
      const mirror = await following();
      await change();
      const handed = await mirror.takeJobs();
      expect(handed!.caughtUp).toBeGreaterThan(0);
      expect(handed!.graph).toBeUndefined();
      expect(listed(handed!)).toEqual(await pgTest.store.jobs.list());
    }
  });
});

describe('the hand-over splits the jobs by when they are due', () => {
  const fourJobs = () => [job('in-2h', { schedule: 'R/2026-06-01T14:00:00Z/P1D' }), job('in-3h', { schedule: 'R/2026-06-01T15:00:00Z/P1D' }), job('now', { schedule: 'R/2026-06-01T12:00:00Z/PT1H' }), job('far')];
  const followedAtT0 = async (clock: TestClock) => {
    await pgTest.store.jobs.apply({ put: fourJobs() });
    const mirror = mirrorOf(clock);
    await mirror.catchUp();
    await expect.poll(() => mirror.hinted).toBe(true);
    return mirror;
  };

  it('hands over as due soon a job read as far off whose instant has come within a minute since', async () => {
    const clock = new TestClock(T0);
    const mirror = await followedAtT0(clock); // read at T0: only `now` is due within a minute
    clock.set(T0 + 2 * HOUR - 30_000);
    const handed = await mirror.takeJobs();
    expect(handed!.caughtUp).toBe(0);
    expect(names(handed!.soon)).toEqual(['in-2h', 'now']);
    expect([...handed!.later.keys()].sort()).toEqual(['far', 'in-3h']);
    expect(handed!.jobs.size).toBe(4);
    expect(handed!.later.get('in-3h')).toBe(handed!.jobs.get('in-3h'));
  });

  it('hands over a job by its schedule as read at the last catch-up', async () => {
    const clock = new TestClock(T0);
    const mirror = await followedAtT0(clock);
    await pgTest.store.jobs.put(job('far', { schedule: 'R/2026-06-01T12:00:50Z/P1D' }));
    await pgTest.store.jobs.put(job('now', { schedule: 'R/2026-06-01T16:00:00Z/P1D' }));
    const handed = await mirror.takeJobs();
    expect(handed!.caughtUp).toBe(2);
    expect(names(handed!.soon)).toEqual(['far']);
    expect([...handed!.later.keys()].sort()).toEqual(['in-2h', 'in-3h', 'now']);
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
    job('child', { parents: ['due-in-2h'] }),
    ...Array.from({ length: 50 }, (_, i) => job(`bulk-${String(i).padStart(2, '0')}`, { schedule: `R/2026-06-0${1 + (i % 5)}T1${i % 10}:00:00Z/P1D` })),
  ];

  /** Loads a worker at T0 (warm: from the mirror), ticks at T0 + 3 h; the runs created (then deleted again). */
  async function runsCreated(warm: boolean): Promise<{ jobs: Job[]; runs: string[]; later: number; warmGraph: boolean }> {
    const clock = new TestClock(T0);
    let later = 0;
    let warmGraph = false;
    let source: (() => ReturnType<StandbyMirror['takeJobs']>) | undefined;
    if (warm) {
      const mirror = mirrorOf(clock);
      mirror.follow();
      // followed: every job read and its schedule hinted
      await expect.poll(async () => (await mirror.catchUp(), mirror.size), { timeout: 10_000 }).toBe(fleet().length);
      await expect.poll(async () => (await mirror.catchUp(), mirror.graphReady), { timeout: 10_000 }).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      source = async () => {
        const h = await mirror.takeJobs();
        later = h?.later.size ?? 0;
        warmGraph = h?.graph !== undefined;
        return h;
      };
    }
    const w = new Worker({ store: pgTest.store, clock, jobSource: source, retryDelayMs: 60_000 });
    await w.start();
    await w.scheduleIndexed();
    const jobs = [...(w.jobsView()?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    await clock.advanceAsync(3 * HOUR);
    await w.tick();
    // the dependency graph: a parent's success starts its child
    await w.markSuccess(jobs.find((j) => j.name === 'due-in-2h')!);
    await w.idle();
    w.stop();
    const rows = await pgTest.db.query<{ k: string }>(`SELECT job_name || '@' || (extract(epoch from due) * 1000)::bigint || '#' || attempt || ':' || state AS k FROM runs ORDER BY 1`);
    await pgTest.db.query('TRUNCATE runs');
    return { jobs, runs: rows.map((r) => r.k), later, warmGraph };
  }

  it('holds the same jobs and creates the same runs', async () => {
    await pgTest.store.jobs.apply({ put: fleet() });
    const warm = await runsCreated(true);
    await pgTest.store.jobs.apply({ put: fleet() }); // as before the warm worker's mark of success
    const cold = await runsCreated(false);
    // the warm load did defer schedules (those far off), and still created what the cold one did
    expect(warm.later).toBeGreaterThan(0);
    expect(warm.warmGraph).toBe(true);
    expect(warm.runs.filter((r) => r.startsWith('child@'))).toHaveLength(1);
    expect(warm.runs.length).toBeGreaterThan(3);
    expect(warm.jobs).toEqual(cold.jobs);
    expect(warm.runs).toEqual(cold.runs);
  });
});
