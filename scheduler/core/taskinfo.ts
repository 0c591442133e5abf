/**
 * Builds the Mesos v1 TaskInfo for one run, as plain JSON in the Mesos v1 JSON shape (snake_case
 * field names, enum values as their names; shared/reference/mesos.md §2). The adapter sends it as
 * JSON or converts it to protobuf. Behaviour follows Chronos (shared/reference/chronos.md §2, §5):
 *
 * - name `ChronosTask:<job>`; task_id is the given task id; resources are the matcher's cut
 *   resources (each one's `raw` verbatim when present).
 * - Environment: the job's variables first, then Chronos's own, which a job cannot override (a job
 *   variable with a reserved name is left out): mesos_task_id, MESOS_TASK_ID, CHRONOS_JOB_OWNER,
 *   CHRONOS_JOB_NAME, HOST, CHRONOS_RESOURCE_MEM/CPU/DISK (Java doubles, "128.0"),
 *   CHRONOS_JOB_RUN_TIME (due ms) and CHRONOS_JOB_RUN_ATTEMPT; then Sisyphus's SISYPHUS_DUE,
 *   SISYPHUS_ATTEMPT and SISYPHUS_TRIGGER (core/run-env.ts).
 * - Command: shell jobs run `command` with the run's argument string appended after a space (a
 *   Chronos quirk); shell=false jobs exec `command` with `arguments` = the job's argv verbatim
 *   (Mesos passes it as the whole argv, argv[0] included, exactly as Chronos sends it).
 *   With no executor, a command starting with `http` or `ftp` is fetched as an executable URI and
 *   run as `./<basename>`. fetch (then the deprecated uris) become command.uris; runAsUser → user.
 * - Custom executor (job.executor non-empty): TaskInfo carries `executor` instead of `command`:
 *   executor_id = job name, command = the executor path with the same environment, uris and user;
 *   the container, if any, goes on the executor; TaskInfo.data = base64(taskInfoData, or
 *   `executorFlags|command` when taskInfoData is empty).
 * - Container: DOCKER (docker{image, network, port_mappings, parameters, force_pull_image}) or MESOS
 *   (mesos{image{type DOCKER, docker{name}}}); volumes with mode (RW default); network USER adds
 *   network_infos (by name). Port mappings are the job's networkInfos' portMappings.
 * - max_completion_time{nanoseconds} when maxCompletionTime (seconds) > 0.
 */
import { formatJavaDouble } from './constraints';
import { SISYPHUS_ENV_NAMES, sisyphusEnv } from './run-env';
import type { Container, Instant, Job, KeyValue, NetworkInfo, OfferResource, PortMapping, RunTrigger, Volume } from './types';

/* ---------- the JSON shapes (Mesos v1, snake_case) ---------- */

export interface ValueJson {
  value: string;
}

export interface ResourceJson {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: { value: number };
  ranges?: { range: Array<{ begin: number; end: number }> };
  set?: { item: string[] };
  role: string;
}

export interface UriJson {
  value: string;
  executable: boolean;
  extract: boolean;
  cache: boolean;
  output_file?: string;
}

export interface CommandInfoJson {
  value: string;
  shell: boolean;
  arguments?: string[];
  uris?: UriJson[];
  environment: { variables: Array<{ name: string; value: string }> };
  user?: string;
}

export interface LabelsJson {
  labels: Array<{ key: string; value: string }>;
}

export interface PortMappingJson {
  host_port: number;
  container_port: number;
  protocol: string;
}

export interface NetworkInfoJson {
  name?: string;
  ip_addresses?: Array<{ protocol: 'IPv4' | 'IPv6' }>;
  labels?: LabelsJson;
  port_mappings?: PortMappingJson[];
}

export interface VolumeJson {
  container_path: string;
  host_path?: string;
  mode: 'RW' | 'RO';
  source?: {
    type: 'DOCKER_VOLUME';
    docker_volume: { driver: string; name: string; driver_options?: { parameter: KeyValue[] } };
  };
}

export interface ContainerInfoJson {
  type: 'DOCKER' | 'MESOS';
  docker?: {
    image: string;
    network: 'HOST' | 'BRIDGE' | 'USER';
    port_mappings?: PortMappingJson[];
    parameters?: KeyValue[];
    force_pull_image: boolean;
  };
  mesos?: { image: { type: 'DOCKER'; docker: { name: string }; cached?: boolean } };
  volumes?: VolumeJson[];
  network_infos?: NetworkInfoJson[];
}

export interface ExecutorInfoJson {
  executor_id: ValueJson;
  command: CommandInfoJson;
  container?: ContainerInfoJson;
}

