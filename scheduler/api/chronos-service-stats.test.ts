/**
 * ChronosService against the real PostgreSQL (scheduler/testing/chronos-service-fixture.ts): the
 * stats endpoints, the dependency graph's dot and csv, and 1,000 jobs.
 */
import { describe, expect, test, vi } from 'vitest';
import type { Job } from '../core/types';
import { dep, expect400, NOW, pg, runtime, sched, seedRun, svc, useChronosService } from '../testing/chronos-service-fixture';
import { formatStatDuration, formatStatTime, histogramOf, quantile } from './chronos-service';

useChronosService('sisyphus_chronos_stats');

/* ------------------------------------------------------------------ stats */

describe('stats', () => {
  test('quantile interpolates as Codahale does', () => {
    expect(quantile([], 0.5)).toBe(0);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.75);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([10, 20], 0.1)).toBe(10);
  });

  test('histogramOf: "mean" is the median (Chronos bug, kept)', () => {
    expect(histogramOf([1000, 1000, 1000, 10000])).toEqual({
      '75thPercentile': 7750,
      '95thPercentile': 10000,
      '98thPercentile': 10000,
      '99thPercentile': 10000,
      median: 1000,
      mean: 1000,
      count: 4,
    });
  });

  test('time and duration formats', () => {
    expect(formatStatTime(Date.parse('2024-03-08T16:57:17.507Z'))).toBe('03/08/24 16:57:17');
    expect(formatStatTime(null)).toBe('N/A');
    expect(formatStatDuration(0)).toBe('0s');
    expect(formatStatDuration(999)).toBe('0s');
    expect(formatStatDuration(65_000)).toBe('1m5s');
    expect(formatStatDuration(26 * 3600_000 + 5_000)).toBe('26h5s');
  });

  test('jobStat: histogram of finished runs in ms and the last 5 runs', async () => {
    await svc.upsertIso8601(sched('s', { dataProcessingJobType: true }));
    const H = 3600_000;
    for (let i = 0; i < 6; i++) await seedRun('s', NOW + i * H, 'FINISHED', (i + 1) * 1000);
    await seedRun('s', NOW + 6 * H, 'FAILED', 500, { elements: 42 });
    await seedRun('s', NOW + 7 * H, 'RUNNING', null);
    const stat = await svc.jobStat('s');
    expect(stat.histogram).toEqual(histogramOf([1000, 2000, 3000, 4000, 5000, 6000]));
    expect(stat.histogram.count).toBe(6);
    expect(stat.histogram.median).toBe(3500);
    expect(stat.taskStatHistory.map((t) => t.status)).toEqual(['Running', 'Fail', 'Success', 'Success', 'Success']);
    expect(stat.taskStatHistory[1]).toEqual({
      taskId: `ct:${NOW + 6 * H}:0:s:`,
      jobName: 's',
      slaveId: 'agent-1',
      startTime: '01/01/24 06:00:01',
      endTime: '01/01/24 06:00:01',
      duration: '0s',
      status: 'Fail',
      numElementsProcessed: 42,
    });
    expect(stat.taskStatHistory[0]).toEqual({
      taskId: `ct:${NOW + 7 * H}:0:s:`,
      jobName: 's',
      slaveId: 'agent-1',
      startTime: '01/01/24 07:00:01',
      endTime: 'N/A',
      status: 'Running',
      numElementsProcessed: 0,
    });
    await expect400(svc.jobStat('nope'), "Job 'nope' not found");
  });

  test('jobStat of a never-run job', async () => {
    await svc.upsertIso8601(sched('n'));
    expect(await svc.jobStat('n')).toEqual({
      histogram: { '75thPercentile': 0, '95thPercentile': 0, '98thPercentile': 0, '99thPercentile': 0, median: 0, mean: 0, count: 0 },
      taskStatHistory: [],
    });
  });

  test('stats: every job, seconds, slowest first, never-run jobs 0, unknown key []', async () => {
    await svc.upsertIso8601(sched('fast', { successCount: 2 }));
    await svc.upsertIso8601(sched('slow', { successCount: 2 }));
    await svc.upsertIso8601(sched('never'));
    await svc.upsertIso8601(sched('also-never'));
    await seedRun('fast', NOW, 'FINISHED', 1000);
    await seedRun('fast', NOW + 1, 'FINISHED', 3000);
    await seedRun('slow', NOW, 'FINISHED', 60_000);
    await seedRun('slow', NOW + 1, 'FINISHED', 120_000);
    expect(await svc.stats('99thPercentile')).toEqual([
      { jobNameLabel: 'slow', time: 120 },
      { jobNameLabel: 'fast', time: 3 },
      { jobNameLabel: 'also-never', time: 0 },
      { jobNameLabel: 'never', time: 0 },
    ]);
    expect((await svc.stats('median')).slice(0, 2)).toEqual([
      { jobNameLabel: 'slow', time: 90 },
      { jobNameLabel: 'fast', time: 2 },
    ]);
    expect(await svc.stats('mean')).toEqual(await svc.stats('median'));
    expect(await svc.stats('bogus')).toEqual([]);
  });

  test('stats of many jobs: each its own percentile, all read at once, not job by job', async () => {
    const n = 40;
    const name = (i: number) => `many-${String(i).padStart(2, '0')}`;
    for (let i = 0; i < n; i++) await svc.upsertIso8601(sched(name(i), { successCount: 2 }));
    for (let i = 0; i < n; i++) {
      await seedRun(name(i), NOW, 'FINISHED', (i + 1) * 1000);
      await seedRun(name(i), NOW + 1, 'FINISHED', (i + 1) * 2000);
    }
    const perJob = vi.spyOn(pg.store.runs, 'durations');
    // two durations a and 2a: Codahale's 99th percentile of two values is the larger, the median their mean
    expect(await svc.stats('99thPercentile')).toEqual(Array.from({ length: n }, (_, k) => ({ jobNameLabel: name(n - 1 - k), time: 2 * (n - k) })));
    expect((await svc.stats('median'))[0]).toEqual({ jobNameLabel: name(n - 1), time: 1.5 * n });
    expect(perJob).not.toHaveBeenCalled();
    perJob.mockRestore();
  });
});

