/**
 * The Prisma Store against the real local PostgreSQL, in a throwaway database for this file.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { Instant, Job, RunState } from '../../core/types';
import type { NewRun } from '../../ports';
import { createStore } from './create-store';
import type { PrismaStore } from './store';
import { useTestStore } from './use-test-store';
import { jobFixture } from '../../testing/job-fixture';

const pg = useTestStore(undefined, { poolSize: 4 });

beforeEach(async () => {
  await pg.db.query('TRUNCATE jobs, runs, dependency_edges, framework_state RESTART IDENTITY');
});

/** Named instants (ms). T0 has a non-zero millisecond part to prove the ms round trip. */
const T0: Instant = Date.UTC(2024, 2, 10, 9, 30, 0, 123);
const MIN = 60_000;

function job(name: string, command = `echo ${name}`, extra: Partial<Job> = {}): Job {
  return jobFixture({ name, command, schedule: 'R/2024-03-10T09:30:00Z/PT1H', scheduleTimeZone: '', ...extra });
}

function newRun(jobName: string, due: Instant, attempt = 0, extra: Partial<NewRun> = {}): NewRun {
  return {
    jobName,
    due,
    attempt,
    taskId: `ct:${due}:${attempt}:${jobName}:`,
    arguments: '',
    trigger: 'schedule',
    highPriority: false,
    queuedAt: due + 5,
    ...extra,
  };
}

