/**
 * The editor's form model: what the form holds (`FormState`, text as typed) and its conversion to
 * and from the Chronos job JSON. Plain code (no React), so it is tested on its own.
 *
 * `jsonFromForm` writes on top of a base JSON (the stored job, or the raw JSON last switched back
 * from), so the fields the form does not show (constraints, fetch, epsilon, runAsUser, …) survive.
 */
import { CONCURRENCY_POLICIES, effectivePolicy, type ConcurrencyPolicy } from '@/scheduler/core/overlap-policy';
import { newJobSchedule } from '../urls';
import { emptyNotify, notifyFromJson, notifyToJson, type NotifyForm } from './notify-model';

export interface KV {
  key: string;
  value: string;
}
export interface Volume {
  containerPath: string;
  hostPath: string;
  mode: string;
}
export interface PortMapping {
  hostPort: string;
  containerPort: string;
  protocol: string;
}
export interface FormState {
  name: string;
  command: string;
  shell: boolean;
  kind: JobKind;
  schedule: string;
  scheduleTimeZone: string;
  parents: string[];
  cpus: string;
  mem: string;
  disk: string;
  retries: string;
  owner: string;
  ownerName: string;
  description: string;
  /** What an instant does while a run is still going (Allow is Chronos's concurrent: true). */
  concurrencyPolicy: ConcurrencyPolicy;
  /** ISO 8601 duration (at most PT1H) over which launches spread; '' for none. */
  jitter: string;
  highPriority: boolean;
  disabled: boolean;
  softError: boolean;
  arguments: string[];
  env: KV[];
  useContainer: boolean;
  image: string;
  network: string;
  forcePullImage: boolean;
  parameters: KV[];
  volumes: Volume[];
  portMappings: PortMapping[];
  notify: NotifyForm;
  /** `latest` (default), `none` or `all`; and the window of `all` ("" = default P1D). */
  catchUp: string;
  catchUpWindow: string;
}

/** A scheduled job is saved with POST /v1/scheduler/iso8601, a dependent one with /dependency. */
export type JobKind = 'scheduled' | 'dependent';

export type Json = Record<string, unknown>;

/** Sets one field of the form. */
export type SetField = <K extends keyof FormState>(k: K, v: FormState[K]) => void;

/** A new job's form; its schedule starts at the hour after `now` (the server's clock while hydrating). */
export function emptyForm(now = Date.now()): FormState {
  return {
    name: '',
    command: '',
    shell: true,
    kind: 'scheduled',
    schedule: newJobSchedule(now),
    scheduleTimeZone: '',
    parents: [],
    cpus: '0.1',
    mem: '128',
    disk: '256',
    retries: '2',
    owner: '',
    ownerName: '',
    description: '',
    concurrencyPolicy: 'Queue',
    jitter: '',
    highPriority: false,
    disabled: false,
    softError: false,
    arguments: [],
    env: [],
    useContainer: false,
    image: '',
    network: 'HOST',
    forcePullImage: false,
    parameters: [],
    volumes: [],
    portMappings: [],
    notify: emptyNotify(),
    catchUp: 'latest',
    catchUpWindow: '',
  };
}

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);
const bool = (v: unknown, d = false): boolean => (typeof v === 'boolean' ? v : d);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function formFromJson(j: Json): FormState {
  const c = (j.container && typeof j.container === 'object' ? j.container : null) as Json | null;
  const nets = arr(c?.networkInfos) as Json[];
  const parents = arr(j.parents).map((p) => str(p));
  return {
    name: str(j.name),
    command: str(j.command),
    shell: bool(j.shell, true),
    kind: Array.isArray(j.parents) && j.schedule === undefined ? 'dependent' : parents.length > 0 && !j.schedule ? 'dependent' : 'scheduled',
    schedule: str(j.schedule),
    scheduleTimeZone: str(j.scheduleTimeZone),
    parents,
    cpus: str(j.cpus, '0.1'),
    mem: str(j.mem, '128'),
    disk: str(j.disk, '256'),
    retries: str(j.retries, '2'),
    owner: str(j.owner),
    ownerName: str(j.ownerName),
    description: str(j.description),
    concurrencyPolicy: effectivePolicy({
      concurrent: bool(j.concurrent),
      concurrencyPolicy: CONCURRENCY_POLICIES.find((p) => p === j.concurrencyPolicy),
    }),
    jitter: str(j.jitter),
    highPriority: bool(j.highPriority),
    disabled: bool(j.disabled),
    softError: bool(j.softError),
    arguments: arr(j.arguments).map((a) => str(a)),
    env: (arr(j.environmentVariables) as Json[]).map((e) => ({ key: str(e?.name), value: str(e?.value) })),
    useContainer: !!c && str(c.image).trim() !== '',
    image: str(c?.image),
    network: str(c?.network, 'HOST') || 'HOST',
    forcePullImage: bool(c?.forcePullImage),
    parameters: (arr(c?.parameters) as Json[]).map((p) => ({ key: str(p?.key), value: str(p?.value) })),
    volumes: (arr(c?.volumes) as Json[]).map((v) => ({ containerPath: str(v?.containerPath), hostPath: str(v?.hostPath), mode: str(v?.mode, 'RW') || 'RW' })),
    portMappings: nets.flatMap((n) => (arr(n?.portMappings) as Json[]).map((p) => ({ hostPort: str(p?.hostPort), containerPort: str(p?.containerPort), protocol: str(p?.protocol, 'tcp') || 'tcp' }))),
    notify: notifyFromJson(j.notifications),
    catchUp: str(j.catchUp, 'latest') || 'latest',
    catchUpWindow: str(j.catchUpWindow),
  };
}

