/**
 * Loads the Mesos v1 messages in proto/ with protobufjs (snake_case field names kept, as the
 * Mesos JSON encoding requires) and converts between the two wire encodings Mesos speaks:
 *   - application/x-protobuf: binary messages;
 *   - application/json: proto field names, enum names as strings, bytes as base64, 64-bit ints as
 *     numbers (stout's protobuf.hpp rules, shared/reference/mesos.md §1).
 * Used by the framework adapter (scheduler/adapters/mesos) and by mesos-local.
 */
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

export type Encoding = 'json' | 'protobuf';
export const CONTENT_TYPE: Record<Encoding, string> = {
  json: 'application/json',
  protobuf: 'application/x-protobuf',
};

/** A message as a plain object in Mesos's JSON shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface MesosTypes {
  root: protobuf.Root;
  Call: protobuf.Type;
  Event: protobuf.Type;
  TaskStatus: protobuf.Type;
  TaskInfo: protobuf.Type;
  Offer: protobuf.Type;
  MasterInfo: protobuf.Type;
  FrameworkInfo: protobuf.Type;
}

function protoDir(): string {
  const candidates = [
    process.env.SISYPHUS_PROTO_DIR,
    path.join(process.cwd(), 'proto'),
    typeof __dirname === 'string' ? __dirname : undefined,
  ].filter((p): p is string => !!p);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'mesos/v1/mesos.proto'))) return dir;
  }
  throw new Error(
    `cannot find proto/mesos/v1/mesos.proto (looked in ${candidates.join(', ')}); run from the project root or set SISYPHUS_PROTO_DIR`,
  );
}

let cached: MesosTypes | null = null;

/** The loaded Mesos types (loaded once per process). */
export function mesosTypes(): MesosTypes {
  if (cached) return cached;
  const dir = protoDir();
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  root.loadSync(['mesos/v1/mesos.proto', 'mesos/v1/scheduler/scheduler.proto'], { keepCase: true });
  root.resolveAll();
  const t = (name: string) => root.lookupType(name);
  cached = {
    root,
    Call: t('mesos.v1.scheduler.Call'),
    Event: t('mesos.v1.scheduler.Event'),
    TaskStatus: t('mesos.v1.TaskStatus'),
    TaskInfo: t('mesos.v1.TaskInfo'),
    Offer: t('mesos.v1.Offer'),
    MasterInfo: t('mesos.v1.MasterInfo'),
    FrameworkInfo: t('mesos.v1.FrameworkInfo'),
  };
  return cached;
}

const TO_OBJECT: protobuf.IConversionOptions = {
  enums: String,
  bytes: String, // base64
  longs: Number,
  defaults: false,
  arrays: false,
};

/**
 * Required fields missing anywhere in a message object (protobufjs does not enforce proto2
 * `required`; a Mesos master answers 400 for them).
 */
export function findMissingRequired(type: protobuf.Type, obj: Json, prefix = ''): string[] {
  const missing: string[] = [];
  collectMissing(type, obj, prefix, missing);
  return missing;
}

interface FieldPlan {
  name: string;
  required: boolean;
  repeated: boolean;
  /** The message type of the field; null for scalars and enums. */
  type: protobuf.Type | null;
}

/** Each type's fields, resolved once: this runs for every call and event (thousands a second). */
const plans = new WeakMap<protobuf.Type, FieldPlan[]>();

function planOf(type: protobuf.Type): FieldPlan[] {
  let plan = plans.get(type);
  if (!plan) {
    plan = type.fieldsArray.map((field) => {
      field.resolve();
      const rt = field.resolvedType;
      return { name: field.name, required: field.required, repeated: field.repeated, type: rt instanceof protobuf.Type ? rt : null };
    });
    plans.set(type, plan);
  }
  return plan;
}

