/**
 * The UI's own JSON API (`/api/…`, shapes in ui-types.ts) as one object the route handlers and
 * the pages' server data call: `UiService` builds one service per page or resource from the
 * store, the runtime and the clock, and each method only hands the call to one of them.
 *
 *   jobs, nextRunOf          jobs-service.ts       (over jobs-snapshot.ts and next-run-cache.ts)
 *   bulk                     bulk-actions.ts
 *   pause, resume            pause-service.ts
 *   jobDetail, jobNext       job-detail-service.ts
 *   preview, validate        editor-service.ts
 *   runs, timeline           runs-service.ts
 *   graph                    graph-service.ts
 *   instance                 instance-service.ts
 *   framework                framework-health.ts
 *   dashboard                dashboard-service.ts
 *   cluster                  cluster-service.ts    (with the utilization sampler)
 *   log                      log-service.ts
 *   runDetail, rerunPlan, rerun  run-detail-service.ts (the run page; rerun failed and downstream)
 *   grid                     pipeline-grid-service.ts
 *   backfill…                backfill-service.ts   (POST /api/jobs/{name}/backfill, /api/backfills…)
 *   masterUrl                master-view.ts        (the master's URL and cached /master/state)
 *
 * Where the data comes from: the store; the running scheduler (worker, framework, event bus) at
 * `globalThis[Symbol.for('sisyphus.scheduler')]`, set by scheduler/runtime/boot.ts and absent in
 * tests and on a follower (live-scheduler.ts); the HA elector at
 * `globalThis[Symbol.for('sisyphus.elector')]`; the Mesos master through the `MesosMasterHttp`
 * port (scheduler/adapters/mesos/master-http.ts).
 *
 * Errors: `ApiError` (bad_request 400 — a `UiFieldError` names the field —, not_found 404,
 * unavailable 503); see ui-http.ts.
 */
import { config } from '../config';
import { processSlot, registry } from '../registry';
import type { Job } from '../core/types';
import type { Clock, MesosMasterHttp, SchedulerRuntime, Store } from '../ports';
import { MasterHttpClient } from '../adapters/mesos/master-http';
import type { Scheduler } from '../runtime/assemble';
import { BackfillService, type BackfillAction, type BackfillDetailView, type BackfillPlanView, type BackfillView } from './backfill-service';
import { BulkActions } from './bulk-actions';
import { ChronosService } from './chronos-service';
import { ClusterService } from './cluster-service';
import { DashboardService } from './dashboard-service';
import { EditorService } from './editor-service';
import { FrameworkHealthService } from './framework-health';
import { GraphService, type UiGraphLayouter } from './graph-service';
import { InstanceService, type UiElector } from './instance-service';
import { JobDetailService } from './job-detail-service';
import { JobHistory } from './job-history';
import { JobsSnapshot } from './jobs-snapshot';
import { JobsService, type JobPageQuery } from './jobs-service';
import { LiveScheduler } from './live-scheduler';
import { LogService } from './log-service';
import { MasterView } from './master-view';
import { NextRunCache } from './next-run-cache';
import { PauseService, type PauseResult } from './pause-service';
import { PipelineGridService } from './pipeline-grid-service';
import { QueueReasons } from './queue-reason';
import { RunDetailService } from './run-detail-service';
import { RunsService } from './runs-service';
import type { Params } from './ui-query';
import type {
  BulkResult,
  ClusterState,
  Dashboard,
  FrameworkHealth,
  GraphData,
  InstanceInfo,
  JobDetail,
  JobPage,
  LogChunk,
  PipelineGrid,
  RerunPlanView,
  RerunResult,
  RunDetail,
  PreviewResult,
  PreviewRun,
  RunPage,
  RunTimelinePage,
  ValidateResult,
} from './ui-types';

// What this module exported before the split, for the pages, tests and route handlers importing it.
export { runRow } from './run-row';
export { toUiEvent } from './ui-event';
export { UiFieldError } from './ui-query';
export { encodeTimeline, RUNS_PAGE_MAX_LIMIT, TIMELINE_LOOKBACK_MS, TIMELINE_MAX_LIMIT } from './runs-service';
export { JOB_PAGE_DEFAULT_LIMIT, JOB_PAGE_MAX_LIMIT, parseJobPageQuery, type JobPageQuery, type JobSort } from './jobs-service';
export { GRAPH_MAX_NODES, largestPipelines, type UiGraphLayouter } from './graph-service';
export type { UiElector } from './instance-service';


