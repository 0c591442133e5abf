/**
 * Job → Chronos JSON, byte for byte (shared/reference/chronos.md §2 "Serialized key order"):
 * compact, Chronos's key order, cpus/disk/mem written as Java doubles (`128.0`, `0.1`), container
 * only when set with its port numbers as strings, `output_file` only when non-empty,
 * `parents` for a dependency job or `schedule` + `scheduleTimeZone` for a scheduled one.
 *
 * Beyond Chronos 3.x: the 2.x fields `epsilon` and `async` are written last, and only when the job
 * has them (3.x drops them; keeping them lets a 2.x client read back what it wrote). Sisyphus's own
 * fields (notifications, concurrencyPolicy, jitter) follow, each only when set away from its default.
 */
import type { Container, FetchUri, Job } from '../core/types';
import { lastState, type LastState } from '../core/last-state';
import { catchUpPauseJson } from './catch-up-pause-fields';

/* ------------------------------------------------------------------ a tiny JSON writer */

/** A number that must be written as a Java double (`128.0`). */
export class JsonDouble {
  constructor(readonly value: number) {}
}

export type JsonTree =
  | string
  | number
  | boolean
  | null
  | JsonDouble
  | JsonTree[]
  | { [key: string]: JsonTree };

/** Java `Double.toString`: `128.0`, `0.1`, `2.5`, `1.0E7`, `1.0E-4`. */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return '"NaN"';
  if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.replace('+', '')}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** A character `jsonString` must escape. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A JSON string literal as Jackson writes it (control characters as `\u00XX`, upper-case hex). */
