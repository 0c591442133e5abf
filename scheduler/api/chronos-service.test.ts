/**
 * ChronosService against the real PostgreSQL (scheduler/testing/chronos-service-fixture.ts):
 * bad input, upserts, reads, actions. Stats, the graph and 1,000 jobs: chronos-service-stats.test.ts.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import {
  clock,
  dep,
  expect400,
  NOW,
  pg,
  runtime,
  SCHED,
  sched,
  seedChain,
  seedRun,
  snapshot,
  svc,
  useChronosService,
} from '../testing/chronos-service-fixture';
import { ChronosService, parseJsonBody } from './chronos-service';

useChronosService('sisyphus_chronos_api');


/* ------------------------------------------------------------------ bad input */

describe('bad input: 400 naming the problem, nothing stored, runtime not told', () => {
  type Case = {
    name: string;
    kind: 'iso8601' | 'dependency';
    body: unknown;
    message: RegExp | string;
  };
  const cases: Case[] = [
    { name: 'array body', kind: 'iso8601', body: [], message: /must be a JSON object/ },
    { name: 'string body', kind: 'dependency', body: 'job', message: /must be a JSON object/ },
    { name: 'missing name', kind: 'iso8601', body: { schedule: SCHED }, message: /^name: is required/ },
    { name: 'name of wrong type', kind: 'iso8601', body: { name: 5, schedule: SCHED }, message: /^name: must be a string/ },
    { name: 'invalid name', kind: 'iso8601', body: sched('bad name'), message: /^name: must match/ },
    { name: 'invalid name (slash)', kind: 'dependency', body: dep('a/b', ['root']), message: /^name:/ },
    { name: 'cpus of wrong type', kind: 'iso8601', body: sched('x', { cpus: 'lots' }), message: /^cpus:/ },
    { name: 'shell of wrong type', kind: 'iso8601', body: sched('x', { shell: 'yes' }), message: /^shell: must be a boolean/ },
    { name: 'negative cpus', kind: 'iso8601', body: sched('x', { cpus: -1 }), message: /^cpus: must be a positive number/ },
    { name: 'negative mem', kind: 'dependency', body: dep('x', ['root'], { mem: -128 }), message: /^mem:/ },
    { name: 'negative disk', kind: 'iso8601', body: sched('x', { disk: -5 }), message: /^disk:/ },
    {
      name: 'unparseable schedule on create',
      kind: 'iso8601',
      body: sched('x', { schedule: 'FOO' }),
      message: "Cannot parse schedule 'FOO' (wtf bro)",
    },
    {
      name: 'unparseable schedule on update',
      kind: 'iso8601',
      body: sched('root', { schedule: 'R/2030-01-01T00:00:00Z' }),
      message: "Cannot parse schedule 'R/2030-01-01T00:00:00Z' (wtf bro)",
    },
    {
      name: 'start before 1970',
      kind: 'iso8601',
      body: sched('x', { schedule: 'R/1969-12-31T23:00:00Z/PT1H' }),
      message: /is before 1970!$/,
    },
    {
      name: 'unknown scheduleTimeZone',
      kind: 'iso8601',
      body: sched('x', { scheduleTimeZone: 'Mars/Olympus_Mons' }),
      message: "scheduleTimeZone: Unknown scheduleTimeZone 'Mars/Olympus_Mons'",
    },
    {
      name: 'unknown scheduleTimeZone on update',
      kind: 'iso8601',
      body: sched('root', { scheduleTimeZone: 'Nowhere/Else' }),
      message: /^scheduleTimeZone: /,
    },
    {
      name: 'both uris and fetch',
      kind: 'iso8601',
      body: sched('x', { uris: ['http://a/b'], fetch: [{ uri: 'http://c/d' }] }),
      message: 'Tried to add both uri (deprecated) and fetch parameters on x',
    },
    { name: 'unknown parent on create', kind: 'dependency', body: dep('x', ['root', 'nope']), message: /does not have all parents defined! Unknown parent: nope$/ },
    { name: 'unknown parents on update', kind: 'dependency', body: dep('child', ['nope1', 'nope2']), message: /Unknown parents: nope1, nope2$/ },
    { name: 'empty parents on create', kind: 'dependency', body: dep('x', []), message: 'parents: must not be empty' },
    { name: 'empty parents on update', kind: 'dependency', body: dep('child', []), message: 'parents: must not be empty' },
    { name: 'no parents at all on /dependency', kind: 'dependency', body: { name: 'x', command: 'c' }, message: 'parents: must not be empty' },
    { name: 'parents of wrong type', kind: 'dependency', body: dep('x', 'root' as unknown as string[]), message: /^parents:/ },
    { name: 'self parent', kind: 'dependency', body: dep('child', ['child']), message: /^Dependency cycle: child -> child/ },
    {
      name: 'cycle through two levels (update)',
      kind: 'dependency',
      body: dep('root', ['grandchild']),
      message: 'Dependency cycle: root -> child -> grandchild -> root',
    },
    {
      name: 'cycle through one level (update)',
      kind: 'dependency',
      body: dep('child', ['grandchild']),
      message: 'Dependency cycle: child -> grandchild -> child',
    },
    {
      name: 'parents but no schedule on /iso8601',
      kind: 'iso8601',
      body: dep('x', ['root']),
      message: /^schedule: is required/,
    },
    // issue 12: hostile input
    { name: 'a period of a million years (the poison job)', kind: 'iso8601', body: sched('s3', { schedule: 'R/2026-01-01T00:00:00Z/P1000000Y' }), message: /^Schedule 'R\/2026-01-01T00:00:00Z\/P1000000Y' cannot be scheduled: the run after/ },
    { name: 'a schedule past the year 9999', kind: 'iso8601', body: sched('x', { schedule: 'R/9999-12-31T00:00:00Z/P1D' }), message: /would be after 9999-12-31T23:59:59.999Z/ },
    { name: 'NUL in the command', kind: 'iso8601', body: sched('x', { command: 'echo a\u0000b' }), message: /^command: contains a NUL character/ },
    { name: 'lone surrogate in the owner', kind: 'dependency', body: dep('x', ['root'], { owner: '\ud800' }), message: /^owner: contains an unpaired UTF-16 surrogate/ },
    { name: 'a name of 100,000 characters', kind: 'iso8601', body: sched('n'.repeat(100_000)), message: /^name: must be at most 128 characters long/ },
    { name: 'the name ..', kind: 'iso8601', body: sched('..'), message: /^name: must not be '.' or '..'/ },
    { name: 'arguments with a path', kind: 'iso8601', body: sched('x', { arguments: ['-i', '/in.mp4'] }), message: /^arguments: '\/' cannot be used/ },
  ];

  test.each(cases)('$name', async ({ kind, body, message }) => {
    await seedChain();
    const before = await snapshot();
    const call = kind === 'iso8601' ? svc.upsertIso8601(body) : svc.upsertDependency(body);
    await expect400(call, message);
    expect(await snapshot()).toEqual(before);
    expect(runtime.calls).toEqual([]);
  });

  test.each([
    ['{bad', /^Malformed JSON body: /],
    ['', 'Malformed JSON body: the request body is empty'],
    ['   ', 'Malformed JSON body: the request body is empty'],
    ['{"name":"x",}', /^Malformed JSON body: /],
  ])('malformed JSON %j', async (text, message) => {
    await expect400(Promise.resolve().then(() => parseJsonBody(text)), message);
  });
});

