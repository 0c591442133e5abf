/**
 * Plain values shared by the whole scheduler. No I/O, no clock, no library types.
 * The Chronos job JSON (shared/reference/chronos.md §2) is parsed by the zod schema in
 * scheduler/api/job-schema.ts into `Job`; everything downstream works on these values.
 */

import type { JobNotifications } from './notify-route';
import type { ConcurrencyPolicy } from './overlap-policy';
import type { CatchUpPolicy } from './catch-up';
import type { JobPause } from './pause';

/** A parser or validator answer: a value, or a reason a user can read. Never null. */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E = string>(error: E): Result<never, E> => ({ ok: false, error });

/** Milliseconds since the epoch (UTC). Every instant in the core is one of these. */
export type Instant = number;

export interface FetchUri {
  uri: string;
  output_file?: string;
  executable: boolean;
  cache: boolean;
  extract: boolean;
}

export interface EnvVar {
  name: string;
  value: string;
}

export type ConstraintOperator = 'EQUALS' | 'LIKE' | 'UNLIKE';
/** [attribute, operator, value] as in the Chronos JSON. */
export type Constraint = [string, ConstraintOperator, string];

export interface KeyValue {
  key: string;
  value: string;
}

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol?: string;
}

export interface NetworkInfo {
  name?: string;
  protocol?: 'IPv4' | 'IPv6';
  labels?: KeyValue[];
  portMappings?: PortMapping[];
}

export interface Volume {
  containerPath: string;
  hostPath?: string;
  mode?: 'RW' | 'RO';
  external?: { name: string; provider: string; options: KeyValue[] };
}

export interface Container {
  type: 'DOCKER' | 'MESOS';
  image: string;
  network: 'HOST' | 'BRIDGE' | 'USER';
  networkName?: string;
  networkInfos: NetworkInfo[];
  volumes: Volume[];
  forcePullImage: boolean;
  parameters: KeyValue[];
}

/** A Chronos job, defaults applied. Exactly one of `schedule` or `parents` is set. */
export interface Job {
  name: string;
  command: string;
  shell: boolean;
  executor: string;
  executorFlags: string;
  taskInfoData: string;
  retries: number;
  owner: string;
  ownerName: string;
  description: string;
  successCount: number;
  errorCount: number;
  /** ISO UTC, e.g. 2014-03-08T16:57:17.507Z, or "" when never. */
  lastSuccess: string;
  lastError: string;
  cpus: number;
  disk: number;
  mem: number;
  disabled: boolean;
  softError: boolean;
  dataProcessingJobType: boolean;
  errorsSinceLastSuccess: number;
  fetch: FetchUri[];
  uris: string[];
  environmentVariables: EnvVar[];
  arguments: string[];
  highPriority: boolean;
  runAsUser: string;
  concurrent: boolean;
  maxCompletionTime: number;
  container?: Container;
  constraints: Constraint[];
  /** Set for a dependency job (non-empty). */
  parents?: string[];
  /** Set for a scheduled job: ISO8601 `R[n]/start/period`, or a 5-field cron expression. */
  schedule?: string;
  scheduleTimeZone?: string;
  /** Chronos 2.x: ISO8601 duration; a run later than this after its due instant is skipped. */
  epsilon?: string;
  /** Chronos 2.x: the task reports completion through PUT /scheduler/task/{id}. */
  async?: boolean;
  /** Sisyphus: which events go to which channels (absent: Chronos's events to every channel). */
  notifications?: JobNotifications;
  /** Sisyphus: Forbid or Replace (Allow and Queue are `concurrent` true and false; core/overlap-policy.ts). */
  concurrencyPolicy?: ConcurrencyPolicy;
  /** Sisyphus: ISO 8601 duration, at most PT1H: launches spread over it (core/jitter.ts). */
  jitter?: string;
  /** Sisyphus: what runs after downtime (absent: `latest`, Chronos's one run); core/catch-up.ts. */
  catchUp?: CatchUpPolicy;
  /** Sisyphus: ISO 8601 duration, how far back `catchUp: all` goes (absent: P1D). */
  catchUpWindow?: string;
  /** Sisyphus: paused until an instant, with a note (core/pause.ts); set only by pause/resume. */
  pause?: JobPause;
}

/** Lifecycle of one run (one attempt of one job at one due instant). */
export type RunState =
  | 'QUEUED'
  | 'STAGING'
  | 'STARTING'
  | 'RUNNING'
  | 'KILLING'
  | 'FINISHED'
  | 'FAILED'
  | 'KILLED'
  | 'LOST'
  | 'ERROR'
  | 'DROPPED'
  | 'SKIPPED';

export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set<RunState>([
  'FINISHED',
  'FAILED',
  'KILLED',
  'LOST',
  'ERROR',
  'DROPPED',
  'SKIPPED',
]);

export const isTerminal = (s: RunState): boolean => TERMINAL_RUN_STATES.has(s);

/** Why a run exists. */
export type RunTrigger = 'schedule' | 'manual' | 'dependency' | 'retry' | 'immediate' | 'backfill';

/** One attempt of a job, as stored. Times are Instants or null. */
export interface Run {
  id: string;
  jobName: string;
  /** Due instant in ms: the `<due>` of the task id. */
  due: Instant;
  attempt: number;
  /** Chronos task id `ct:<due>:<attempt>:<job>:<args>`. */
  taskId: string;
  arguments: string;
  trigger: RunTrigger;
  highPriority: boolean;
  state: RunState;
  queuedAt: Instant;
  launchedAt: Instant | null;
  startedAt: Instant | null;
  finishedAt: Instant | null;
  agentId: string | null;
  host: string | null;
  message: string | null;
  /** Mesos TaskStatus.reason name, e.g. REASON_COMMAND_EXECUTOR_FAILED. */
  reason: string | null;
  /** Chronos dataProcessingJobType progress counter. */
  elementsProcessed: number;
  /**
   * The instant the run is for, when it differs from `due`: a retry's is the failed run's
   * (SISYPHUS_DUE); absent or null means `due`.
   */
  intendedDue?: Instant | null;
  /** The version of its job the run was created with (job history); null or absent: unknown. */
  jobVersion?: number | null;
}

/* ---------- Mesos offers as plain values (the adapter converts protobuf to these) ---------- */

export interface Range {
  begin: number;
  end: number;
}

export interface OfferResource {
  name: string; // cpus, mem, disk, ports, gpus, ...
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: number;
  ranges?: Range[];
  set?: string[];
  /** The role the resource is allocated to ("*" when unreserved). */
  role: string;
  /** True when the resource carries a reservation (static or dynamic). */
  reserved: boolean;
  /** Opaque protobuf-shaped JSON of the original resource, copied verbatim into TaskInfo. */
  raw?: unknown;
}

export interface Attribute {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: number;
  ranges?: Range[];
  set?: string[];
  text?: string;
}

export interface Offer {
  id: string;
  agentId: string;
  hostname: string;
  resources: OfferResource[];
  attributes: Attribute[];
  /** Offer.allocation_info.role, when the master is multi-role. */
  allocationRole?: string;
}

/** Scalar resource demand of one task. */
export interface Demand {
  cpus: number;
  mem: number;
  disk: number;
}
