/**
 * Prometheus metrics of the scheduler (prom-client), fed from the worker's EventBus and the Mesos
 * framework's own events, served as text by /metrics (content negotiation) and /metrics/prometheus.
 * Chronos's Codahale JSON at /metrics (scheduler/api/metrics-json.ts) is unchanged for its clients.
 *
 * One registry per process, kept on globalThis (Next.js bundles route handlers and the
 * instrumentation hook separately; both must see the same counters).
 *
 * | metric | type | labels |
 * |---|---|---|
 * | sisyphus_runs_total | counter | outcome: FINISHED, FAILED, KILLED, LOST, ERROR, DROPPED, SKIPPED |
 * | sisyphus_runs_launched_total | counter | trigger: schedule, immediate, retry, dependency, manual, backfill |
 * | sisyphus_launch_skew_seconds | histogram | (due instant → launch) |
 * | sisyphus_run_duration_seconds | histogram | job (bounded, see below), outcome |
 * | sisyphus_queue_depth | gauge | priority: high, normal, delayed |
 * | sisyphus_offers_received_total, _used_total, _declined_total | counter | |
 * | sisyphus_tasks_launched_total | counter | |
 * | sisyphus_revives_total / sisyphus_suppresses_total | counter | reason |
 * | sisyphus_resubscribes_total | counter | |
 * | sisyphus_subscriptions_total | counter | resubscribed: true/false |
 * | sisyphus_watchdog_firings_total | counter | kind: heartbeat/offers, action |
 * | sisyphus_status_updates_total | counter | state (Mesos TaskState), acknowledged |
 * | sisyphus_leader | gauge | 1 while this process is the leader, else 0 |
 * | sisyphus_scheduler_loaded | gauge | 1 once the leading scheduler has loaded every job, edge and unfinished run (start-up or takeover done), else 0 |
 * | sisyphus_errors_total | counter | where |
 * | sisyphus_http_request_duration_seconds | histogram | method, route, status |
 *   (measured by `handle()` in scheduler/api/http.ts, whose callers pass "METHOD /route/pattern")
 * plus prom-client's default process metrics (process_resident_memory_bytes, event loop lag, …).
 *
 * Cardinality: the `job` label of sisyphus_run_duration_seconds takes at most `maxJobLabels`
 * distinct job names (default 500, env METRICS_MAX_JOB_LABELS); runs of any further job are
 * counted under job="_other". 500 jobs × 2 outcomes × 12 buckets stays well under 20k series.
 * `route` is the route pattern (e.g. /v1/scheduler/job/[name]), never the concrete path.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';
import { isTerminal } from '../core/types';
import type { EventBus } from './events';
import { log } from './log';
import { config } from '../config';
import { processSlot } from '../registry';

/** The framework events the metrics listen to (MesosFramework satisfies it). */
export interface FrameworkEventSource {
  on(event: 'update', fn: (e: { state: string; acknowledged: boolean }) => void): () => void;
  on(event: 'offers', fn: (e: { received: number; used: number; declined: number; tasks: number }) => void): () => void;
  on(event: 'revive', fn: (e: { reason: string }) => void): () => void;
  on(event: 'suppress', fn: (e: { reason: string }) => void): () => void;
  on(event: 'resubscribe', fn: (e: { reason: string }) => void): () => void;
  on(event: 'subscribed', fn: (e: { resubscribed: boolean; frameworkId: string }) => void): () => void;
  on(event: 'watchdog', fn: (e: { kind: string; action: string; silentMs: number }) => void): () => void;
}

export interface MetricsOptions {
  maxJobLabels?: number;
  /** Collect prom-client's default process metrics (default true). */
  defaultMetrics?: boolean;
}