describe('what GET /jobs lists can be posted back (a sync script)', () => {
  test('an update with both uris and fetch is accepted, as Chronos accepts it (its create refuses it)', async () => {
    await svc.upsertIso8601(sched('synced', { fetch: [{ uri: 'http://a/x.sh' }] }));
    const [listed] = (await svc.listJobs()).filter((j) => j.name === 'synced');
    expect(listed.uris.length > 0 && listed.fetch.length > 0).toBe(true);
    await svc.upsertIso8601(JSON.parse(JSON.stringify(listed)));
    expect((await svc.getJob('synced')).fetch.map((f) => f.uri)).toEqual(['http://a/x.sh']);
  });
});

describe('hostile names, task ids and queries in paths: 400, never a database error', () => {
  test.each([
    ['getJob', () => svc.getJob('a\u0000b')],
    ['runJob', () => svc.runJob('\u0000', null)],
    ['deleteJob', () => svc.deleteJob('\u0000')],
    ['markSuccess', () => svc.markSuccess('\u0000')],
    ['killTasks', () => svc.killTasks('\u0000')],
    ['jobStat', () => svc.jobStat('\u0000')],
  ])('%s with a NUL in the job name', async (_, call) => {
    await expect400(call(), /^job name in the path contains a NUL character/);
  });

  test('a NUL in a task id (progress, async completion)', async () => {
    await svc.upsertIso8601(sched('p', { dataProcessingJobType: true }));
    await expect400(svc.progress('p', 'ct:1:0:p:\u0000', { numAdditionalElementsProcessed: 1 }), /^task id in the path contains a NUL/);
    await expect400(svc.asyncComplete('ct:1:0:p:\u0000', { statusCode: 0 }), /^task id in the path contains a NUL/);
  });

  test.each(['name', 'command', 'any'] as const)('a NUL in the search parameter %s', async (key) => {
    await expect400(svc.search({ [key]: 'a\u0000' }), new RegExp(`^${key} contains a NUL character`));
  });

  test('validate (the editor) lists every bad string with its field', async () => {
    expect(await svc.validate({ name: 'v', command: 'a\u0000', owner: '\ud800', schedule: SCHED })).toEqual([
      { field: 'command', message: expect.stringMatching(/NUL/) },
      { field: 'owner', message: expect.stringMatching(/surrogate/) },
    ]);
  });

  test('validate (the editor) names the schedule and the zone beside schema errors, in plain words', async () => {
    expect(await svc.validate({ name: 'v', command: 'x', cpus: -1, schedule: 'R/2030-01-01T00:00:00Z/PX1', scheduleTimeZone: 'Asia/Shangai' }, 'iso8601')).toEqual([
      { field: 'cpus', message: expect.stringMatching(/positive/) },
      { field: 'scheduleTimeZone', message: expect.stringMatching(/^'Asia\/Shangai' is not a time zone: .*did you mean Asia\/Shanghai\?/) },
      { field: 'schedule', message: expect.stringMatching(/^period 'PX1' is not a duration: a period must look like PT1H or P1D/) },
    ]);
    // and with a valid schema, the schedule alone, without Chronos's framing
    expect(await svc.validate({ name: 'v', command: 'x', schedule: 'FOO' }, 'iso8601')).toEqual([{ field: 'schedule', message: expect.not.stringMatching(/wtf bro/) }]);
  });
});