export interface UiServiceOptions {
  /** How long a jobs snapshot is reused when no job event says it changed (ms). Default 1000. */
  jobsCacheMs?: number;
  /** How long the master's /master/state is reused (ms). Default 2000. */
  stateCacheMs?: number;
  /** Utilization sampling period (ms). Default 60 000. */
  historyIntervalMs?: number;
  /** Utilization samples kept. Default 1440 (a day at one a minute). */
  historySize?: number;
  /** Framework events kept for the dashboard. Default 20. */
  recentEvents?: number;
  /** Timeout of each request to the master or an agent (ms). Default 5000. */
  httpTimeoutMs?: number;
}

export interface UiServiceDeps {
  store: Store;
  runtime: SchedulerRuntime;
  clock: Clock;
  /** Chronos rules for bulk actions and validation; built from store/runtime/clock when absent. */
  chronos?: ChronosService;
  /** The running scheduler; default: the one boot.ts registered, looked up on every call. */
  scheduler?: () => Scheduler | null;
  /** The HA elector; default: the registered one, looked up on every call. */
  elector?: () => UiElector | null;
  /** Master base URL; default: the framework client's leader, else MESOS_MASTER. */
  master?: () => string | null;
  /** The master's and agents' HTTP endpoints; default: MasterHttpClient over `fetch`. */
  masterHttp?: MesosMasterHttp;
  /** The fetch of the default MasterHttpClient. */
  fetch?: typeof fetch;
  options?: UiServiceOptions;
  /** Server-side graph layout; default none (the browser lays graphs out). getUiService() passes the shared one. */
  layouter?: UiGraphLayouter | null;
}

export class UiService {
  private readonly live: LiveScheduler;
  private readonly snapshot: JobsSnapshot;
  private readonly nextRuns: NextRunCache;
  private readonly master: MasterView;
  private readonly jobsService: JobsService;
  private readonly bulkActions: BulkActions;
  private readonly pauses: PauseService;
  private readonly jobDetails: JobDetailService;
  private readonly editor: EditorService;
  private readonly runsService: RunsService;
  private readonly graphService: GraphService;
  private readonly instances: InstanceService;
  private readonly health: FrameworkHealthService;
  private readonly dashboards: DashboardService;
  private readonly clusterService: ClusterService;
  private readonly logs: LogService;
  private readonly runDetails: RunDetailService;
  private readonly grids: PipelineGridService;
  private readonly backfillService: BackfillService;
  /** Every job's versions, a restore, the deleted jobs (/api/jobs/{name}/versions, /api/versions). */
  readonly history: JobHistory;

