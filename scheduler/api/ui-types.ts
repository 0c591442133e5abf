/**
 * The UI's own JSON API (`/api/…`): response shapes shared by the route handlers and the React
 * pages. Instants are epoch milliseconds (UTC); the UI formats them in the chosen zone.
 *
 *   GET  /api/dashboard                      → Dashboard
 *   GET  /api/jobs?q&status&state&owner&disabled&kind&sort&dir&offset&limit
 *                                            → JobPage          (server-side search, filter, sort, paging)
 *   POST /api/jobs/bulk   {action, names}    → BulkResult       (run | disable | enable | delete)
 *                         {action, query, expect?}                 (every job matching the search/filters of
 *                                                                    GET /api/jobs, as strings; `expect` = count)
 *   GET  /api/jobs/{name}                    → JobDetail
 *   GET  /api/jobs/{name}/next?n=10          → PreviewRun[]     (the job's next runs)
 *   GET  /api/preview?schedule&zone&n=10     → PreviewResult    (editor: preview an unsaved schedule)
 *   POST /api/validate    job JSON           → ValidateResult   (editor: field errors, nothing stored)
 *   GET  /api/runs?job&state&from&to&limit&cursor
 *                                            → RunPage          (cursor pagination, newest first; limit ≤ 10000)
 *   GET  /api/runs/timeline?job&state&from&to&limit&cursor
 *                                            → RunTimelinePage  (the runs shown in a window [from, to): due up to
 *                                                                    6 h before it and still going at `from`;
 *                                                                    compact rows; limit ≤ 20000 scanned runs)
 *   GET  /api/runs/{taskId}/log?file=stdout|stderr&offset&length
 *                                            → LogChunk         (through the agent's files API; offset for tailing)
 *   GET  /api/runs/{taskId}                  → RunDetail        (the run page: every attempt of that due instant)
 *   GET  /api/rerun?task=ID&task=ID          → RerunPlanView    (rerun failed and downstream: the plan, nothing changes)
 *   POST /api/rerun       {taskIds}          → RerunResult      (new attempts at the same due instants; downstream follows)
 *   GET  /api/grid?job|prefix|owner&n=14     → PipelineGrid     (jobs × the last n scheduled instants)
 *   POST /api/jobs/{name}/backfill {from, to, downstream?, concurrency?, force?, dryRun?}
 *                                            → BackfillView (201) | BackfillPlanView (dryRun)   (backfill-service.ts)
 *   GET  /api/backfills?job                  → BackfillView[]   (newest first, with progress; ISO instants)
 *   GET  /api/backfills/{id}                 → BackfillDetailView (every job × instant and its state)
 *   POST /api/backfills/{id}/pause|resume|cancel → BackfillView (409 when its state does not allow it)
 *   GET  /api/graph?focus=name&layout=1      → GraphData        (focus: only that job's ancestors and descendants;
 *                                                                    none: all jobs up to 1,000, then largest pipelines first;
 *                                                                    layout=1: with node positions laid out on the server)
 *   GET  /api/cluster                        → ClusterState
 *   GET  /api/instance                       → InstanceInfo     (which instance answered, who leads)
 *   GET  /api/events                         → text/event-stream of UiEvent (one `data:` JSON line each)
 *
 * Errors: `{ "error": string, "field"?: string }` with 400 / 404 / 503.
 */
import type { RetryInfo } from '../core/job-health';
import type { RunState, RunTrigger } from '../core/types';

export type JobStatus = 'success' | 'failure' | 'fresh';
/** idle | queued | running (with a count); `retry` while an attempt after a failed one is queued or running. */
export interface JobStateInfo {
  state: 'idle' | 'queued' | 'running';
  running: number;
  queued: number;
  retry: RetryInfo | null;
}

export interface JobRow {
  name: string;
  kind: 'scheduled' | 'dependent';
  command: string;
  owner: string;
  ownerName: string;
  description: string;
  disabled: boolean;
  status: JobStatus;
  state: JobStateInfo;
  schedule: string; // "" for dependent jobs
  scheduleTimeZone: string;
  parents: string[];
  /** Next due instant (scheduled, enabled, runs left), else null. */
  nextRun: number | null;
  successCount: number;
  errorCount: number;
  lastSuccess: string;
  lastError: string;
  cpus: number;
  mem: number;
  disk: number;
  highPriority: boolean;
  /** Set while the job is paused (core/pause.ts): when it resumes by itself, ISO UTC. */
  pausedUntil?: string;
}

export interface JobPage {
  jobs: JobRow[];
  total: number;
  offset: number;
  limit: number;
}

export interface BulkResult {
  ok: string[];
  failed: Array<{ name: string; error: string }>;
}

export interface RunRow {
  id: string;
  taskId: string;
  jobName: string;
  due: number;
  attempt: number;
  trigger: RunTrigger;
  state: RunState;
  queuedAt: number;
  launchedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** finishedAt − startedAt when both are known. */
  durationMs: number | null;
  agentId: string | null;
  host: string | null;
  message: string | null;
  reason: string | null;
  arguments: string;
  /** The instant the run is for (SISYPHUS_DUE) when not `due`: a retry's, a dependency run's. */
  intendedDue?: number;
  /** The version of its job the run was created with (its history); absent when unknown. */
  jobVersion?: number;
}