/* ------------------------------------------------------------------ upsert */

describe('upsert', () => {
  test('create stores the job with defaults and tells the runtime', async () => {
    await svc.upsertIso8601(sched('a', { cpus: 0, owner: 'me@x' }));
    const job = await svc.getJob('a');
    expect(job).toMatchObject({ name: 'a', cpus: 0.1, mem: 128, disk: 256, owner: 'me@x', schedule: SCHED, scheduleTimeZone: '' });
    expect(job.parents).toBeUndefined();
    expect(runtime.callsOf('jobChanged')).toEqual([{ method: 'jobChanged', job, previous: null }]);
  });

  test('a job with neither schedule nor parents runs once now', async () => {
    await svc.upsertIso8601({ name: 'once', command: 'true' });
    expect((await svc.getJob('once')).schedule).toBe('R1/2024-01-01T00:00:00.000Z/PT24H');
  });

  test('update replaces the job, keeps counters the body leaves out, passes previous', async () => {
    await svc.upsertIso8601(sched('a', { successCount: 3, lastSuccess: '2023-12-31T00:00:00.000Z' }));
    const first = await svc.getJob('a');
    await svc.upsertIso8601(sched('a', { command: 'echo new' }));
    const second = await svc.getJob('a');
    expect(second).toMatchObject({ command: 'echo new', successCount: 3, lastSuccess: '2023-12-31T00:00:00.000Z' });
    expect(runtime.callsOf('jobChanged')[1]).toEqual({ method: 'jobChanged', job: second, previous: first });
    // Counters given explicitly win.
    await svc.upsertIso8601(sched('a', { successCount: 0 }));
    expect((await svc.getJob('a')).successCount).toBe(0);
  });

  test('cron schedule and a time zone are accepted', async () => {
    await svc.upsertIso8601(sched('c', { schedule: '30 2 * * 1-5', scheduleTimeZone: 'America/New_York' }));
    expect((await svc.getJob('c')).schedule).toBe('30 2 * * 1-5');
    await svc.upsertIso8601(sched('p', { scheduleTimeZone: 'PST' }));
    expect((await svc.getJob('p')).scheduleTimeZone).toBe('PST');
  });

  test('POST /iso8601 converts a dependency job, POST /dependency converts it back', async () => {
    await seedChain();
    await svc.upsertIso8601(sched('child'));
    let child = await svc.getJob('child');
    expect(child.parents).toBeUndefined();
    expect(child.schedule).toBe(SCHED);
    await svc.upsertDependency(dep('child', ['other', 'root', 'other']));
    child = await svc.getJob('child');
    expect(child.parents).toEqual(['other', 'root']);
    expect(child.schedule).toBeUndefined();
  });

  test('a scheduled job with children may become a dependency job when no cycle results', async () => {
    await seedChain();
    await svc.upsertDependency(dep('root', ['other']));
    expect((await svc.getJob('root')).parents).toEqual(['other']);
  });
});