export interface TaskInfoJson {
  name: string;
  task_id: ValueJson;
  agent_id: ValueJson;
  resources: unknown[];
  command?: CommandInfoJson;
  executor?: ExecutorInfoJson;
  container?: ContainerInfoJson;
  /** base64 */
  data?: string;
  max_completion_time?: { nanoseconds: number };
}

export interface BuildTaskInfoArgs {
  job: Job;
  taskId: string;
  agentId: string;
  /** The resources the matcher cut for this task. */
  resources: readonly OfferResource[];
  due: Instant;
  attempt: number;
  /** The run's argument string (the `<args>` of the task id); appended to shell commands. */
  arguments: string;
  /** The agent's hostname: the HOST variable. */
  hostname: string;
  /** Why the run exists (SISYPHUS_TRIGGER); without it the SISYPHUS_* variables are left out. */
  trigger?: RunTrigger;
  /** The instant the run is for (SISYPHUS_DUE); default `due`. */
  intended?: Instant | null;
}

/** Names Chronos sets itself; a job's environmentVariables cannot override them. */
export const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  'mesos_task_id',
  'MESOS_TASK_ID',
  'CHRONOS_JOB_OWNER',
  'CHRONOS_JOB_NAME',
  'HOST',
  'CHRONOS_RESOURCE_MEM',
  'CHRONOS_RESOURCE_CPU',
  'CHRONOS_RESOURCE_DISK',
  'CHRONOS_JOB_RUN_TIME',
  'CHRONOS_JOB_RUN_ATTEMPT',
  ...SISYPHUS_ENV_NAMES,
]);

/* ---------- building blocks ---------- */

export function resourceJson(r: OfferResource): unknown {
  if (r.raw !== undefined) return r.raw;
  const out: ResourceJson = { name: r.name, type: r.type, role: r.role };
  if (r.type === 'SCALAR') out.scalar = { value: r.scalar ?? 0 };
  else if (r.type === 'RANGES') out.ranges = { range: (r.ranges ?? []).map(({ begin, end }) => ({ begin, end })) };
  else out.set = { item: [...(r.set ?? [])] };
  return out;
}

function environment(args: BuildTaskInfoArgs): CommandInfoJson['environment'] {
  const { job, taskId, due, attempt, hostname } = args;
  const own: Array<[string, string]> = [
    ['mesos_task_id', taskId],
    ['MESOS_TASK_ID', taskId],
    ['CHRONOS_JOB_OWNER', job.owner],
    ['CHRONOS_JOB_NAME', job.name],
    ['HOST', hostname],
    ['CHRONOS_RESOURCE_MEM', formatJavaDouble(job.mem)],
    ['CHRONOS_RESOURCE_CPU', formatJavaDouble(job.cpus)],
    ['CHRONOS_RESOURCE_DISK', formatJavaDouble(job.disk)],
    ['CHRONOS_JOB_RUN_TIME', String(due)],
    ['CHRONOS_JOB_RUN_ATTEMPT', String(attempt)],
  ];
  if (args.trigger) own.push(...sisyphusEnv({ intended: args.intended ?? due, attempt, trigger: args.trigger }));
  return {
    variables: [
      ...job.environmentVariables
        .filter((v) => !RESERVED_ENV_NAMES.has(v.name))
        .map(({ name, value }) => ({ name, value })),
      ...own.map(([name, value]) => ({ name, value })),
    ],
  };
}

function uris(job: Job): UriJson[] {
  const out: UriJson[] = job.fetch.map((f) => {
    const u: UriJson = { value: f.uri, executable: f.executable, extract: f.extract, cache: f.cache };
    if (f.output_file !== undefined && f.output_file !== '') u.output_file = f.output_file;
    return u;
  });
  for (const uri of job.uris) out.push({ value: uri, executable: false, extract: true, cache: false });
  return out;
}

/** Whether a command is a URL Chronos fetches and runs (only without a custom executor). */
export function isFetchedCommand(command: string): boolean {
  return command.startsWith('http') || command.startsWith('ftp');
}