  constructor(deps: UiServiceDeps) {
    const { store, runtime, clock } = deps;
    const o: Required<UiServiceOptions> = {
      jobsCacheMs: deps.options?.jobsCacheMs ?? 1000,
      stateCacheMs: deps.options?.stateCacheMs ?? 2000,
      historyIntervalMs: deps.options?.historyIntervalMs ?? 60_000,
      historySize: deps.options?.historySize ?? 1440,
      recentEvents: deps.options?.recentEvents ?? 20,
      httpTimeoutMs: deps.options?.httpTimeoutMs ?? 5000,
    };
    const chronos = deps.chronos ?? new ChronosService({ store, runtime, clock });
    const http = deps.masterHttp ?? new MasterHttpClient({ fetch: deps.fetch, timeoutMs: o.httpTimeoutMs, credentials: config().mesos.credentials });
    const live = new LiveScheduler(deps.scheduler ?? (() => registry.scheduler.get() ?? null));
    const elector = deps.elector ?? (() => registry.elector.get() ?? null);

    this.live = live;
    this.master = new MasterView({ clock, live, http, master: deps.master ?? null, configured: config().mesos.master, stateCacheMs: o.stateCacheMs });
    this.health = new FrameworkHealthService({ clock, live, master: this.master, recentEvents: o.recentEvents });
    this.nextRuns = new NextRunCache();
    this.snapshot = new JobsSnapshot({ store, source: chronos.jobs, clock, live, cacheMs: o.jobsCacheMs });
    this.jobsService = new JobsService({ runtime, clock, snapshot: this.snapshot, nextRuns: this.nextRuns });
    this.bulkActions = new BulkActions({ chronos, snapshot: this.snapshot, jobs: this.jobsService });
    this.pauses = new PauseService({ store, runtime, clock });
    this.instances = new InstanceService({ runtime, live, elector });
    const reasons = new QueueReasons({ live, instance: this.instances });
    this.jobDetails = new JobDetailService({ store, clock, live, snapshot: this.snapshot, jobs: this.jobsService, reasons });
    this.runDetails = new RunDetailService({ store, runtime, snapshot: this.snapshot, reasons });
    this.grids = new PipelineGridService({ store, snapshot: this.snapshot });
    this.editor = new EditorService({ clock, chronos });
    this.history = new JobHistory(store, chronos);
    this.runsService = new RunsService({ store, clock });
    this.graphService = new GraphService({ runtime, snapshot: this.snapshot, layouter: deps.layouter ?? null });
    this.clusterService = new ClusterService({
      clock,
      live,
      master: this.master,
      instance: this.instances,
      historyIntervalMs: o.historyIntervalMs,
      historySize: o.historySize,
    });
    this.dashboards = new DashboardService({
      store,
      clock,
      runtime,
      live,
      snapshot: this.snapshot,
      instance: this.instances,
      framework: this.health,
      cluster: this.clusterService,
      reasons,
    });
    this.logs = new LogService({ store, master: this.master, http });
    this.backfillService = new BackfillService({
      store,
      clock,
      maxInstants: config().backfill.maxInstants,
      jobs: async () => (await this.snapshot.get()).entries.map((e) => e.job),
      kick: () => live.current()?.backfills.kick(),
    });
  }

  /** Builds the jobs snapshot now, in the background (JobsSnapshot.warm; ui-warm.ts); resolves once built. */
  warmJobs(): Promise<void> {
    return this.snapshot.warm();
  }

  /** Stops the sampler and unsubscribes from the scheduler's events. */
  dispose(): void {
    this.clusterService.dispose();
    this.live.dispose();
  }

  /** The master's base URL: the framework's current leader, else MESOS_MASTER (http(s) or host:port). */
  masterUrl(): string | null {
    return this.master.url();
  }

  /** Forget the jobs snapshot: the next read waits for a full `store.jobs.list()`. */
  invalidateJobs(): void {
    this.snapshot.invalidate();
  }

  /** A job changed: the next read re-reads just that job. */
  markJobDirty(name: string): void {
    this.snapshot.markDirty(name);
  }

  /** Next due instant of a scheduled, enabled job with runs left (scheduler/core/next-run.ts), cached. */
  nextRunOf(job: Job, now: number): number | null {
    return this.nextRuns.of(job, now);
  }

  /** GET /api/jobs */
  jobs(query: JobPageQuery = {}): Promise<JobPage> {
    return this.jobsService.jobs(query);
  }

  /** POST /api/jobs/bulk (`by`: the request's user, for the jobs' history) */
  bulk(body: unknown, by: string | null = null): Promise<BulkResult> {
    return this.bulkActions.bulk(body, by);
  }

  /** POST /api/jobs/{name}/pause; `by`: the basic-auth user, "" when the API is open. */
  async pause(name: string, body: unknown, by: string): Promise<PauseResult> {
    const r = await this.pauses.pause(name, body, by);
    for (const n of r.jobs) this.snapshot.markDirty(n);
    return r;
  }

  /** POST /api/jobs/{name}/resume; `by` as for pause */
  async resume(name: string, body: unknown, by = ''): Promise<PauseResult> {
    const r = await this.pauses.resume(name, body, by);
    for (const n of r.jobs) this.snapshot.markDirty(n);
    return r;
  }

