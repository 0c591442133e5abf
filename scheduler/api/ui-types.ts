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
 *   GET  /api/graph?focus=name&layout=1      → GraphData        (focus: only that job's ancestors and descendants;
 *                                                                    none: all jobs up to 1,000, then largest pipelines first;
 *                                                                    layout=1: with node positions laid out on the server)
 *   GET  /api/cluster                        → ClusterState
 *   GET  /api/instance                       → InstanceInfo     (which instance answered, who leads)
 *   GET  /api/events                         → text/event-stream of UiEvent (one `data:` JSON line each)
 *
 * Errors: `{ "error": string, "field"?: string }` with 400 / 404 / 503.
 */
import type { RunState, RunTrigger } from '../core/types';

export type JobStatus = 'success' | 'failure' | 'fresh';
/** idle | queued | running (with a count). */
export interface JobStateInfo {
  state: 'idle' | 'queued' | 'running';
  running: number;
  queued: number;
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
];

export interface PreviewRun {
  at: number;
  isoUtc: string;
  /** ISO in the job's zone. */
  local: string;
  flags: Array<'dst-gap' | 'dst-repeat' | 'overdue'>;
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
  /** Duration percentiles of finished runs, ms. */
  stats: { count: number; p50: number | null; p95: number | null; p99: number | null; mean: number | null };
  /** The current or last run, if any. */
  currentRun: RunRow | null;
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