export interface RunPage {
  runs: RunRow[];
  nextCursor: string | null;
}

/**
 * The timeline's runs (GET /api/runs/timeline), newest due first, as compact rows: the same values
 * as RunRow in a fifth of the bytes (a night is ~10,000 runs). Decoded by decodeTimeline
 * (app/components/timeline/model.ts). Each row is a RunTimelineTuple; `strings` holds every job
 * name, trigger, state, host, agent, message, reason and arguments once, referred to by index
 * (-1: null). Instants after `due` are ms after it (null: not yet); `taskId` is 0 when it is the
 * Chronos id `ct:<due>:<attempt>:<job>:<arguments>`.
 */
export interface RunTimelinePage {
  strings: string[];
  runs: RunTimelineTuple[];
  nextCursor: string | null;
}

export type RunTimelineTuple = [
  id: string,
  job: number,
  due: number,
  attempt: number,
  trigger: number,
  state: number,
  queuedAfter: number,
  launchedAfter: number | null,
  startedAfter: number | null,
  finishedAfter: number | null,
  host: number,
  agentId: number,
  message: number,
  reason: number,
  args: number,
  taskId: string | 0,
  /** The instant the run is for when not `due` (RunRow.intendedDue), else null. */
  intendedDue: number | null,
];

export interface PreviewRun {
  at: number;
  isoUtc: string;
  /** ISO in the job's zone. */
  local: string;
  /** `paused`: inside the job's pause, it will not run. */
  flags: Array<'dst-gap' | 'dst-repeat' | 'overdue' | 'paused'>;
}

export type PreviewResult = { ok: true; runs: PreviewRun[]; description: string } | { ok: false; error: string; field: string };

export type ValidateResult = { ok: true } | { ok: false; errors: Array<{ field: string; message: string }> };

export interface JobDetail {
  /** The Chronos job JSON, as GET /v1/scheduler/job/{name} returns it. */
  job: Record<string, unknown>;
  row: JobRow;
  /** The schedule in words, e.g. "every day at 02:30 America/New_York, forever". */
  scheduleText: string;
  children: string[];
  /** Duration percentiles of runs that ran to an end (finished or failed), ms; `failed` of `count` failed. */
  stats: { count: number; failed: number; p50: number | null; p95: number | null; p99: number | null; mean: number | null };
  /** The current or last run, if any. */
  currentRun: RunRow | null;
  /** Why the current run waits (it is queued), as the dashboard says it; else null. */
  queueReason: string | null;
}

export interface LogChunk {
  taskId: string;
  file: 'stdout' | 'stderr';
  /** Offset of `data` in the file. */
  offset: number;
  data: string;
  /** Offset to ask for next (offset + bytes of data). */
  nextOffset: number;
  /** The task is terminal and the whole file has been read. */
  eof: boolean;
  /** When the log cannot be read (agent gone, sandbox removed): why. */
  unavailable?: string;
}

export interface GraphNode {
  name: string;
  kind: 'scheduled' | 'dependent';
  status: JobStatus;
  state: JobStateInfo['state'];
  /** A retry attempt is queued or running. */
  retry?: RetryInfo | null;
  disabled: boolean;
}

export interface GraphData {
  nodes: GraphNode[];
  edges: Array<{ source: string; target: string }>;
  /**
   * Only on the whole graph (no focus) when it has more jobs than `maxNodes`: the answer then holds
   * whole pipelines (jobs connected by dependencies), largest first, and jobs without dependencies
   * as room remains; this counts what was left out (`pipelines` of two or more jobs, `standalone`
   * jobs without any dependency; `jobs` in all). Each is shown by focusing on one of its jobs.
   */
  omitted?: { jobs: number; pipelines: number; standalone: number; maxNodes: number };
  /** Where to draw each node, laid out on the server (ELK layered); absent: lay it out in the browser. */
  layout?: GraphLayout;
}

/** Top-left corner of each node ([x, y] by job name) and the drawing's size, px; ms: ELK's time. */
export interface GraphLayout {
  positions: Record<string, [number, number]>;
  width: number;
  height: number;
  ms: number;
}

export interface QueuedRunInfo {
  run: RunRow;
  /** Why it is waiting: no offer fits cpus/mem/disk, a constraint fails, a non-concurrent run is still going, framework disconnected, … */
  reason: string;
  /** A retry not yet due: when it is (the reason then says "retry due at …"; pages show it in their time format). */
  retryAt?: number;
}

export interface FrameworkHealth {
  configured: boolean;
  connected: boolean;
  frameworkId: string | null;
  master: string | null;
  lastEventAt: number | null;
  lastOfferAt: number | null;
  suppressed: boolean;
  counters: Record<string, number>;
  /** Latest watchdog and connection events, newest first. */
  recent: Array<{ at: number; kind: string; detail: string }>;
}