  /** GET /api/jobs/{name} */
  jobDetail(name: string): Promise<JobDetail> {
    return this.jobDetails.jobDetail(name);
  }

  /** POST /api/jobs/{name}/backfill: the plan (dryRun, 200) or the backfill started (201). */
  backfillStart(name: string, body: unknown): Promise<{ status: 200 | 201; body: BackfillView | BackfillPlanView }> {
    return this.backfillService.start(name, body);
  }

  /** GET /api/backfills[?job=] */
  backfills(job: string | null): Promise<BackfillView[]> {
    return this.backfillService.list(job);
  }

  /** GET /api/backfills/{id} */
  backfill(id: string): Promise<BackfillDetailView> {
    return this.backfillService.get(id);
  }

  /** POST /api/backfills/{id}/pause|resume|cancel */
  backfillAction(id: string, action: BackfillAction): Promise<BackfillView> {
    return this.backfillService.act(id, action);
  }

  /** GET /api/jobs/{name}/next */
  jobNext(name: string, n = 10): Promise<PreviewRun[]> {
    return this.jobDetails.jobNext(name, n);
  }

  /** GET /api/preview */
  preview(schedule: string | null | undefined, zone: string | null | undefined, n = 10): PreviewResult {
    return this.editor.preview(schedule, zone, n);
  }

  /** POST /api/validate */
  validate(body: unknown, kind?: 'iso8601' | 'dependency'): Promise<ValidateResult> {
    return this.editor.validate(body, kind);
  }

  /** GET /api/runs */
  runs(p: Params): Promise<RunPage> {
    return this.runsService.runs(p);
  }

  /** GET /api/runs/timeline */
  timeline(p: Params): Promise<RunTimelinePage> {
    return this.runsService.timeline(p);
  }

  /** GET /api/graph */
  graph(focus?: string | null, opts: { maxNodes?: number; layout?: boolean } = {}): Promise<GraphData> {
    return this.graphService.graph(focus, opts);
  }

  /** GET /api/instance */
  instance(): InstanceInfo {
    return this.instances.instance();
  }

  /** The framework's health (part of the dashboard). */
  framework(): FrameworkHealth {
    return this.health.framework();
  }

  /** GET /api/dashboard */
  dashboard(): Promise<Dashboard> {
    return this.dashboards.dashboard();
  }

  /** GET /api/cluster */
  cluster(): Promise<ClusterState> {
    return this.clusterService.cluster();
  }

  /** GET /api/runs/{taskId} */
  runDetail(taskId: string): Promise<RunDetail> {
    return this.runDetails.detail(taskId);
  }

  /** GET /api/rerun?task=… */
  rerunPlan(taskIds: readonly string[]): Promise<RerunPlanView> {
    return this.runDetails.plan(taskIds);
  }

  /** POST /api/rerun */
  rerun(taskIds: readonly string[]): Promise<RerunResult> {
    return this.runDetails.rerun(taskIds);
  }

  /** GET /api/grid */
  grid(p: Params): Promise<PipelineGrid> {
    return this.grids.grid(p);
  }

  /** GET /api/runs/{taskId}/log */
  log(taskId: string, p: Params): Promise<LogChunk> {
    return this.logs.log(taskId, p);
  }
}

/* ------------------------------------------------------------------ the process's instance */

const uiSlot = processSlot<{ services: unknown; ui: UiService }>('api.ui');

/** The UI service of this process, built over the shared API services (rebuilt if those change). */
export async function getUiService(): Promise<UiService> {
  const { getServices } = await import('./context');
  const services = await getServices();
  const cur = uiSlot.get();
  if (cur && cur.services === services) return cur.ui;
  cur?.ui.dispose();
  const { sharedGraphLayouter } = await import('./graph-layouter');
  const ui = new UiService({ store: services.store, runtime: services.runtime, clock: services.clock, chronos: services.chronos, layouter: sharedGraphLayouter() });
  uiSlot.set({ services, ui });
  // the jobs snapshot, then the whole graph laid out, in the background (ui-warm.ts)
  const { warmUi } = await import('./ui-warm');
  setTimeout(() => void warmUi(ui).catch(() => {}), 0).unref?.();
  return ui;
}
