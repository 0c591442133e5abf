/**
 * Prometheus metrics: counters move when runs really finish (worker + framework on mesos-local and
 * the real PostgreSQL), the text exposition parses, and /metrics negotiates JSON vs text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosService } from '../../scheduler/api/chronos-service';
import { setServicesForTesting } from '../../scheduler/api/context';
import { FakeRuntime } from '../../scheduler/testing/fake-runtime';
import type { Scheduler } from '../../scheduler/runtime/assemble';
import { EventBus } from '../../scheduler/runtime/events';
import { SchedulerMetrics, negotiateMetrics, schedulerMetrics, OTHER_JOB } from '../../scheduler/runtime/metrics';
import { systemClock } from '../../scheduler/runtime/system-clock';
import { startLocalCluster, type LocalCluster } from '../../scheduler/testing/local-cluster';
import { runFixture } from '../../scheduler/testing/run-fixture';
import * as metricsRoute from './route';
import * as prometheusRoute from './prometheus/route';

/** Value of one sample in Prometheus text, e.g. sample(text, 'sisyphus_runs_total', {outcome: 'FINISHED'}). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const p = parseSample(line);
    if (!p || p.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => p.labels[k] === v)) return p.value;
  }
  return NaN;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseSample(line: string): { name: string; labels: Record<string, string>; value: number } | null {
  const m = SAMPLE.exec(line);
  if (!m) return null;
  const labels: Record<string, string> = {};
  if (m[3]) for (const l of m[3].matchAll(LABEL)) labels[l[1]] = l[2];
  const raw = m[4];
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  return { name: m[1], labels, value };
}

/** Every line is blank, a # HELP / # TYPE / # EOF comment, or a well-formed sample; types are known. */
function parseExposition(text: string): { types: Map<string, string>; samples: number } {
  const types = new Map<string, string>();
  let samples = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      expect(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'unknown', 'info', 'stateset', 'gaugehistogram']).toContain(type);
      types.set(name, type);
      continue;
    }
    const p = parseSample(line);
    if (!p) throw new Error(`not a sample line: ${line}`);
    expect(Number.isNaN(p.value) && !/NaN$/.test(line)).toBe(false);
    samples++;
  }
  return { types, samples };
}

describe('SchedulerMetrics fed from the event bus', () => {
  it('counts launches with their skew, outcomes with durations, queue depth and errors', async () => {
    const m = new SchedulerMetrics({ defaultMetrics: false, maxJobLabels: 2 });
    const bus = new EventBus();
    m.observe(bus);
    m.observe(bus); // once per bus
    bus.emit('run', { run: runFixture({ state: 'STAGING', launchedAt: 1_250 }), previous: 'QUEUED' });
    bus.emit('run', { run: runFixture({ state: 'FINISHED', startedAt: 2_000, finishedAt: 5_000 }), previous: 'RUNNING' });
    bus.emit('run', { run: runFixture({ jobName: 'k', state: 'FAILED', startedAt: 0, finishedAt: 1_000 }), previous: 'RUNNING' });
    bus.emit('run', { run: runFixture({ jobName: 'l', state: 'FINISHED', startedAt: 0, finishedAt: 1_000 }), previous: 'RUNNING' });
    bus.emit('run', { run: runFixture({ state: 'SKIPPED' }), previous: null });
    bus.emit('run', { run: runFixture({ state: 'FINISHED' }), previous: 'FINISHED' }); // not a transition
    bus.emit('queue', { high: 2, normal: 5, delayed: 1 });
    bus.emit('error', { where: 'launch', message: 'x' });
    const { body } = await m.text();
    expect(sample(body, 'sisyphus_runs_launched_total', { trigger: 'schedule' })).toBe(1);
    expect(sample(body, 'sisyphus_launch_skew_seconds_count')).toBe(1);
    expect(sample(body, 'sisyphus_launch_skew_seconds_sum')).toBeCloseTo(0.25);
    expect(sample(body, 'sisyphus_runs_total', { outcome: 'FINISHED' })).toBe(2);
    expect(sample(body, 'sisyphus_runs_total', { outcome: 'FAILED' })).toBe(1);
    expect(sample(body, 'sisyphus_runs_total', { outcome: 'SKIPPED' })).toBe(1);
    expect(sample(body, 'sisyphus_run_duration_seconds_sum', { job: 'j', outcome: 'FINISHED' })).toBe(3);
    // the third job is beyond maxJobLabels: counted under _other
    expect(sample(body, 'sisyphus_run_duration_seconds_count', { job: OTHER_JOB, outcome: 'FINISHED' })).toBe(1);
    expect(sample(body, 'sisyphus_queue_depth', { priority: 'normal' })).toBe(5);
    expect(sample(body, 'sisyphus_errors_total', { where: 'launch' })).toBe(1);
  });

  it('records API latency by route pattern and method', async () => {
    const m = new SchedulerMetrics({ defaultMetrics: false });
    m.observeRequest('GET /v1/scheduler/job/[name]', 200, 0.012);
    const { body } = await m.text();
    expect(sample(body, 'sisyphus_http_request_duration_seconds_count', { method: 'GET', route: '/v1/scheduler/job/[name]', status: '200' })).toBe(1);
  });
});