/* ------------------------------------------------------------------ reads */

describe('reads', () => {
  test('getJob of an unknown job', async () => {
    await expect400(svc.getJob('nope'), "Job 'nope' not found");
  });

  test('listJobs fills fetch from uris, and uris from fetch', async () => {
    await svc.upsertIso8601(sched('u', { uris: ['http://h/a.tgz'] }));
    await svc.upsertIso8601(sched('f', { fetch: [{ uri: 'http://h/b.tgz', executable: true }] }));
    const jobs = await svc.listJobs();
    const byName = Object.fromEntries(jobs.map((j) => [j.name, j]));
    expect(byName.u.fetch).toEqual([{ uri: 'http://h/a.tgz', executable: false, cache: false, extract: true }]);
    expect(byName.u.uris).toEqual(['http://h/a.tgz']);
    expect(byName.f.uris).toEqual(['http://h/b.tgz']);
    // The stored job is not changed by the view.
    expect((await svc.getJob('u')).fetch).toEqual([]);
  });

  test('summary: status, state from runtime activity, schedule and parents', async () => {
    await seedChain();
    await svc.upsertIso8601(sched('other', { lastError: '2023-01-01T00:00:00.000Z', disabled: true }));
    await svc.upsertIso8601(sched('root', { lastSuccess: '2023-01-01T00:00:00.000Z' }));
    runtime.activities.set('root', { queued: 0, running: 1 });
    runtime.activities.set('child', { queued: 1, running: 0 });
    runtime.activities.set('grandchild', { queued: 1, running: 3 });
    const { jobs } = await svc.summary();
    expect(jobs).toEqual([
      { name: 'child', status: 'fresh', state: 'queued', schedule: '', parents: ['root'], disabled: false },
      { name: 'grandchild', status: 'fresh', state: '3 running', schedule: '', parents: ['child'], disabled: false },
      { name: 'other', status: 'failure', state: 'idle', schedule: SCHED, parents: [], disabled: true },
      { name: 'root', status: 'success', state: 'running', schedule: SCHED, parents: [], disabled: false },
    ]);
    expect(Object.keys(jobs[0])).toEqual(['name', 'status', 'state', 'schedule', 'parents', 'disabled']);
  });

  describe('search', () => {
    beforeEach(async () => {
      await svc.upsertIso8601(sched('alpha', { command: 'run backup' }));
      await svc.upsertIso8601(sched('beta', { command: 'run report' }));
      await svc.upsertIso8601(sched('gamma-backup', { command: 'sleep 1' }));
      await svc.upsertIso8601(sched('delta', { command: 'echo BACKUP' }));
    });
    const names = async (q: Parameters<ChronosService['search']>[0]) => (await svc.search(q)).map((j) => j.name);

    test.each([
      { q: {}, expected: ['alpha', 'beta', 'delta', 'gamma-backup'] },
      { q: { name: 'a' }, expected: ['alpha', 'beta', 'delta', 'gamma-backup'] },
      { q: { name: 'GAMMA' }, expected: ['gamma-backup'] },
      { q: { command: 'backup' }, expected: ['alpha', 'delta'] },
      { q: { name: 'alpha', command: 'report' }, expected: [] },
      { q: { name: 'beta', command: 'report' }, expected: ['beta'] },
      // any only rescues jobs the other filters dropped:
      { q: { any: 'backup' }, expected: ['alpha', 'beta', 'delta', 'gamma-backup'] },
      { q: { name: 'beta', any: 'backup' }, expected: ['alpha', 'beta', 'delta', 'gamma-backup'] },
      { q: { name: 'beta', any: 'sleep' }, expected: ['beta', 'gamma-backup'] },
      { q: { name: 'zzz', any: 'zzz' }, expected: [] },
      { q: { limit: 2 }, expected: ['alpha', 'beta'] },
      { q: { limit: 2, offset: 3 }, expected: ['gamma-backup'] },
      { q: { offset: 10 }, expected: [] },
      { q: { limit: 0 }, expected: [] },
    ])('$q', async ({ q, expected }) => {
      expect((await names(q)).sort()).toEqual([...expected].sort());
    });

    test('limit defaults to 10', async () => {
      for (let i = 0; i < 15; i++) await svc.upsertIso8601(sched(`many-${String(i).padStart(2, '0')}`));
      expect(await svc.search({ name: 'many' })).toHaveLength(10);
      expect(await svc.search({ name: 'many', limit: 20 })).toHaveLength(15);
      expect((await svc.search({ name: 'many', offset: 10 })).map((j) => j.name)).toEqual(
        ['many-10', 'many-11', 'many-12', 'many-13', 'many-14'],
      );
    });

    test('a negative limit is a 400', async () => {
      await expect400(svc.search({ limit: -1 }), /limit/);
    });
  });

  test('leader', () => {
    runtime.leaderId = 'node-7:4400';
    expect(svc.leader()).toEqual({ leader: 'node-7:4400' });
  });
});

