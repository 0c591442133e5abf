/**
 * Jobs really run: the Chronos service, the worker and the Mesos framework against the real
 * PostgreSQL and mesos-local over HTTP (real processes in sandboxes). Each case waits for what a
 * user would see: counters in GET /job, run states in the history, children firing in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaStore } from '../adapters/prisma';
import type { ChronosService } from '../api/chronos-service';
import type { Job, Run } from '../core/types';
import { startLocalCluster, type LocalCluster } from '../testing/local-cluster';
import { waitFor } from '../testing/wait-for';
import { parseJob } from '../api/job-schema';
import { schedulerMetrics } from './metrics';

let cluster: LocalCluster;
let store: PrismaStore;
let api: ChronosService;

beforeAll(async () => {
  cluster = await startLocalCluster({
    dbPrefix: 'sisyphus_e2e',
    worker: { retryDelayMs: 300, killGraceMs: 500, disableAfterFailures: 2 },
  });
  ({ store, api } = cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const job = (name: string) => api.getJob(name) as Promise<Job>;
const runsOf = async (name: string): Promise<Run[]> => (await store.runs.list({ jobName: name, limit: 100 })).runs;

describe('jobs run end to end on mesos-local', () => {
  it('an R2//PT2S job runs twice and is then disabled with successCount 2', async () => {
    await api.upsertIso8601({ name: 'twice', command: 'echo run-$CHRONOS_JOB_RUN_ATTEMPT', schedule: 'R2//PT2S' });
    const done = await waitFor('twice disabled', async () => {
      const j = await job('twice');
      return j.disabled ? j : null;
    });
    expect(done.successCount).toBe(2);
    expect(done.errorCount).toBe(0);
    expect(done.schedule).toMatch(/^R0\//);
    const runs = await runsOf('twice');
    expect(runs.map((r) => r.state)).toEqual(['FINISHED', 'FINISHED']);
    // due instants two seconds apart, and never a third run
    expect(Math.abs(runs[0].due - runs[1].due)).toBeGreaterThanOrEqual(1_900);
  });

  it('a chain a -> b -> c runs in order', async () => {
    await api.upsertIso8601({ name: 'chain-a', command: 'true', schedule: `R/2100-01-01T00:00:00Z/P1D` });
    await api.upsertDependency({ name: 'chain-b', command: 'true', parents: ['chain-a'] });
    await api.upsertDependency({ name: 'chain-c', command: 'true', parents: ['chain-b'] });
    await api.runJob('chain-a', '');
    const c = await waitFor('chain-c finished', async () => {
      const [r] = await runsOf('chain-c');
      return r?.state === 'FINISHED' ? r : null;
    });
    const [a] = await runsOf('chain-a');
    const [b] = await runsOf('chain-b');
    expect(a.state).toBe('FINISHED');
    expect(b.state).toBe('FINISHED');
    expect(b.queuedAt).toBeGreaterThanOrEqual(a.finishedAt!);
    expect(c.queuedAt).toBeGreaterThanOrEqual(b.finishedAt!);
    expect(b.trigger).toBe('dependency');
    expect((await job('chain-c')).successCount).toBe(1);
  });

  it('a child of two parents waits for both', async () => {
    const far = 'R/2100-01-01T00:00:00Z/P1D';
    await api.upsertIso8601({ name: 'mp-1', command: 'true', schedule: far });
    await api.upsertIso8601({ name: 'mp-2', command: 'true', schedule: far });
    await api.upsertDependency({ name: 'mp-child', command: 'true', parents: ['mp-1', 'mp-2'] });
    await api.runJob('mp-1', '');
    await waitFor('mp-1 succeeded', async () => (await job('mp-1')).successCount === 1);
    // the success and the children it fires are stored in one transaction: no child run by now
    // means none was fired
    await cluster.scheduler.worker.idle();
    expect(await runsOf('mp-child')).toHaveLength(0);
    // the half-satisfied edge is stored, so a restart would not forget it (Chronos #811)
    const counters = await store.edges.load();
    expect(counters.get('mp-child')?.get('mp-1')).toBe(1);
    await api.runJob('mp-2', '');
    await waitFor('mp-child succeeded', async () => (await job('mp-child')).successCount === 1);
    expect(await runsOf('mp-child')).toHaveLength(1);
  });

  it('a failing job is retried, then counts one error', async () => {
    await api.upsertIso8601({ name: 'flaky', command: 'echo oops >&2; exit 3', schedule: 'R1//PT1H', retries: 1 });
    const j = await waitFor('flaky error counted', async () => {
      const x = await job('flaky');
      return x.errorCount === 1 ? x : null;
    });
    expect(j.successCount).toBe(0);
    expect(j.errorsSinceLastSuccess).toBe(1);
    expect(j.lastError).not.toBe('');
    const runs = await runsOf('flaky');
    expect(runs.map((r) => [r.attempt, r.state]).sort()).toEqual([
      [0, 'FAILED'],
      [1, 'FAILED'],
    ]);
    expect(runs[0].message).toMatch(/status 3/);
    // each attempt's timeline: matched to an offer, then every status update with its agent
    for (const r of runs) {
      const events = await store.runs.events(r.taskId);
      expect(events.map((e) => e.state), r.taskId).toEqual(['OFFERED', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
      expect(new Set(events.map((e) => e.agentId)), r.taskId).toEqual(new Set([r.agentId]));
      expect(events[0]).toMatchObject({ source: 'SCHEDULER', message: expect.stringMatching(/^matched to offer /) });
      expect(events[3]).toMatchObject({ message: expect.stringMatching(/status 3/), source: 'SOURCE_EXECUTOR' });
      expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
      expect(events[3].at).toBe(r.finishedAt);
    }
  });

  it('kill stops a running task', async () => {
    await api.upsertIso8601({ name: 'sleeper', command: 'sleep 60', schedule: 'R1//PT1H' });
    await waitFor('sleeper running', async () => (await runsOf('sleeper'))[0]?.state === 'RUNNING');
    await api.killTasks('sleeper');
    const [run] = await waitFor('sleeper killed', async () => {
      const rs = await runsOf('sleeper');
      return rs[0]?.state === 'KILLED' ? rs : null;
    });
    expect(run.finishedAt).not.toBeNull();
    const j = await job('sleeper');
    expect(j.errorCount).toBe(0); // a kill is not a failure (Chronos)
  });

  it('a manual run with arguments passes them to the command, ; stripped', async () => {
    await api.upsertIso8601({ name: 'args', command: 'echo', schedule: 'R/2100-01-01T00:00:00Z/P1D' });
    const taskId = await api.runJob('args', 'hello;world');
    expect(taskId).toMatch(/^ct:\d+:0:args:helloworld$/);
    await waitFor('args finished', async () => (await runsOf('args'))[0]?.state === 'FINISHED');
  });

  it('a run later than its epsilon is skipped and recorded as skipped (Chronos 2.x)', async () => {
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    await api.upsertIso8601({ name: 'late', command: 'true', schedule: `R/${tenMinutesAgo}/PT1H`, epsilon: 'PT1M' });
    const [run] = await waitFor('late skipped', async () => {
      const rs = await runsOf('late');
      return rs.length > 0 ? rs : null;
    });
    expect(run.state).toBe('SKIPPED');
    expect(run.message).toMatch(/epsilon/);
    // the schedule moved past now without running anything (stored right after the skipped run)
    const j = await waitFor('schedule advanced', async () => {
      const x = await job('late');
      return Date.parse(x.schedule!.split('/')[1]) > Date.now() ? x : null;
    });
    expect(j.successCount + j.errorCount).toBe(0);
  });

  it('an async job finishes only when the task reports completion (Chronos 2.x)', async () => {
    await api.upsertIso8601({ name: 'async-job', command: 'true', schedule: 'R1//PT1H', async: true });
    const [run] = await waitFor('async process ended', async () => {
      const rs = await runsOf('async-job');
      return rs[0]?.message?.includes('waiting for the task') ? rs : null;
    });
    expect(run.state).toBe('RUNNING');
    expect((await job('async-job')).successCount).toBe(0);
    await api.asyncComplete(run.taskId, { statusCode: 0 });
    const done = await waitFor('async success counted', async () => {
      const j = await job('async-job');
      return j.successCount === 1 ? j : null;
    });
    expect(done.lastSuccess).not.toBe('');
    expect((await runsOf('async-job'))[0].state).toBe('FINISHED');
  });

  it('--disable_after_failures: a job that keeps failing is disabled', async () => {
    await api.upsertIso8601({ name: 'broken', command: 'exit 1', schedule: 'R/2100-01-01T00:00:00Z/P1D', retries: 0 });
    await api.runJob('broken', '');
    await waitFor('first failure', async () => (await job('broken')).errorCount === 1);
    expect((await job('broken')).disabled).toBe(false);
    await api.runJob('broken', '');
    const j = await waitFor('broken disabled', async () => {
      const x = await job('broken');
      return x.disabled ? x : null;
    });
    expect(j.errorsSinceLastSuccess).toBe(2);
    // the scheduler's disable is in the job's history, in the same transaction, by no user
    const [latest] = await store.versions.list('broken', 1);
    expect(latest).toMatchObject({ n: 2, kind: 'disable', by: null, diff: [{ field: 'disabled', before: false, after: true }] });
    expect(latest.note).toContain('disabled after 2 failures');
  });

  it('a queued run of a job that gets disabled is skipped, not launched', async () => {
    const body = { name: 'too-big', command: 'true', schedule: 'R/2100-01-01T00:00:00Z/P1D', cpus: 100 };
    await api.upsertIso8601(body);
    await api.runJob('too-big', '');
    await waitFor('too-big queued', async () => (await runsOf('too-big'))[0]?.state === 'QUEUED');
    await api.upsertIso8601({ ...body, disabled: true });
    const [run] = await waitFor('too-big skipped', async () => {
      const rs = await runsOf('too-big');
      return rs[0]?.state === 'SKIPPED' ? rs : null;
    });
    expect(run.message).toMatch(/disabled/);
    expect(run.launchedAt).toBeNull();
  });

  it('the same past start POSTed again never runs that instant twice', async () => {
    const start = new Date(Date.now() - 5_000).toISOString();
    const body = { name: 'once-only', command: 'true', schedule: `R1/${start}/PT1H` };
    await api.upsertIso8601(body);
    await waitFor('once-only ran', async () => (await job('once-only')).successCount === 1);
    await api.upsertIso8601(body); // the schedule string verbatim again
    await waitFor('schedule moved on', async () => (await job('once-only')).schedule !== body.schedule);
    // the tick that found the instant already ran moved the schedule on in the same step; once
    // the worker is idle no step of that tick is left to create a run
    await cluster.scheduler.worker.idle();
    expect(await runsOf('once-only')).toHaveLength(1);
  });
});

describe('one bad job never stops the others (issue 12)', () => {
  it('a job whose schedule cannot advance, beside 100 ordinary jobs: all 100 run, the bad one is marked with its reason', async () => {
    const metrics = schedulerMetrics();
    const errorsBefore = (await metrics.errors.get()).values.find((v) => v.labels.where === 'launch')?.value ?? 0;
    // Stored as an older version (or a direct write) left it: the API refuses this schedule now.
    const poison = parseJob({ name: 'poison-s3', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/P1000000Y' }, { now: Date.now() });
    if (!poison.ok) throw new Error(poison.error.message);
    await store.jobs.put(poison.value);
    await cluster.scheduler.worker.jobChanged(poison.value, null);
    await expect(api.upsertIso8601({ name: 'poison-api', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/P1000000Y' })).rejects.toThrow(
      /Schedule 'R\/2026-01-01T00:00:00Z\/P1000000Y' cannot be scheduled: the run after 2026-01-01T00:00:00.000Z would be after 9999-12-31T23:59:59.999Z/,
    );

    const names = Array.from({ length: 100 }, (_, i) => `plain-${String(i).padStart(3, '0')}`);
    await Promise.all(names.map((name) => api.upsertIso8601({ name, command: 'true', schedule: 'R1//PT1H', cpus: 0.05, mem: 8, disk: 0 })));
    const finished = await waitFor(
      'all 100 ordinary jobs finished',
      async () => {
        const js = await Promise.all(names.map(job));
        const n = js.filter((j) => j.successCount === 1).length;
        return n === names.length ? n : null;
      },
      60_000,
    );
    expect(finished).toBe(100);

    const [bad] = await runsOf('poison-s3');
    expect(bad.state).toBe('ERROR');
    expect(bad.message).toMatch(/^not launched: the schedule R\/2026-01-01T00:00:00(\.000)?Z\/P1000000Y cannot advance past/);
    expect((await job('poison-s3')).errorCount).toBe(1);
    expect((await api.jobStat('poison-s3')).taskStatHistory[0]).toMatchObject({ status: 'Fail' });
    expect(cluster.scheduler.worker.setAsideReason('poison-s3')).toMatch(/cannot advance/);
    const errorsAfter = (await metrics.errors.get()).values.find((v) => v.labels.where === 'launch')?.value ?? 0;
    expect(errorsAfter).toBeGreaterThan(errorsBefore);
    expect((await metrics.runs.get()).values.find((v) => v.labels.outcome === 'ERROR')?.value ?? 0).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