describe('jobs', () => {
  test('put then get returns the whole job; put again replaces it and bumps the version', async () => {
    const j = job('etl.daily', 'run etl', {
      container: {
        type: 'DOCKER',
        image: 'busybox',
        network: 'BRIDGE',
        networkInfos: [],
        volumes: [{ containerPath: '/x', hostPath: '/y', mode: 'RO' }],
        forcePullImage: false,
        parameters: [{ key: 'k', value: 'v' }],
      },
      constraints: [['rack', 'EQUALS', 'r1']],
      environmentVariables: [{ name: 'A', value: 'ü "quoted" \\ back' }],
    });
    await pg.store.jobs.put(j);
    expect(await pg.store.jobs.get('etl.daily')).toEqual(j);
    await pg.store.jobs.put({ ...j, command: 'run etl v2' });
    expect((await pg.store.jobs.get('etl.daily'))?.command).toBe('run etl v2');
    const [row] = await pg.db.query<{ version: number; command: string }>(
      `SELECT version, command FROM jobs WHERE name = 'etl.daily'`,
    );
    expect(row).toEqual({ version: 2, command: 'run etl v2' });
    expect(await pg.store.jobs.get('missing')).toBeNull();
  });

  test('list returns every job in name order; count counts them', async () => {
    await pg.store.jobs.apply({ put: [job('b'), job('a'), job('c')] });
    expect((await pg.store.jobs.list()).map((j) => j.name)).toEqual(['a', 'b', 'c']);
    expect(await pg.store.jobs.count()).toBe(3);
  });

  test('patch writes only the fields named: the rest of the row (counters moved meanwhile included) stays as stored', async () => {
    await pg.store.jobs.apply({ put: [job('etl', 'run etl', { description: 'the etl', successCount: 1 }), job('other')] });
    // a write this worker's copy of the job never saw (its counters moved)
    await pg.store.jobs.put(job('etl', 'run etl', { description: 'the etl', successCount: 7, errorCount: 2, lastSuccess: '2024-03-10T09:31:00.000Z' }));
    await pg.store.transaction((tx) =>
      tx.jobs.patch([
        { name: 'etl', set: { schedule: 'R/2024-03-10T10:30:00Z/PT1H' }, unset: ['description'] },
        { name: 'deleted-meanwhile', set: { schedule: 'R/2024-03-10T10:30:00Z/PT1H' }, unset: [] },
      ]),
    );
    const { description: _, ...rest } = job('etl', 'run etl', { successCount: 7, errorCount: 2, lastSuccess: '2024-03-10T09:31:00.000Z', schedule: 'R/2024-03-10T10:30:00Z/PT1H' });
    expect(await pg.store.jobs.get('etl')).toEqual(rest);
    expect(await pg.store.jobs.get('other')).toEqual(job('other'));
    expect(await pg.store.jobs.get('deleted-meanwhile')).toBeNull();
    await pg.store.jobs.patch([{ name: 'etl', set: { command: 'run etl v2' }, unset: [] }]);
    const [row] = await pg.db.query<{ version: number; command: string }>(`SELECT version, command FROM jobs WHERE name = 'etl'`);
    expect(row).toEqual({ version: 4, command: 'run etl v2' });
  });

  test('delete reports whether the job existed', async () => {
    await pg.store.jobs.put(job('gone'));
    expect(await pg.store.jobs.delete('gone')).toBe(true);
    expect(await pg.store.jobs.delete('gone')).toBe(false);
    expect(await pg.store.jobs.get('gone')).toBeNull();
  });

  describe('search (Chronos semantics: filter, then the slice [offset, offset+limit))', () => {
    beforeEach(async () => {
      await pg.store.jobs.apply({
        put: [
          job('Alpha', 'curl http://x/ALPHA'),
          job('beta', 'sleep 10'),
          job('gamma_1', 'echo 100%'),
          job('gammaX1', 'echo beta'),
          job('delta', 'true'),
        ],
      });
    });
    const cases: { name: string; q: Parameters<PrismaStore['jobs']['search']>[0]; want: string[] }[] = [
      { name: 'no filter lists all (name order)', q: {}, want: ['Alpha', 'beta', 'delta', 'gammaX1', 'gamma_1'] },
      { name: 'name is a case-insensitive substring', q: { name: 'ALP' }, want: ['Alpha'] },
      { name: 'command is a case-insensitive substring', q: { command: 'alpha' }, want: ['Alpha'] },
      { name: 'name and command must both match', q: { name: 'gamma', command: 'beta' }, want: ['gammaX1'] },
      { name: 'any alone filters nothing', q: { any: 'zzz' }, want: ['Alpha', 'beta', 'delta', 'gammaX1', 'gamma_1'] },
      { name: 'any rescues a job by name', q: { name: 'delta', any: 'beta' }, want: ['beta', 'delta', 'gammaX1'] },
      { name: 'any rescues a job by command', q: { name: 'nomatch', any: 'SLEEP' }, want: ['beta'] },
      { name: 'LIKE wildcards are literal: _', q: { name: 'a_1' }, want: ['gamma_1'] },
      { name: 'LIKE wildcards are literal: %', q: { command: '0%' }, want: ['gamma_1'] },
      { name: 'limit', q: { limit: 2 }, want: ['Alpha', 'beta'] },
      { name: 'offset', q: { offset: 3 }, want: ['gammaX1', 'gamma_1'] },
      { name: 'offset and limit', q: { name: 'a', offset: 1, limit: 2 }, want: ['beta', 'delta'] },
      { name: 'limit 0', q: { limit: 0 }, want: [] },
    ];
    test.each(cases)('$name', async ({ q, want }) => {
      expect((await pg.store.jobs.search(q)).map((j) => j.name)).toEqual(want);
    });

    test('limit defaults to 10', async () => {
      await pg.store.jobs.apply({ put: Array.from({ length: 15 }, (_, i) => job(`many${String(i).padStart(2, '0')}`)) });
      const page = await pg.store.jobs.search({ name: 'many' });
      expect(page.map((j) => j.name)).toEqual(Array.from({ length: 10 }, (_, i) => `many${String(i).padStart(2, '0')}`));
    });
  });

  test('apply deletes and puts in one transaction', async () => {
    await pg.store.jobs.apply({ put: [job('p'), job('c1', 'x', { schedule: undefined, parents: ['p'] })] });
    await pg.store.jobs.apply({
      delete: ['p'],
      put: [job('c1', 'x', { parents: undefined, schedule: 'R/2024-01-01T00:00:00Z/PT1H' })],
    });
    expect(await pg.store.jobs.get('p')).toBeNull();
    expect((await pg.store.jobs.get('c1'))?.parents).toBeUndefined();
  });

  test('apply is atomic: a failing change leaves nothing', async () => {
    await pg.store.jobs.put(job('keep'));
    // PostgreSQL rejects NUL in jsonb/text: the second put fails inside the database.
    await expect(
      pg.store.jobs.apply({ delete: ['keep'], put: [job('new1'), job('bad', 'echo \u0000')] }),
    ).rejects.toThrow();
    // A job without a name fails before any SQL of its own, after the delete ran.
    await expect(
      pg.store.jobs.apply({ delete: ['keep'], put: [{ command: 'x' } as unknown as Job] }),
    ).rejects.toThrow(/without a name/);
    expect(await pg.store.jobs.get('keep')).not.toBeNull();
    expect(await pg.store.jobs.get('new1')).toBeNull();
    expect(await pg.store.jobs.count()).toBe(1);
  });
});