export interface Dashboard {
  counts: {
    jobs: number;
    success: number;
    failure: number;
    fresh: number;
    /** Jobs whose last attempt failed and that are trying again (not counted as failure until the attempts are used up). */
    retrying: number;
    idle: number;
    queued: number;
    running: number;
    disabled: number;
  };
  running: RunRow[];
  queued: QueuedRunInfo[];
  recentFailures: RunRow[];
  framework: FrameworkHealth;
  leader: InstanceInfo;
  utilization: { cpus: { used: number; total: number }; mem: { used: number; total: number } } | null;
}

export interface AgentInfo {
  id: string;
  hostname: string;
  active: boolean;
  resources: { cpus: number; mem: number; disk: number };
  used: { cpus: number; mem: number; disk: number };
  attributes: Record<string, string | number>;
}

export interface ClusterState {
  master: string | null;
  reachable: boolean;
  error?: string;
  agents: AgentInfo[];
  frameworks: Array<{ id: string; name: string; active: boolean; tasks: number; resources: { cpus: number; mem: number } }>;
  /** The framework id this instance's scheduler is registered with (null when it runs none): the page marks it. */
  ownFrameworkId: string | null;
  offers: { received: number; used: number; declined: number };
  /** Utilization samples kept by this instance (one a minute or so), oldest first. */
  history: Array<{ at: number; cpusUsed: number; cpusTotal: number; memUsed: number; memTotal: number }>;
  instances: InstanceInfo;
}

export interface InstanceInfo {
  /** host:port of the instance that answered. */
  self: string;
  /** host:port of the leader, or null while unknown. */
  leader: string | null;
  isLeader: boolean;
  /** Other known instances (from ZooKeeper), when HA is configured. */
  members: string[];
}

export type UiEvent =
  | { type: 'run'; run: RunRow; previous: RunState | null }
  | { type: 'queue'; high: number; normal: number; delayed: number }
  | { type: 'offers'; received: number; used: number; declined: number; launched: number }
  | { type: 'framework'; kind: string; detail?: string }
  | { type: 'leader'; leader: string | null; isLeader: boolean }
  | { type: 'job'; name: string; change: string }
  | { type: 'error'; where: string; message: string };

/**
 * One step of a run's state timeline (scheduler/api/run-steps.ts): QUEUED, WAITING, OFFERED,
 * LAUNCHED, a Mesos status update (TASK_…) or the run's end; `at` null: not yet / not known.
 * A status update carries its Mesos reason, source and agent.
 */
export interface RunStep {
  state: string;
  at: number | null;
  detail: string;
  reason?: string | null;
  source?: string | null;
  agentId?: string | null;
}

/** GET /api/runs/{taskId}: every attempt of that job's due instant, first attempt first. */
export interface RunDetail {
  /** The run asked for. */
  taskId: string;
  attempts: Array<{ run: RunRow; waiting: string | null; steps: RunStep[] }>;
  /** The job as it is now (it may have been deleted since). `downstream`: how many jobs depend on it, transitively. */
  job: { exists: boolean; disabled: boolean; parents: string[]; children: string[]; downstream: number };
}

/** GET /api/rerun?task=…: what "rerun failed and downstream" would run; nothing changes. */
export interface RerunPlanView {
  /**
   * Rerun now, each as a new attempt at the due time of the attempt it reruns, for the instant that
   * one is for (`intendedDue` when not `due`: a downstream run's night).
   */
  rerun: Array<{ jobName: string; due: number; intendedDue?: number; attempt: number; failed: boolean; fromTaskId: string }>;
  /** Run by the dependency rule as their rerun parents succeed, parents first. */
  downstream: string[];
  /** Disabled: will not run. */
  disabled: string[];
  /** Named but not rerun, and why (still active, deleted). */
  notRerun: Array<{ jobName: string; why: string }>;
}

/** POST /api/rerun {taskIds}: the plan carried out. */
export interface RerunResult {
  plan: RerunPlanView;
  /** Task ids queued. */
  queued: string[];
  failed: Array<{ jobName: string; error: string }>;
}

/** One cell of the pipeline grid: the job's latest run in that column's span. */
export interface GridCell {
  taskId: string;
  state: RunState;
  due: number;
  attempt: number;
  /** Runs of the job in that span (attempts and reruns). */
  attempts: number;
}

/** GET /api/grid?job|prefix|owner&n: jobs × the last n scheduled instants. */
export interface PipelineGrid {
  group: { by: 'pipeline' | 'prefix' | 'owner'; value: string };
  /** Column instants, oldest first. */
  columns: number[];
  /** Rows, parents before children. */
  jobs: Array<{ name: string; kind: 'scheduled' | 'dependent'; disabled: boolean; parents: string[] }>;
  /** cells[row][column]; null: no run in that span. */
  cells: Array<Array<GridCell | null>>;
  /** Jobs of the group beyond the row limit. */
  omittedJobs: number;
  /** The largest pipelines, for the picker (`job`: its first job by name). */
  pipelines: Array<{ job: string; size: number }>;
}