/** The file name the Mesos fetcher gives a URL: the last path segment, query and fragment cut. */
export function urlBasename(url: string): string {
  const path = url.split(/[?#]/, 1)[0];
  return path.slice(path.lastIndexOf('/') + 1);
}

function withUrisAndUser(cmd: CommandInfoJson, list: UriJson[], user: string): CommandInfoJson {
  if (list.length > 0) cmd.uris = list;
  if (user !== '') cmd.user = user;
  return cmd;
}

function taskCommand(args: BuildTaskInfoArgs): CommandInfoJson {
  const { job } = args;
  const list = uris(job);
  let command = job.command;
  if (isFetchedCommand(command)) {
    list.unshift({ value: command, executable: true, extract: false, cache: false });
    command = `./${urlBasename(command)}`;
  }
  const cmd: CommandInfoJson = job.shell
    ? {
        value: args.arguments !== '' ? `${command} ${args.arguments}` : command,
        shell: true,
        environment: environment(args),
      }
    : { value: command, shell: false, arguments: [...job.arguments], environment: environment(args) };
  return withUrisAndUser(cmd, list, job.runAsUser);
}

function portMappingJson(p: PortMapping): PortMappingJson {
  return { host_port: p.hostPort, container_port: p.containerPort, protocol: p.protocol ?? 'tcp' };
}

function networkInfoJson(n: NetworkInfo, fallbackName: string | undefined, withPorts: boolean): NetworkInfoJson {
  const out: NetworkInfoJson = {};
  const name = n.name ?? fallbackName;
  if (name !== undefined && name !== '') out.name = name;
  if (n.protocol !== undefined) out.ip_addresses = [{ protocol: n.protocol }];
  if (n.labels !== undefined && n.labels.length > 0) {
    out.labels = { labels: n.labels.map(({ key, value }) => ({ key, value })) };
  }
  if (withPorts && n.portMappings !== undefined && n.portMappings.length > 0) {
    out.port_mappings = n.portMappings.map(portMappingJson);
  }
  return out;
}

function volumeJson(v: Volume): VolumeJson {
  const out: VolumeJson = { container_path: v.containerPath, mode: v.mode ?? 'RW' };
  if (v.hostPath !== undefined && v.hostPath !== '') out.host_path = v.hostPath;
  if (v.external !== undefined) {
    // A Docker volume driver: `dvdi/driver` in the options names it (the Marathon/Chronos
    // convention), else the provider; the other options go to the driver.
    const driverOpt = v.external.options.find((o) => o.key === 'dvdi/driver');
    const rest = v.external.options.filter((o) => o.key !== 'dvdi/driver');
    out.source = {
      type: 'DOCKER_VOLUME',
      docker_volume: { driver: driverOpt?.value ?? v.external.provider, name: v.external.name },
    };
    if (rest.length > 0) {
      out.source.docker_volume.driver_options = { parameter: rest.map(({ key, value }) => ({ key, value })) };
    }
  }
  return out;
}

export function containerJson(c: Container): ContainerInfoJson {
  const ports = c.networkInfos.flatMap((n) => n.portMappings ?? []).map(portMappingJson);
  const out: ContainerInfoJson = { type: c.type };
  if (c.type === 'DOCKER') {
    out.docker = { image: c.image, network: c.network, force_pull_image: c.forcePullImage };
    if (c.network !== 'HOST' && ports.length > 0) out.docker.port_mappings = ports;
    if (c.parameters.length > 0) out.docker.parameters = c.parameters.map(({ key, value }) => ({ key, value }));
  } else {
    out.mesos = { image: { type: 'DOCKER', docker: { name: c.image } } };
    if (c.forcePullImage) out.mesos.image.cached = false;
  }
  if (c.volumes.length > 0) out.volumes = c.volumes.map(volumeJson);
  if (c.network === 'USER') {
    // Docker takes its port mappings in DockerInfo; the Mesos containerizer in NetworkInfo.
    const withPorts = c.type === 'MESOS';
    out.network_infos =
      c.networkInfos.length > 0
        ? c.networkInfos.map((n) => networkInfoJson(n, c.networkName, withPorts))
        : [networkInfoJson({}, c.networkName, withPorts)];
  }
  return out;
}

function base64Utf8(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** What a custom executor receives as TaskInfo.data (before base64). */
export function executorData(job: Job): string {
  return job.taskInfoData !== '' ? job.taskInfoData : `${job.executorFlags}|${job.command}`;
}

/* ---------- the TaskInfo ---------- */

export function buildTaskInfo(args: BuildTaskInfoArgs): TaskInfoJson {
  const { job } = args;
  const info: TaskInfoJson = {
    name: `ChronosTask:${job.name}`,
    task_id: { value: args.taskId },
    agent_id: { value: args.agentId },
    resources: args.resources.map(resourceJson),
  };
  if (job.executor !== '') {
    const command = withUrisAndUser(
      { value: job.executor, shell: true, environment: environment(args) },
      uris(job),
      job.runAsUser,
    );
    info.executor = { executor_id: { value: job.name }, command };
    if (job.container !== undefined) info.executor.container = containerJson(job.container);
    info.data = base64Utf8(executorData(job));
  } else {
    info.command = taskCommand(args);
    if (job.container !== undefined) info.container = containerJson(job.container);
  }
  if (job.maxCompletionTime > 0) {
    info.max_completion_time = { nanoseconds: Math.round(job.maxCompletionTime * 1e9) };
  }
  return info;
}