/** A number when the text is numeric, the text itself otherwise (so the schema can name it), or absent. */
const num = (s: string): number | string | undefined => {
  const t = s.trim();
  if (t === '') return undefined;
  return Number.isFinite(Number(t)) ? Number(t) : t;
};

/** The Chronos JSON of the form, on top of `base` (the stored job, so hidden fields survive). */
export function jsonFromForm(f: FormState, base: Json = {}): Json {
  const out: Json = { ...base };
  delete out.schedule;
  delete out.parents;
  delete out.scheduleTimeZone;
  Object.assign(out, {
    name: f.name.trim(),
    command: f.command,
    shell: f.shell,
    owner: f.owner.trim(),
    ownerName: f.ownerName.trim(),
    description: f.description,
    concurrent: f.concurrencyPolicy === 'Allow',
    highPriority: f.highPriority,
    disabled: f.disabled,
    softError: f.softError,
    arguments: f.arguments.filter((a) => a !== ''),
    environmentVariables: f.env.filter((e) => e.key !== '' || e.value !== '').map((e) => ({ name: e.key, value: e.value })),
  });
  for (const k of ['cpus', 'mem', 'disk', 'retries'] as const) {
    const v = num(f[k]);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  if (f.kind === 'scheduled') {
    out.schedule = f.schedule.trim();
    if (f.scheduleTimeZone.trim()) out.scheduleTimeZone = f.scheduleTimeZone.trim();
  } else {
    out.parents = f.parents;
  }
  if (f.useContainer) {
    const baseC = (base.container && typeof base.container === 'object' ? base.container : {}) as Json;
    const baseNets = arr(baseC.networkInfos) as Json[];
    const mappings = f.portMappings
      .filter((p) => p.hostPort !== '' || p.containerPort !== '')
      .map((p) => ({ hostPort: num(p.hostPort) ?? '', containerPort: num(p.containerPort) ?? '', ...(p.protocol ? { protocol: p.protocol } : {}) }));
    const networkInfos = mappings.length
      ? [{ ...(baseNets[0] ?? {}), portMappings: mappings }, ...baseNets.slice(1)]
      : baseNets.map((n) => ({ ...n, portMappings: [] }));
    out.container = {
      ...baseC,
      type: str(baseC.type, 'DOCKER') || 'DOCKER',
      image: f.image.trim(),
      network: f.network,
      forcePullImage: f.forcePullImage,
      parameters: f.parameters.filter((p) => p.key !== '' || p.value !== '').map((p) => ({ key: p.key, value: p.value })),
      volumes: f.volumes
        .filter((v) => v.containerPath !== '' || v.hostPath !== '')
        .map((v) => ({ containerPath: v.containerPath, ...(v.hostPath ? { hostPath: v.hostPath } : {}), mode: v.mode || 'RW' })),
      networkInfos,
    };
  } else delete out.container;
  // Allow and Queue are what `concurrent` says; only Forbid and Replace need the field
  if (f.concurrencyPolicy === 'Forbid' || f.concurrencyPolicy === 'Replace') out.concurrencyPolicy = f.concurrencyPolicy;
  else delete out.concurrencyPolicy;
  if (f.jitter.trim()) out.jitter = f.jitter.trim();
  else delete out.jitter;
  // catch-up: written only away from its defaults (a Chronos client sees no new field)
  delete out.catchUp;
  delete out.catchUpWindow;
  if (f.kind === 'scheduled' && f.catchUp !== 'latest') out.catchUp = f.catchUp;
  if (f.kind === 'scheduled' && f.catchUp === 'all' && f.catchUpWindow.trim()) out.catchUpWindow = f.catchUpWindow.trim();
  const notifications = notifyToJson(f.notify);
  if (notifications) out.notifications = notifications;
  else delete out.notifications;
  return out;
}

/** The kind a JSON body is saved as: dependent when it has parents and no schedule. */
export const kindOfJson = (j: Json): JobKind => (Array.isArray(j.parents) && (j.schedule === undefined || j.schedule === '') ? 'dependent' : 'scheduled');

/** The kind the raw JSON text would be saved as (scheduled while it does not parse). */
export function kindOfRawJson(raw: string): JobKind {
  try {
    const j = JSON.parse(raw) as Json;
    return j ? kindOfJson(j) : 'scheduled';
  } catch {
    return 'scheduled';
  }
}