export function jsonString(s: string): string {
  // Nearly every string of a job has nothing to escape: copied whole (GET /jobs writes millions).
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    if (short) out += short;
    else if (ch < ' ') out += `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Compact JSON of a tree; `JsonDouble`s are written as Java doubles. Scalars are tested first:
 * most of what the direct writer below hands here is a string, a number or a boolean. */
export function writeJson(v: JsonTree): string {
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
  }
  if (v === null) return 'null';
  if (v instanceof JsonDouble) return formatDouble(v.value);
  if (Array.isArray(v)) return `[${v.map(writeJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) parts.push(`${jsonString(k)}:${writeJson(x)}`);
  return `{${parts.join(',')}}`;
}

/** The same tree with `JsonDouble`s as plain numbers. */
const unwrap = (v: JsonTree): unknown => {
  if (v instanceof JsonDouble) return v.value;
  if (Array.isArray(v)) return v.map(unwrap);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = unwrap(x);
    return o;
  }
  return v;
};

/* ------------------------------------------------------------------ the job */

const fetchTree = (f: FetchUri): JsonTree => {
  const o: { [k: string]: JsonTree } = { uri: f.uri };
  if (f.output_file) o.output_file = f.output_file;
  o.executable = f.executable;
  o.cache = f.cache;
  o.extract = f.extract;
  return o;
};

const keyValues = (kvs: ReadonlyArray<{ key: string; value: string }>): JsonTree =>
  kvs.map((kv) => ({ key: kv.key, value: kv.value }));

/** Container key order: type, image, network, networkName?, networkInfos, volumes, forcePullImage, parameters. */
const containerTree = (c: Container): JsonTree => {
  const o: { [k: string]: JsonTree } = { type: c.type, image: c.image, network: c.network };
  if (c.networkName !== undefined) o.networkName = c.networkName;
  o.networkInfos = c.networkInfos.map((n) => {
    const ni: { [k: string]: JsonTree } = {};
    if (n.name !== undefined) ni.name = n.name;
    if (n.protocol !== undefined) ni.protocol = n.protocol;
    ni.labels = keyValues(n.labels ?? []);
    ni.portMappings = (n.portMappings ?? []).map((p) => {
      const pm: { [k: string]: JsonTree } = {
        hostPort: String(p.hostPort),
        containerPort: String(p.containerPort),
      };
      if (p.protocol !== undefined) pm.protocol = p.protocol;
      return pm;
    });
    return ni;
  });
  o.volumes = c.volumes.map((v) => {
    const vo: { [k: string]: JsonTree } = { containerPath: v.containerPath };
    if (v.hostPath !== undefined) vo.hostPath = v.hostPath;
    if (v.mode !== undefined) vo.mode = v.mode;
    if (v.external !== undefined) {
      vo.external = {
        name: v.external.name,
        provider: v.external.provider,
        options: keyValues(v.external.options),
      };
    }
    return vo;
  });
  o.forcePullImage = c.forcePullImage;
  o.parameters = keyValues(c.parameters);
  return o;
};

/** A dependency job is one with `parents`; anything else is a scheduled job. */
export const isDependencyJob = (job: Job): boolean => job.parents !== undefined;

/** A job's fields Chronos writes before the three doubles (cpus, disk, mem), in its key order. */
function headFields(job: Job) {
  return {
    name: job.name,
    command: job.command,
    shell: job.shell,
    executor: job.executor,
    executorFlags: job.executorFlags,
    taskInfoData: job.taskInfoData,
    retries: job.retries,
    owner: job.owner,
    ownerName: job.ownerName,
    description: job.description,
    successCount: job.successCount,
    errorCount: job.errorCount,
    lastSuccess: job.lastSuccess,
    lastError: job.lastError,
  };
}

function jobTree(job: Job): { [k: string]: JsonTree } {
  const o: { [k: string]: JsonTree } = {
    ...headFields(job),
    cpus: new JsonDouble(job.cpus),
    disk: new JsonDouble(job.disk),
    mem: new JsonDouble(job.mem),
    disabled: job.disabled,
    softError: job.softError,
    dataProcessingJobType: job.dataProcessingJobType,
    errorsSinceLastSuccess: job.errorsSinceLastSuccess,
    fetch: job.fetch.map(fetchTree),
    uris: [...job.uris],
    environmentVariables: job.environmentVariables.map((e) => ({ name: e.name, value: e.value })),
    arguments: [...job.arguments],
    highPriority: job.highPriority,
    runAsUser: job.runAsUser,
    concurrent: job.concurrent,
    maxCompletionTime: job.maxCompletionTime,
  };
  if (job.container) o.container = containerTree(job.container);
  o.constraints = job.constraints.map((c) => [c[0], c[1], c[2]]);
  if (isDependencyJob(job)) {
    o.parents = [...(job.parents ?? [])];
  } else {
    o.schedule = job.schedule ?? '';
    o.scheduleTimeZone = job.scheduleTimeZone ?? '';
  }
  if (job.epsilon !== undefined) o.epsilon = job.epsilon;
  if (job.async !== undefined) o.async = job.async;
  if (job.notifications !== undefined) o.notifications = JSON.parse(JSON.stringify(job.notifications)) as JsonTree;
  if (job.concurrencyPolicy !== undefined) o.concurrencyPolicy = job.concurrencyPolicy;
  if (job.jitter !== undefined) o.jitter = job.jitter;
  Object.assign(o, catchUpPauseJson(job));
  return o;
}

/**
 * The Chronos JSON as a plain object in Chronos's key order. Numbers are plain numbers here
 * (`JSON.stringify` would print `128`); use `jobToChronosJson` for the exact text.
 */
export function jobToChronosObject(job: Job): Record<string, unknown> {
  return unwrap(jobTree(job)) as Record<string, unknown>;
}

/**
 * The exact Chronos JSON text of a job through the tree (`writeJson(jobTree(job))`): the reference
 * the direct writer below is tested against, byte for byte.
 */
export function jobToChronosJsonViaTree(job: Job): string {
  return writeJson(jobTree(job));
}

/* ---------- the direct writer: the same bytes as the tree, without building it (GET /jobs at 100k) */

/** A value the tree would hold as it is (string, number, boolean, null, or anything else). */
const val = (v: unknown): string => writeJson(v as JsonTree);

/** An array of values (`[...x]` in the tree). */
const vals = (xs: readonly unknown[]): string => {
  if (xs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < xs.length; i++) out += (i === 0 ? '' : ',') + val(xs[i]);
  return out + ']';
};

const fetchJson = (f: FetchUri): string =>
  `{"uri":${val(f.uri)}${f.output_file ? `,"output_file":${val(f.output_file)}` : ''},"executable":${val(f.executable)},"cache":${val(f.cache)},"extract":${val(f.extract)}}`;

function jobJsonWritten(job: Job, fetch: readonly FetchUri[], uris: readonly string[]): string {
  let out =
    `{"name":${val(job.name)},"command":${val(job.command)},"shell":${val(job.shell)}` +
    `,"executor":${val(job.executor)},"executorFlags":${val(job.executorFlags)}` +
    `,"taskInfoData":${val(job.taskInfoData)},"retries":${val(job.retries)}` +
    `,"owner":${val(job.owner)},"ownerName":${val(job.ownerName)},"description":${val(job.description)}` +
    `,"successCount":${val(job.successCount)},"errorCount":${val(job.errorCount)}` +
    `,"lastSuccess":${val(job.lastSuccess)},"lastError":${val(job.lastError)}` +
    `,"cpus":${formatDouble(job.cpus)},"disk":${formatDouble(job.disk)},"mem":${formatDouble(job.mem)}` +
    `,"disabled":${val(job.disabled)},"softError":${val(job.softError)}` +
    `,"dataProcessingJobType":${val(job.dataProcessingJobType)}` +
    `,"errorsSinceLastSuccess":${val(job.errorsSinceLastSuccess)},"fetch":`;
  if (fetch.length === 0) out += '[]';
  else {
    out += '[';
    for (let i = 0; i < fetch.length; i++) out += (i === 0 ? '' : ',') + fetchJson(fetch[i]);
    out += ']';
  }
  out += `,"uris":${vals(uris)},"environmentVariables":`;
  const env = job.environmentVariables;
  if (env.length === 0) out += '[]';
  else {
    out += '[';
    for (let i = 0; i < env.length; i++) out += `${i === 0 ? '' : ','}{"name":${val(env[i].name)},"value":${val(env[i].value)}}`;
    out += ']';
  }
  out +=
    `,"arguments":${vals(job.arguments)},"highPriority":${val(job.highPriority)}` +
    `,"runAsUser":${val(job.runAsUser)},"concurrent":${val(job.concurrent)}` +
    `,"maxCompletionTime":${val(job.maxCompletionTime)}`;
  if (job.container) out += `,"container":${writeJson(containerTree(job.container))}`;
  out += ',"constraints":';
  const cs = job.constraints;
  if (cs.length === 0) out += '[]';
  else {
    out += '[';
    for (let i = 0; i < cs.length; i++) out += `${i === 0 ? '' : ','}[${val(cs[i][0])},${val(cs[i][1])},${val(cs[i][2])}]`;
    out += ']';
  }
  if (isDependencyJob(job)) out += `,"parents":${vals(job.parents ?? [])}`;
  else out += `,"schedule":${val(job.schedule ?? '')},"scheduleTimeZone":${val(job.scheduleTimeZone ?? '')}`;
  if (job.epsilon !== undefined) out += `,"epsilon":${val(job.epsilon)}`;
  if (job.async !== undefined) out += `,"async":${val(job.async)}`;
  if (job.notifications !== undefined) out += `,"notifications":${JSON.stringify(job.notifications)}`;
  if (job.concurrencyPolicy !== undefined) out += `,"concurrencyPolicy":${val(job.concurrencyPolicy)}`;
  if (job.jitter !== undefined) out += `,"jitter":${val(job.jitter)}`;
  for (const [k, v] of Object.entries(catchUpPauseJson(job))) out += `,${val(k)}:${JSON.stringify(v)}`;
  return out + '}';
}

/**
 * The same text through the engine's JSON.stringify (several times faster, and no string trees to
 * flatten): the fields before and after the three doubles as two objects in Chronos's key order,
 * the doubles written between them as Java does. JSON.stringify and Jackson escape alike except
 * for control characters other than \b \t \n \f \r (`\u001f`, Jackson `\u001F`) and lone
 * surrogates (escaped by JSON.stringify, copied by Jackson): a text with any `\u` escape is
 * written by the field writer above instead.
 */
function jobJson(job: Job, fetch: readonly FetchUri[], uris: readonly string[]): string {
  const head = JSON.stringify(headFields(job));
  const rest: Record<string, unknown> = {
    disabled: job.disabled,
    softError: job.softError,
    dataProcessingJobType: job.dataProcessingJobType,
    errorsSinceLastSuccess: job.errorsSinceLastSuccess,
    fetch: fetch.map((f) =>
      f.output_file
        ? { uri: f.uri, output_file: f.output_file, executable: f.executable, cache: f.cache, extract: f.extract }
        : { uri: f.uri, executable: f.executable, cache: f.cache, extract: f.extract },
    ),
    uris,
    environmentVariables: job.environmentVariables.map((e) => ({ name: e.name, value: e.value })),
    arguments: job.arguments,
    highPriority: job.highPriority,
    runAsUser: job.runAsUser,
    concurrent: job.concurrent,
    maxCompletionTime: job.maxCompletionTime,
  };
  if (job.container) rest.container = containerTree(job.container);
  rest.constraints = job.constraints.map((c) => [c[0], c[1], c[2]]);
  if (isDependencyJob(job)) rest.parents = job.parents ?? [];
  else {
    rest.schedule = job.schedule ?? '';
    rest.scheduleTimeZone = job.scheduleTimeZone ?? '';
  }
  if (job.epsilon !== undefined) rest.epsilon = job.epsilon;
  if (job.async !== undefined) rest.async = job.async;
  if (job.notifications !== undefined) rest.notifications = job.notifications;
  if (job.concurrencyPolicy !== undefined) rest.concurrencyPolicy = job.concurrencyPolicy;
  if (job.jitter !== undefined) rest.jitter = job.jitter;
  Object.assign(rest, catchUpPauseJson(job));
  const tail = JSON.stringify(rest);
  if (head.includes('\\u') || tail.includes('\\u')) return jobJsonWritten(job, fetch, uris);
  return `${head.slice(0, -1)},"cpus":${formatDouble(job.cpus)},"disk":${formatDouble(job.disk)},"mem":${formatDouble(job.mem)},${tail.slice(1)}`;
}

/** The exact Chronos JSON text of a job. */
export function jobToChronosJson(job: Job): string {
  return jobJson(job, job.fetch, job.uris);
}

/** The exact Chronos JSON text of a list of jobs (`[job,job,...]`). */
export function jobsToChronosJson(jobs: readonly Job[]): string {
  return `[${jobs.map(jobToChronosJson).join(',')}]`;
}

/**
 * The exact text of `jobToChronosJson(jobsListView(job))`, the job as GET /jobs writes it, without
 * copying the job.
 */
export function jobListJson(job: Job): string {
  if (job.fetch.length === 0) {
    return jobJson(job, job.uris.map((uri) => ({ uri, executable: false, cache: false, extract: true })), job.uris);
  }
  return jobJson(job, job.fetch, job.fetch.map((f) => f.uri));
}

/* ------------------------------------------------------------------ views */

/**
 * The job as GET /jobs shows it (and only there): an empty `fetch` is filled from `uris`
 * (`{uri, executable:false, cache:false, extract:true}`), otherwise `uris` is filled from
 * `fetch[].uri`.
 */
export function jobsListView(job: Job): Job {
  if (job.fetch.length === 0) {
    return {
      ...job,
      fetch: job.uris.map((uri) => ({ uri, executable: false, cache: false, extract: true })),
    };
  }
  return { ...job, uris: job.fetch.map((f) => f.uri) };
}

/** `state` of /jobs/summary: idle, queued, running, or "N running". */
export type JobRunStateLabel = 'idle' | 'queued' | 'running' | `${number} running`;

export interface JobSummary {
  name: string;
  status: LastState;
  state: string;
  schedule: string;
  parents: string[];
  disabled: boolean;
}

/** One entry of GET /jobs/summary. */
export function jobSummary(job: Job, state: JobRunStateLabel | string): JobSummary {
  const dependency = isDependencyJob(job);
  return {
    name: job.name,
    status: lastState(job),
    state,
    schedule: dependency ? '' : (job.schedule ?? ''),
    parents: dependency ? [...(job.parents ?? [])] : [],
    disabled: job.disabled,
  };
}