describe('content negotiation', () => {
  it.each([
    ['no Accept', null, 'json'],
    ['*/*', '*/*', 'json'],
    ['application/json', 'application/json', 'json'],
    ['text/plain', 'text/plain', 'prometheus'],
    ['Prometheus scraper', 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['text preferred over json by q', 'application/json;q=0.5, text/plain', 'prometheus'],
    ['json preferred by q', 'text/plain;q=0.2, application/json', 'json'],
    ['a browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
  ] as const)('%s → %s', (_name, accept, want) => {
    expect(negotiateMetrics(accept)).toBe(want);
  });
});

describe('metrics with the real worker, PostgreSQL and mesos-local', () => {
  let cluster: LocalCluster;
  let scheduler: Scheduler;
  let api: ChronosService;

  beforeAll(async () => {
    cluster = await startLocalCluster({ dbPrefix: 'sisyphus_metrics', agents: 1, worker: { retryDelayMs: 200 } });
    ({ scheduler, api } = cluster);
    setServicesForTesting({ store: cluster.store, runtime: new FakeRuntime(systemClock) });
  }, 60_000);

  afterAll(async () => {
    setServicesForTesting(null);
    await cluster?.stop();
  });

  it('counters move when runs finish, and /metrics answers text or JSON as asked', async () => {
    const before = await schedulerMetrics().text();
    const finished0 = sample(before.body, 'sisyphus_runs_total', { outcome: 'FINISHED' }) || 0;
    const failed0 = sample(before.body, 'sisyphus_runs_total', { outcome: 'FAILED' }) || 0;
    // awaited from before the jobs exist: a run can end before the next line would start waiting
    const ok = scheduler.events.next('run', (e) => e.run.jobName === 'metrics-ok' && e.run.state === 'FINISHED', 20_000);
    const bad = scheduler.events.next('run', (e) => e.run.jobName === 'metrics-bad' && e.run.state === 'FAILED', 20_000);
    // the framework counts an update once the worker has stored it, which can be after the run event
    const acked = scheduler.framework!.next('update', (u) => u.state === 'TASK_FINISHED' && u.acknowledged && u.taskId.includes(':metrics-ok:'));
    await api.upsertIso8601({ name: 'metrics-ok', command: 'true', schedule: 'R1//PT1H', owner: 'a@b.c' });
    await api.upsertIso8601({ name: 'metrics-bad', command: 'exit 2', schedule: 'R1//PT1H', owner: 'a@b.c', retries: 0 });
    await Promise.all([ok, bad, acked]);

    const res = await prometheusRoute.GET();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const { types, samples } = parseExposition(text);
    expect(samples).toBeGreaterThan(20);
    expect(types.get('sisyphus_runs_total')).toBe('counter');
    expect(types.get('sisyphus_launch_skew_seconds')).toBe('histogram');
    expect(types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(sample(text, 'sisyphus_runs_total', { outcome: 'FINISHED' })).toBe(finished0 + 1);
    expect(sample(text, 'sisyphus_runs_total', { outcome: 'FAILED' })).toBe(failed0 + 1);
    expect(sample(text, 'sisyphus_runs_launched_total', { trigger: 'immediate' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'sisyphus_launch_skew_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'sisyphus_run_duration_seconds_count', { job: 'metrics-ok', outcome: 'FINISHED' })).toBe(1);
    expect(sample(text, 'sisyphus_status_updates_total', { state: 'TASK_FINISHED', acknowledged: 'true' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sisyphus_offers_received_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sisyphus_offers_used_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sisyphus_revives_total', { reason: 'work' }) + (sample(text, 'sisyphus_revives_total', { reason: 'subscribe' }) || 0)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sisyphus_subscriptions_total', { resubscribed: 'false' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sisyphus_leader')).toBe(1);
    expect(sample(text, 'sisyphus_scheduler_loaded')).toBe(1); // its runs launched: the load was done

    // /metrics: OpenMetrics for a Prometheus scraper, text for text/plain, Codahale JSON otherwise
    const om = await metricsRoute.GET(new Request('http://x/metrics', { headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' } }));
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    const omText = await om.text();
    expect(omText.trimEnd().endsWith('# EOF')).toBe(true);
    parseExposition(omText);
    const plain = await metricsRoute.GET(new Request('http://x/metrics', { headers: { accept: 'text/plain' } }));
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(await plain.text(), 'sisyphus_runs_total', { outcome: 'FINISHED' })).toBe(finished0 + 1);
    for (const accept of [undefined, '*/*', 'application/json']) {
      const j = await metricsRoute.GET(new Request('http://x/metrics', accept ? { headers: { accept } } : {}));
      expect(j.headers.get('content-type')).toBe('application/json');
      const body = JSON.parse(await j.text()) as { version: string; counters: Record<string, { count: number }> };
      expect(body.version).toBe('3.0.0');
      expect(body.counters['jobs.run.success.metrics-ok']).toEqual({ count: 1 });
    }
  });
});