export const OTHER_JOB = '_other';
const SKEW_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class SchedulerMetrics {
  /** Prometheus text format 0.0.4. */
  readonly registry: Registry;
  /** The same metrics in OpenMetrics 1.0 text. */
  readonly openMetrics: Registry<OpenMetricsContentType>;
  readonly runs: Counter<'outcome'>;
  readonly launched: Counter<'trigger'>;
  readonly skew: Histogram;
  readonly runDuration: Histogram<'job' | 'outcome'>;
  readonly queueDepth: Gauge<'priority'>;
  readonly offersReceived: Counter;
  readonly offersUsed: Counter;
  readonly offersDeclined: Counter;
  readonly tasksLaunched: Counter;
  readonly revives: Counter<'reason'>;
  readonly suppresses: Counter<'reason'>;
  readonly resubscribes: Counter;
  readonly subscriptions: Counter<'resubscribed'>;
  readonly watchdog: Counter<'kind' | 'action'>;
  readonly statusUpdates: Counter<'state' | 'acknowledged'>;
  readonly leader: Gauge;
  readonly loaded: Gauge;
  readonly errors: Counter<'where'>;
  readonly notifications: Counter<'channel' | 'result'>;
  readonly http: Histogram<'method' | 'route' | 'status'>;

  private readonly maxJobLabels: number;
  private readonly jobLabels = new Set<string>();
  private readonly buses = new WeakSet<EventBus>();
  private readonly frameworks = new WeakSet<object>();

  constructor(opts: MetricsOptions = {}) {
    this.maxJobLabels = opts.maxJobLabels ?? config().metrics.maxJobLabels;
    this.registry = new Registry();
    this.openMetrics = new Registry<OpenMetricsContentType>();
    this.openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const registers = [this.registry, this.openMetrics];
    this.runs = new Counter({ name: 'sisyphus_runs_total', help: 'Runs that reached a terminal state, by outcome', labelNames: ['outcome'], registers });
    this.launched = new Counter({ name: 'sisyphus_runs_launched_total', help: 'Runs launched on Mesos, by trigger', labelNames: ['trigger'], registers });
    this.skew = new Histogram({ name: 'sisyphus_launch_skew_seconds', help: 'Due instant to launch (ACCEPT sent), seconds', buckets: SKEW_BUCKETS, registers });
    this.runDuration = new Histogram({
      name: 'sisyphus_run_duration_seconds',
      help: `Run durations (start to end) by job; at most ${this.maxJobLabels} job labels, the rest under job="${OTHER_JOB}"`,
      labelNames: ['job', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.queueDepth = new Gauge({ name: 'sisyphus_queue_depth', help: 'Runs waiting: high and normal priority queues, and delayed retries', labelNames: ['priority'], registers });
    this.offersReceived = new Counter({ name: 'sisyphus_offers_received_total', help: 'Mesos offers received', registers });
    this.offersUsed = new Counter({ name: 'sisyphus_offers_used_total', help: 'Mesos offers accepted with at least one task', registers });
    this.offersDeclined = new Counter({ name: 'sisyphus_offers_declined_total', help: 'Mesos offers declined', registers });
    this.tasksLaunched = new Counter({ name: 'sisyphus_tasks_launched_total', help: 'Tasks sent in ACCEPT calls', registers });
    this.revives = new Counter({ name: 'sisyphus_revives_total', help: 'REVIVE calls, by reason', labelNames: ['reason'], registers });
    this.suppresses = new Counter({ name: 'sisyphus_suppresses_total', help: 'SUPPRESS calls, by reason', labelNames: ['reason'], registers });
    this.resubscribes = new Counter({ name: 'sisyphus_resubscribes_total', help: 'Times the framework dropped its stream to subscribe again', registers });
    this.subscriptions = new Counter({ name: 'sisyphus_subscriptions_total', help: 'SUBSCRIBED events', labelNames: ['resubscribed'], registers });
    this.watchdog = new Counter({ name: 'sisyphus_watchdog_firings_total', help: 'Watchdog firings (no heartbeat; hungry framework)', labelNames: ['kind', 'action'], registers });
    this.statusUpdates = new Counter({ name: 'sisyphus_status_updates_total', help: 'Mesos status updates handled, by state', labelNames: ['state', 'acknowledged'], registers });
    this.leader = new Gauge({ name: 'sisyphus_leader', help: '1 while this process is the leading scheduler, else 0', registers });
    this.loaded = new Gauge({ name: 'sisyphus_scheduler_loaded', help: '1 once the leading scheduler has loaded every job, edge and unfinished run, else 0', registers });
    this.errors = new Counter({ name: 'sisyphus_errors_total', help: 'Errors an operator should see, by where they happened', labelNames: ['where'], registers });
    this.notifications = new Counter({
      name: 'sisyphus_notifications_total',
      help: 'Notifications settled by the deliverer, by channel and result (sent, retrying, failed, suppressed)',
      labelNames: ['channel', 'result'],
      registers,
    });
    this.http = new Histogram({
      name: 'sisyphus_http_request_duration_seconds',
      help: 'API latency by route pattern',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.leader.set(0);
    this.loaded.set(0);
    if (opts.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      collectDefaultMetrics({ register: this.openMetrics });
    }
  }

  /** The job label for a job name (bounded: see the file comment). */
  jobLabel(name: string): string {
    if (this.jobLabels.has(name)) return name;
    if (this.jobLabels.size < this.maxJobLabels) {
      this.jobLabels.add(name);
      return name;
    }
    return OTHER_JOB;
  }

  /** Subscribes to a worker's event bus (once per bus). Returns the unsubscribe. */
  observe(events: EventBus): () => void {
    if (this.buses.has(events)) return () => {};
    this.buses.add(events);
    const offs = [
      events.on('run', ({ run, previous }) => {
        if (run.state === 'STAGING' && previous === 'QUEUED') {
          this.launched.inc({ trigger: run.trigger });
          if (run.launchedAt !== null) this.skew.observe(Math.max(0, run.launchedAt - run.due) / 1000);
          return;
        }
        if (!isTerminal(run.state) || (previous !== null && isTerminal(previous))) return;
        this.runs.inc({ outcome: run.state });
        if (run.startedAt !== null && run.finishedAt !== null && (run.state === 'FINISHED' || run.state === 'FAILED')) {
          this.runDuration.observe({ job: this.jobLabel(run.jobName), outcome: run.state }, Math.max(0, run.finishedAt - run.startedAt) / 1000);
        }
      }),
      events.on('queue', (q) => {
        this.queueDepth.set({ priority: 'high' }, q.high);
        this.queueDepth.set({ priority: 'normal' }, q.normal);
        this.queueDepth.set({ priority: 'delayed' }, q.delayed);
      }),
      events.on('leader', (l) => this.leader.set(l.isLeader ? 1 : 0)),
      events.on('error', (e) => this.errors.inc({ where: e.where })),
      events.on('notify', (n) => this.notifications.inc({ channel: n.channel, result: n.result }, n.count)),
    ];
    return () => {
      offs.forEach((off) => off());
      this.buses.delete(events);
    };
  }

  /** Subscribes to a Mesos framework's events (once per framework). */
  observeFramework(fw: FrameworkEventSource): () => void {
    if (this.frameworks.has(fw)) return () => {};
    this.frameworks.add(fw);
    const offs = [
      fw.on('update', (u) => this.statusUpdates.inc({ state: u.state, acknowledged: String(u.acknowledged) })),
      fw.on('offers', (o) => {
        this.offersReceived.inc(o.received);
        this.offersUsed.inc(o.used);
        this.offersDeclined.inc(o.declined);
        this.tasksLaunched.inc(o.tasks);
      }),
      fw.on('revive', (r) => this.revives.inc({ reason: r.reason })),
      fw.on('suppress', (s) => this.suppresses.inc({ reason: s.reason })),
      fw.on('resubscribe', () => this.resubscribes.inc()),
      fw.on('subscribed', (s) => this.subscriptions.inc({ resubscribed: String(s.resubscribed) })),
      fw.on('watchdog', (w) => this.watchdog.inc({ kind: w.kind, action: w.action })),
    ];
    return () => {
      offs.forEach((off) => off());
      this.frameworks.delete(fw);
    };
  }

  /** Records one API request; `route` is "METHOD /route/pattern" (or just the pattern). */
  observeRequest(route: string, status: number, seconds: number): void {
    const i = route.indexOf(' ');
    const method = i > 0 ? route.slice(0, i) : '';
    this.http.observe({ method, route: i > 0 ? route.slice(i + 1) : route, status: String(status) }, seconds);
  }

  /** The text exposition: OpenMetrics when asked for, else Prometheus 0.0.4. */
  async text(format: 'prometheus' | 'openmetrics' = 'prometheus'): Promise<{ body: string; contentType: string }> {
    // prom-client's OpenMetrics rendering strips `_total` from a counter's name in place; the
    // counters are shared by both registries, so give them their names back first.
    this.counterNames ??= new Map(
      this.registry
        .getMetricsAsArray()
        .filter((m) => (m as unknown as { type: string }).type === 'counter')
        .map((m) => [m as unknown as { name: string }, (m as unknown as { name: string }).name]),
    );
    for (const [m, name] of this.counterNames) m.name = name;
    if (format === 'openmetrics') return { body: await this.openMetrics.metrics(), contentType: this.openMetrics.contentType };
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
  private counterNames: Map<{ name: string }, string> | null = null;
}

const metricsSlot = processSlot<SchedulerMetrics>('metrics');

/** The process's metrics (created on first use). */
export function schedulerMetrics(): SchedulerMetrics {
  let m = metricsSlot.get();
  if (!m) metricsSlot.set((m = new SchedulerMetrics()));
  return m;
}

/**
 * Which representation of /metrics a request wants: `json` (Chronos's Codahale JSON, the default
 * and the answer to * / *), `prometheus` (text/plain) or `openmetrics` (application/openmetrics-text).
 * The highest q wins; on a tie JSON first, then OpenMetrics, then text/plain.
 */
export function negotiateMetrics(accept: string | null | undefined): 'json' | 'prometheus' | 'openmetrics' {
  if (!accept) return 'json';
  let best: { kind: 'json' | 'prometheus' | 'openmetrics'; q: number; rank: number } = { kind: 'json', q: -1, rank: 9 };
  const rank = { json: 0, openmetrics: 1, prometheus: 2 } as const;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    let kind: 'json' | 'prometheus' | 'openmetrics' | null = null;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') kind = 'json';
    else if (type === 'application/openmetrics-text') kind = 'openmetrics';
    else if (type === 'text/plain' || type === 'text/*') kind = 'prometheus';
    if (!kind) continue;
    if (q > best.q || (q === best.q && rank[kind] < best.rank)) best = { kind, q, rank: rank[kind] };
  }
  return best.q < 0 ? 'json' : best.kind;
}

/**
 * Structured logs of the key scheduler events (pino, LOG_LEVEL): failed and lost runs (warn),
 * launches and finishes (debug), watchdog firings and re-subscribes (warn), leadership (info).
 * Errors and framework connection changes are logged by boot.ts.
 */
export function logSchedulerEvents(events: EventBus, fw: FrameworkEventSource | null): () => void {
  const offs = [
    events.on('run', ({ run, previous }) => {
      if (run.state === 'STAGING' && previous === 'QUEUED') {
        log.debug({ job: run.jobName, taskId: run.taskId, agentId: run.agentId, skewMs: run.launchedAt !== null ? run.launchedAt - run.due : null }, 'run launched');
      } else if (isTerminal(run.state) && (previous === null || !isTerminal(previous))) {
        const fields = { job: run.jobName, taskId: run.taskId, state: run.state, attempt: run.attempt, message: run.message, reason: run.reason };
        if (run.state === 'FINISHED' || run.state === 'KILLED' || run.state === 'SKIPPED') log.debug(fields, `run ${run.state.toLowerCase()}`);
        else log.warn(fields, `run ${run.state.toLowerCase()}`);
      }
    }),
    events.on('leader', (l) => log.info({ leader: l.leader, isLeader: l.isLeader }, l.isLeader ? 'this instance leads' : `following ${l.leader ?? 'nobody'}`)),
  ];
  if (fw) {
    offs.push(
      fw.on('watchdog', (w) => log.warn({ kind: w.kind, action: w.action, silentMs: w.silentMs }, `watchdog: ${w.action}`)),
      fw.on('resubscribe', (r) => log.warn({ reason: r.reason }, 'resubscribing to Mesos')),
    );
  }
  return () => offs.forEach((off) => off());
}