/* ------------------------------------------------------------------ actions */

describe('actions', () => {
  test('runJob: task id with arguments, ; stripped, blank falls back to job arguments', async () => {
    await svc.upsertIso8601(sched('r', { arguments: ['-a', '1'] }));
    // (Chronos's own vector is '-c 1 ; ./evil.sh'; a '/' is refused since issue 12, below)
    expect(await svc.runJob('r', '-c 1 ; evil.sh')).toBe(`ct:${NOW}:0:r:-c 1  evil.sh`);
    expect(await svc.runJob('r', '  ')).toBe(`ct:${NOW}:0:r:-a 1`);
    expect(await svc.runJob('r', null)).toBe(`ct:${NOW}:0:r:-a 1`);
    expect(runtime.callsOf('runNow').map((c) => c.args)).toEqual(['-c 1  evil.sh', '-a 1', '-a 1']);
    await expect400(svc.runJob('nope', ''), "Job 'nope' not found");
  });

  test.each([
    ['a slash (x/../../etc)', 'x/../../etc', "arguments: '/' cannot be used"],
    ['a backslash', 'a\\b', "arguments: '\\' cannot be used"],
    ['a control character', 'a\u0001b', 'arguments: the control character U+0001 cannot be used'],
    ['a NUL', 'a\u0000b', 'arguments: contains a NUL character'],
    ['too many bytes for a task id', 'x'.repeat(300), 'arguments: too long: with them the Mesos task id would be up to'],
  ])('runJob refuses arguments that make an invalid Mesos task id: %s', async (_case, args, message) => {
    await svc.upsertIso8601(sched('r2'));
    runtime.reset();
    await expect400(svc.runJob('r2', args), new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(runtime.callsOf('runNow')).toEqual([]);
  });

  test('markSuccess: true for a known job, false for an unknown one', async () => {
    await svc.upsertIso8601(sched('m'));
    expect(await svc.markSuccess('m')).toBe('marked job m as successful: true');
    expect(await svc.markSuccess('nope')).toBe('marked job nope as successful: false');
    expect(runtime.callsOf('markSuccess').map((c) => c.job.name)).toEqual(['m']);
  });

  test('killTasks', async () => {
    await svc.upsertIso8601(sched('k'));
    await svc.killTasks('k');
    expect(runtime.callsOf('killJob')).toEqual([{ method: 'killJob', name: 'k' }]);
    await expect400(svc.killTasks('nope'), "Job 'nope' not found");
  });

  test('asyncComplete', async () => {
    runtime.knownTasks.add('ct:1:0:a:');
    await svc.asyncComplete('ct:1:0:a:', { statusCode: 0 });
    expect(runtime.callsOf('completeTask')).toEqual([
      { method: 'completeTask', taskId: 'ct:1:0:a:', statusCode: 0, known: true },
    ]);
    await expect400(svc.asyncComplete('ct:2:0:a:', { statusCode: 1 }), "Task 'ct:2:0:a:' not found");
    await expect400(svc.asyncComplete('bogus', { statusCode: 1 }), /^Invalid task id/);
    await expect400(svc.asyncComplete('ct:1:0:a:', { statusCode: 'x' }), 'statusCode must be an integer');
  });

  describe('progress', () => {
    test('adds to elementsProcessed', async () => {
      await svc.upsertIso8601(sched('d', { dataProcessingJobType: true }));
      const taskId = await seedRun('d', NOW, 'RUNNING', null);
      await svc.progress('d', taskId, { numAdditionalElementsProcessed: 5 });
      await svc.progress('d', taskId, { numAdditionalElementsProcessed: 7 });
      expect((await pg.store.runs.getByTaskId(taskId))!.elementsProcessed).toBe(12);
    });

    test.each([
      { name: 'unknown job', job: 'nope', taskId: 'ct:1:0:nope:', body: { numAdditionalElementsProcessed: 1 }, message: "Job 'nope' not found" },
      { name: 'task id not ct format', job: 'd', taskId: 'task-1', body: { numAdditionalElementsProcessed: 1 }, message: /^Invalid task id/ },
      { name: 'task of another job', job: 'd', taskId: 'ct:1:0:e:', body: { numAdditionalElementsProcessed: 1 }, message: /does not belong/ },
      { name: 'not a data job', job: 'plain', taskId: 'ct:1:0:plain:', body: { numAdditionalElementsProcessed: 1 }, message: /not a dataProcessingJobType/ },
      { name: 'negative count', job: 'd', taskId: 'RUN', body: { numAdditionalElementsProcessed: -1 }, message: /non-negative integer/ },
      { name: 'count of wrong type', job: 'd', taskId: 'RUN', body: { numAdditionalElementsProcessed: '3' }, message: /non-negative integer/ },
      { name: 'unknown task', job: 'd', taskId: 'ct:99:0:d:', body: { numAdditionalElementsProcessed: 1 }, message: "Task 'ct:99:0:d:' not found" },
    ])('$name', async ({ job, taskId, body, message }) => {
      await svc.upsertIso8601(sched('d', { dataProcessingJobType: true }));
      await svc.upsertIso8601(sched('plain'));
      const run = await seedRun('d', NOW, 'RUNNING', null);
      const before = await snapshot();
      await expect400(svc.progress(job, taskId === 'RUN' ? run : taskId, body), message);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('delete', () => {
    test('unknown job', async () => {
      await expect400(svc.deleteJob('nope'), "JobSchedule 'nope' not found");
    });

    test('a dependency job: its children take its parents', async () => {
      await seedChain();
      await svc.upsertDependency(dep('multi', ['child', 'other']));
      runtime.reset();
      await svc.deleteJob('child');
      await expect400(svc.getJob('child'), "Job 'child' not found");
      expect((await svc.getJob('grandchild')).parents).toEqual(['root']);
      expect((await svc.getJob('multi')).parents).toEqual(['other', 'root']);
      expect(runtime.calls.map((c) => c.method)).toEqual(['jobDeleted', 'jobChanged', 'jobChanged', 'killJob']);
    });

    test('a scheduled job: its dependency children become scheduled with its schedule (#660)', async () => {
      await seedChain();
      await svc.upsertIso8601(sched('root', { scheduleTimeZone: 'UTC' }));
      await svc.upsertDependency(
        dep('both', ['root', 'other'], { arguments: ['x'], description: 'd', environmentVariables: [{ name: 'A', value: '1' }] }),
      );
      await svc.deleteJob('root');
      for (const name of ['child', 'both']) {
        const j = await svc.getJob(name);
        expect(j.parents).toBeUndefined();
        expect(j.schedule).toBe(SCHED);
        expect(j.scheduleTimeZone).toBe('UTC');
      }
      expect(await svc.getJob('both')).toMatchObject({ arguments: [], description: '', environmentVariables: [] });
      expect((await svc.getJob('grandchild')).parents).toEqual(['child']);
    });

    test('works without a worker (kill is best effort)', async () => {
      await svc.upsertIso8601(sched('lonely'));
      const { OfflineRuntime } = await import('../runtime/offline-runtime');
      const offline = new ChronosService({ store: pg.store, runtime: new OfflineRuntime('h:1'), clock });
      await offline.deleteJob('lonely');
      expect(await pg.store.jobs.get('lonely')).toBeNull();
      await expect(offline.runJob('x', '')).rejects.toThrow(/not found/);
    });
  });
});