/* ------------------------------------------------------------------ graph */

describe('graph', () => {
  test('dot and csv, exact text', async () => {
    await svc.upsertIso8601(sched('A', { lastSuccess: '2024-01-01T00:00:00.000Z' }));
    await svc.upsertDependency(dep('B', ['A']));
    await svc.upsertIso8601(sched('C', { lastError: '2024-01-01T00:00:00.000Z' }));
    await svc.upsertDependency(dep('D', ['B', 'C']));
    runtime.activities.set('B', { queued: 1, running: 0 });
    runtime.activities.set('D', { queued: 0, running: 2 });
    expect(await svc.graphDot()).toBe(
      [
        'digraph G {',
        '  1 [ label="A" ];',
        '  2 [ label="B" ];',
        '  3 [ label="C" ];',
        '  4 [ label="D" ];',
        '  1 -> 2;',
        '  2 -> 4;',
        '  3 -> 4;',
        '}',
        '',
      ].join('\n'),
    );
    expect(await svc.graphCsv()).toBe(
      [
        'node,A,success,idle',
        'node,B,fresh,queued',
        'node,C,failure,idle',
        'node,D,fresh,2 running',
        'link,A,B',
        'link,B,D',
        'link,C,D',
        '',
      ].join('\n'),
    );
  });

  test('empty graph', async () => {
    expect(await svc.graphDot()).toBe('digraph G {\n}\n');
    expect(await svc.graphCsv()).toBe('');
  });
});

/* ------------------------------------------------------------------ scale */

describe('1,000 jobs', () => {
  test('are listed and searched correctly', async () => {
    const N = 1000;
    const pad = (i: number) => String(i).padStart(4, '0');
    // Through the service for a sample (validation path), the rest in one store write.
    for (let i = 0; i < 10; i++) await svc.upsertIso8601(sched(`job-${pad(i)}`, { command: `task ${i % 7}` }));
    const rest: Job[] = [];
    const template = await svc.getJob('job-0000');
    for (let i = 10; i < N; i++) rest.push({ ...template, name: `job-${pad(i)}`, command: `task ${i % 7}` });
    await pg.store.jobs.apply({ put: rest });

    const listed = await svc.listJobs();
    expect(listed).toHaveLength(N);
    expect(new Set(listed.map((j) => j.name)).size).toBe(N);

    expect(await svc.search({ name: 'job-' })).toHaveLength(10);
    expect(await svc.search({ name: 'job-', limit: 5000 })).toHaveLength(N);
    const sevens = await svc.search({ command: 'task 3', limit: 5000 });
    expect(sevens.length).toBe([...Array(N).keys()].filter((i) => i % 7 === 3).length);
    expect(sevens.every((j) => j.command === 'task 3')).toBe(true);
    expect((await svc.search({ name: 'job-0999' })).map((j) => j.name)).toEqual(['job-0999']);
    const page = await svc.search({ name: 'job-', limit: 3, offset: 500 });
    expect(page.map((j) => j.name)).toEqual(['job-0500', 'job-0501', 'job-0502']);

    const summary = await svc.summary();
    expect(summary.jobs).toHaveLength(N);
    expect((await svc.stats('median')).length).toBe(N);
  });
});