function collectMissing(type: protobuf.Type, obj: Json, prefix: string, missing: string[]): void {
  for (const field of planOf(type)) {
    const value = obj[field.name];
    if (value === undefined || value === null) {
      if (field.required) missing.push(`${prefix}${field.name}`);
      continue;
    }
    const rt = field.type;
    if (!rt) continue;
    if (field.repeated && Array.isArray(value)) {
      value.forEach((v: unknown, i: number) => {
        if (v && typeof v === 'object') collectMissing(rt, v as Json, `${prefix}${field.name}[${i}].`, missing);
      });
    } else if (value && typeof value === 'object') {
      collectMissing(rt, value as Json, `${prefix}${field.name}${field.repeated ? '[0]' : ''}.`, missing);
    }
  }
}

function missingProblem(type: protobuf.Type, obj: Json): string | null {
  const missing = findMissingRequired(type, obj);
  return missing.length ? `missing required field(s): ${missing.join(', ')}` : null;
}

/** Binary protobuf → Mesos JSON object. Throws on malformed input. */
export function decode(type: protobuf.Type, bytes: Uint8Array): Json {
  const msg = type.decode(bytes);
  return type.toObject(msg, TO_OBJECT) as Json;
}

/** Mesos JSON object → binary protobuf. Throws a readable Error when required fields are missing. */
export function encode(type: protobuf.Type, obj: Json): Uint8Array {
  const msg = type.fromObject(obj);
  const problem = type.verify(msg) ?? missingProblem(type, obj);
  if (problem) throw new Error(`invalid ${type.name}: ${problem}`);
  return type.encode(msg).finish();
}

/**
 * Normalises a Mesos JSON object the way a master would read it: unknown keys dropped, enum
 * names checked, bytes kept as base64. Returns a reason instead of throwing.
 */
export function fromJson(type: protobuf.Type, obj: unknown): { ok: true; value: Json } | { ok: false; error: string } {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { ok: false, error: `expected a JSON object for ${type.name}` };
  }
  try {
    const msg = type.fromObject(obj as Json);
    const problem = type.verify(msg) ?? missingProblem(type, obj as Json);
    if (problem) return { ok: false, error: `Failed to convert JSON into ${type.name} protobuf: ${problem}` };
    return { ok: true, value: type.toObject(msg, TO_OBJECT) as Json };
  } catch (e) {
    return { ok: false, error: `Failed to convert JSON into ${type.name} protobuf: ${(e as Error).message}` };
  }
}

/** Encodes a message for the wire in the chosen encoding. */
export function serialize(type: protobuf.Type, obj: Json, encoding: Encoding): Buffer {
  if (encoding === 'protobuf') return Buffer.from(encode(type, obj));
  return Buffer.from(JSON.stringify(obj));
}

/** Decodes a wire message in the chosen encoding into a Mesos JSON object. */
export function deserialize(type: protobuf.Type, body: Uint8Array, encoding: Encoding): Json {
  if (encoding === 'protobuf') return decode(type, body);
  const parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  const r = fromJson(type, parsed);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** RecordIO framing: `<decimal length>\n<bytes>`. */
export function recordio(payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${payload.length}\n`, 'ascii'), Buffer.from(payload)]);
}

/**
 * Loads the Mesos types and compiles the converters of the first events and calls of a
 * subscription (protobufjs builds them at first use): a follower does it while it waits, so its
 * takeover does not (~50 ms of the new leader's main thread at load 12, 2026-12-07).
 */
export function warmUp(encoding: Encoding): void {
  const { Event, Call } = mesosTypes();
  const id = (value: string) => ({ value });
  const events: Json[] = [
    { type: 'SUBSCRIBED', subscribed: { framework_id: id('f'), heartbeat_interval_seconds: 15 } },
    { type: 'HEARTBEAT' },
    {
      type: 'OFFERS',
      offers: { offers: [{ id: id('o'), framework_id: id('f'), agent_id: id('a'), hostname: 'h', resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r' } }] }] },
    },
    { type: 'UPDATE', update: { status: { task_id: id('t'), agent_id: id('a'), state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'AA==', timestamp: 1 } } },
  ];
  for (const e of events) deserialize(Event, serialize(Event, e, encoding), encoding);
  serialize(Call, { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', id: id('f'), roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] } } }, encoding);
}