describe('runs', () => {
  test('create is idempotent per job + due + attempt; instants round-trip to the ms', async () => {
    const first = await pg.store.runs.create(newRun('a', T0));
    expect(first).toMatchObject({
      jobName: 'a',
      due: T0,
      attempt: 0,
      taskId: `ct:${T0}:0:a:`,
      state: 'QUEUED',
      queuedAt: T0 + 5,
      launchedAt: null,
      startedAt: null,
      finishedAt: null,
      agentId: null,
      host: null,
      message: null,
      reason: null,
      elementsProcessed: 0,
      trigger: 'schedule',
      highPriority: false,
    });
    expect(first?.id).toMatch(/^\d+$/);
    expect(await pg.store.runs.create(newRun('a', T0))).toBeNull();
    // Same key, different task id (a leader flap computing other args): still a no-op.
    expect(await pg.store.runs.create(newRun('a', T0, 0, { taskId: 'other' }))).toBeNull();
    const [{ n }] = await pg.db.query<{ n: string }>(`SELECT count(*) AS n FROM runs`);
    expect(n).toBe('1');
    // A retry is a new attempt, hence a new run.
    expect(await pg.store.runs.create(newRun('a', T0, 1, { trigger: 'retry', state: 'QUEUED' }))).not.toBeNull();
  });

  test('create keeps state SKIPPED and message when given', async () => {
    const r = await pg.store.runs.create(newRun('a', T0, 0, { state: 'SKIPPED', message: 'past epsilon' }));
    expect(r).toMatchObject({ state: 'SKIPPED', message: 'past epsilon' });
  });

  test('a retry keeps the instant it is for (intended_due), in every read; a first attempt has none', async () => {
    const retryDue = T0 + 5 * MIN;
    const [first, retry] = await pg.store.runs.createMany([newRun('a', T0, 0), newRun('a', retryDue, 1, { trigger: 'retry', intendedDue: T0 })]);
    expect(first.intendedDue).toBeNull();
    expect(retry).toMatchObject({ due: retryDue, intendedDue: T0 });
    expect((await pg.store.runs.listActive()).map((r) => r.intendedDue)).toEqual([null, T0]);
    expect((await pg.store.runs.list({ jobName: 'a' })).runs.map((r) => r.intendedDue)).toEqual([T0, null]);
    expect((await pg.store.runs.getByTaskId(retry.taskId))?.intendedDue).toBe(T0);
  });

  test('createMany returns only the runs that were new', async () => {
    await pg.store.runs.create(newRun('a', T0));
    const created = await pg.store.runs.createMany([
      newRun('a', T0),
      newRun('a', T0 + MIN),
      newRun('b', T0),
      newRun('b', T0), // duplicate inside the batch
    ]);
    expect(created.map((r) => [r.jobName, r.due]).sort()).toEqual(
      [
        ['a', T0 + MIN],
        ['b', T0],
      ].sort(),
    );
    expect(await pg.store.runs.createMany([])).toEqual([]);
  });

  test('update patches the given fields, null clears, unknown task gives null', async () => {
    const r = (await pg.store.runs.create(newRun('a', T0)))!;
    const u = await pg.store.runs.update(r.taskId, {
      state: 'RUNNING',
      launchedAt: T0 + 10,
      startedAt: T0 + 20,
      agentId: 'agent-1',
      host: 'h1',
      message: 'running',
      elementsProcessed: 42,
    });
    expect(u).toMatchObject({
      id: r.id,
      state: 'RUNNING',
      launchedAt: T0 + 10,
      startedAt: T0 + 20,
      finishedAt: null,
      agentId: 'agent-1',
      host: 'h1',
      message: 'running',
      elementsProcessed: 42,
    });
    const v = await pg.store.runs.update(r.taskId, { message: null, reason: 'REASON_X' });
    expect(v).toMatchObject({ message: null, reason: 'REASON_X', host: 'h1', state: 'RUNNING' });
    expect(await pg.store.runs.update(r.taskId, {})).toEqual(v);
    expect(await pg.store.runs.update('ct:nope', { state: 'LOST' })).toBeNull();
    expect(await pg.store.runs.getByTaskId(r.taskId)).toEqual(v);
    expect(await pg.store.runs.getByTaskId('ct:nope')).toBeNull();
  });

  test('updateMany applies a status burst in order, in one statement', async () => {
    const [a, b] = await pg.store.runs.createMany([newRun('a', T0), newRun('b', T0)]);
    await pg.store.runs.updateMany([
      { taskId: a.taskId, patch: { state: 'STAGING', launchedAt: T0 + 1, agentId: 'ag', host: 'h' } },
      { taskId: b.taskId, patch: { state: 'RUNNING', startedAt: T0 + 2, elementsProcessed: 7 } },
      { taskId: a.taskId, patch: { state: 'RUNNING', startedAt: T0 + 3 } },
      { taskId: a.taskId, patch: { state: 'FINISHED', finishedAt: T0 + 4, message: 'ok', reason: null } },
      { taskId: 'ct:unknown', patch: { state: 'LOST' } },
    ]);
    expect(await pg.store.runs.getByTaskId(a.taskId)).toMatchObject({
      state: 'FINISHED',
      launchedAt: T0 + 1,
      startedAt: T0 + 3,
      finishedAt: T0 + 4,
      agentId: 'ag',
      host: 'h',
      message: 'ok',
      reason: null,
    });
    expect(await pg.store.runs.getByTaskId(b.taskId)).toMatchObject({
      state: 'RUNNING',
      startedAt: T0 + 2,
      elementsProcessed: 7,
      launchedAt: null,
    });
    await pg.store.runs.updateMany([{ taskId: b.taskId, patch: { startedAt: null } }]);
    expect((await pg.store.runs.getByTaskId(b.taskId))?.startedAt).toBeNull();
    await pg.store.runs.updateMany([]);
  });

  test('listActive returns exactly the non-terminal runs, oldest due first', async () => {
    const states: RunState[] = [
      'QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING',
      'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED',
    ];
    await pg.store.runs.createMany(states.map((state, i) => newRun(`j${i}`, T0 - i * MIN, 0, { state })));
    const active = await pg.store.runs.listActive();
    expect(active.map((r) => r.state)).toEqual(['KILLING', 'RUNNING', 'STARTING', 'STAGING', 'QUEUED']);
  });

  test('list filters by job, states and due window, newest first', async () => {
    await pg.store.runs.createMany([
      newRun('a', T0),
      newRun('a', T0 + MIN, 0, { state: 'FINISHED' }),
      newRun('a', T0 + 2 * MIN),
      newRun('b', T0 + MIN),
    ]);
    const dues = (p: { runs: { jobName: string; due: number }[] }) => p.runs.map((r) => `${r.jobName}@${(r.due - T0) / MIN}`);
    expect(dues(await pg.store.runs.list({}))).toEqual(['a@2', 'b@1', 'a@1', 'a@0']);
    expect(dues(await pg.store.runs.list({ jobName: 'a' }))).toEqual(['a@2', 'a@1', 'a@0']);
    expect(dues(await pg.store.runs.list({ states: ['QUEUED'] }))).toEqual(['a@2', 'b@1', 'a@0']);
    expect(dues(await pg.store.runs.list({ from: T0 + MIN, to: T0 + 2 * MIN }))).toEqual(['b@1', 'a@1']);
    expect(dues(await pg.store.runs.list({ jobName: 'a', states: ['FINISHED', 'QUEUED'], from: T0 }))).toEqual(['a@2', 'a@1', 'a@0']);
    expect((await pg.store.runs.list({ states: [] })).runs).toEqual([]);
  });

  test('list returns every field as getByTaskId does (ms instants, nulls, counters)', async () => {
    const [r] = await pg.store.runs.createMany([newRun('full', T0 + 123, 2, { arguments: 'x y', trigger: 'manual', highPriority: true })]);
    await pg.store.runs.update(r.taskId, { state: 'FINISHED', launchedAt: T0 + 1_001, startedAt: T0 + 2_002, finishedAt: T0 + 3_999, agentId: 'a1', host: 'h1', message: 'done', elementsProcessed: 42 });
    const [queued] = await pg.store.runs.createMany([newRun('full', T0 + 124, 0)]);
    const listed = (await pg.store.runs.list({ jobName: 'full' })).runs;
    expect(listed).toEqual([await pg.store.runs.getByTaskId(queued.taskId), await pg.store.runs.getByTaskId(r.taskId)]);
    expect(listed[1]).toMatchObject({ due: T0 + 123, launchedAt: T0 + 1_001, finishedAt: T0 + 3_999, elementsProcessed: 42, highPriority: true, reason: null });
    // a window edge at millisecond precision
    expect((await pg.store.runs.list({ jobName: 'full', from: T0 + 124 })).runs.map((x) => x.due)).toEqual([T0 + 124]);
    expect((await pg.store.runs.list({ jobName: 'full', to: T0 + 124 })).runs.map((x) => x.due)).toEqual([T0 + 123]);
  });

  test('list pages with an opaque cursor: every run exactly once, ties on due included', async () => {
    const runs: NewRun[] = [];
    for (let i = 0; i < 9; i++) for (let attempt = 0; attempt < 3; attempt++) runs.push(newRun('p', T0 + i * MIN, attempt));
    runs.push(newRun('other', T0));
    await pg.store.runs.createMany(runs);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await pg.store.runs.list({ jobName: 'p', limit: 4, cursor });
      seen.push(...page.runs.map((r) => `${r.due}:${r.attempt}`));
      cursor = page.nextCursor ?? undefined;
      pages++;
      expect(page.runs.length).toBeLessThanOrEqual(4);
    } while (cursor);
    expect(pages).toBe(7); // 27 runs / 4 per page
    const all = (await pg.store.runs.list({ jobName: 'p', limit: 1000 })).runs.map((r) => `${r.due}:${r.attempt}`);
    expect(all).toHaveLength(27);
    expect(seen).toEqual(all);
    await expect(pg.store.runs.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/invalid run cursor/);
  });

  test('recent and durations: newest first, limited', async () => {
    await pg.store.runs.createMany([0, 1, 2, 3].map((i) => newRun('d', T0 + i * MIN)));
    await pg.store.runs.updateMany([
      { taskId: `ct:${T0}:0:d:`, patch: { state: 'FINISHED', startedAt: T0 + 100, finishedAt: T0 + 1100 } },
      { taskId: `ct:${T0 + MIN}:0:d:`, patch: { state: 'FAILED', startedAt: T0 + MIN, finishedAt: T0 + MIN + 5 } },
      { taskId: `ct:${T0 + 2 * MIN}:0:d:`, patch: { state: 'FINISHED', startedAt: T0 + 2 * MIN, finishedAt: T0 + 2 * MIN + 250 } },
    ]);
    expect((await pg.store.runs.recent('d', 2)).map((r) => r.due)).toEqual([T0 + 3 * MIN, T0 + 2 * MIN]);
    expect(await pg.store.runs.recent('d', 0)).toEqual([]);
    expect(await pg.store.runs.durations('d', 10)).toEqual([250, 1000]);
    expect(await pg.store.runs.durations('d', 1)).toEqual([250]);
    expect(await pg.store.runs.durations('nobody', 10)).toEqual([]);
    // the job page also counts failed runs that ran to an end
    expect(await pg.store.runs.durations('d', 10, ['FAILED', 'ERROR'])).toEqual([5]);
    expect(await pg.store.runs.durations('d', 10, ['FINISHED', 'FAILED'])).toEqual([250, 5, 1000]);
  });

  test('deleteForJob removes only that job\'s runs', async () => {
    await pg.store.runs.createMany([newRun('x', T0), newRun('x', T0 + MIN), newRun('y', T0)]);
    await pg.store.runs.deleteForJob('x');
    expect((await pg.store.runs.list({})).runs.map((r) => r.jobName)).toEqual(['y']);
  });
});

describe('edges and framework state', () => {
  test('edge counters: set, resetChild, deleteJob, and they survive a restart', async () => {
    await pg.store.edges.set('child', 'p1', 1);
    await pg.store.edges.set('child', 'p2', 0);
    await pg.store.edges.set('child', 'p1', 3);
    await pg.store.edges.set('other', 'p1', 2);
    expect(await pg.store.edges.load()).toEqual(
      new Map([
        ['child', new Map([['p1', 3], ['p2', 0]])],
        ['other', new Map([['p1', 2]])],
      ]),
    );
    await pg.store.edges.resetChild('child', ['p2', 'p3', 'p3']);
    await pg.store.edges.set('child', 'p3', 1);

    const restarted = await createStore({ databaseUrl: pg.db.url, poolSize: 1 });
    try {
      expect(await restarted.edges.load()).toEqual(
        new Map([
          ['child', new Map([['p2', 0], ['p3', 1]])],
          ['other', new Map([['p1', 2]])],
        ]),
      );
      await restarted.edges.deleteJob('p1');
      expect(await restarted.edges.load()).toEqual(new Map([['child', new Map([['p2', 0], ['p3', 1]])]]));
      await restarted.edges.deleteJob('child');
      expect(await restarted.edges.load()).toEqual(new Map());
    } finally {
      await restarted.close();
    }
  });

  test('framework id and key/value state persist across a new Store', async () => {
    expect(await pg.store.framework.getFrameworkId()).toBeNull();
    await pg.store.framework.setFrameworkId('fw-1');
    await pg.store.framework.setFrameworkId('fw-2');
    await pg.store.framework.set('leaderEpoch', '7');
    const restarted = await createStore({ databaseUrl: pg.db.url, poolSize: 1 });
    try {
      expect(await restarted.framework.getFrameworkId()).toBe('fw-2');
      expect(await restarted.framework.get('leaderEpoch')).toBe('7');
      expect(await restarted.framework.get('missing')).toBeNull();
      await restarted.framework.setFrameworkId(null);
      expect(await restarted.framework.getFrameworkId()).toBeNull();
    } finally {
      await restarted.close();
    }
  });
});

describe('transaction', () => {
  test('commits every store together, or rolls all back on a throw', async () => {
    await pg.store.transaction(async (tx) => {
      await tx.jobs.put(job('t1'));
      await tx.runs.create(newRun('t1', T0));
      await tx.edges.resetChild('t1', ['p']);
      await tx.jobs.apply({ put: [job('t2')] }); // nested apply joins the transaction
      await tx.framework.set('k', 'v');
    });
    expect(await pg.store.jobs.count()).toBe(2);
    await expect(
      pg.store.transaction(async (tx) => {
        await tx.jobs.delete('t1');
        await tx.runs.deleteForJob('t1');
        await tx.edges.deleteJob('t1');
        await tx.framework.set('k', 'changed');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await pg.store.jobs.get('t1')).not.toBeNull();
    expect(await pg.store.runs.getByTaskId(`ct:${T0}:0:t1:`)).not.toBeNull();
    expect((await pg.store.edges.load()).get('t1')).toEqual(new Map([['p', 0]]));
    expect(await pg.store.framework.get('k')).toBe('v');
  });

  test('returns the value of fn', async () => {
    expect(await pg.store.transaction(async (tx) => tx.jobs.count())).toBe(0);
  });
});
