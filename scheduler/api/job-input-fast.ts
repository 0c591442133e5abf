/**
 * The job schema's answer for the common Chronos body without running zod: a body whose every
 * field is a plain value of its exact type (a string, a boolean, a whole or decimal number in range,
 * an array of strings, an empty fetch / environmentVariables / constraints list, null for a default)
 * comes out exactly as `jobInputSchema.parse` would give it. Anything else — a number sent as a
 * string, a container, notifications, a policy, any value the schema would refuse — returns null
 * and goes through the schema, which decides and words the error. zod was ~8% of the app's CPU in
 * a burst of POSTs (45 fields, each a pipeline of preprocess, default and checks).
 *
 * Each field's kind is declared where the schema declares the field (job-schema.ts: its helpers
 * `str`, `bool`, … register theirs with `fastKind`, other fields say it beside them); this module
 * reads them from the schema's shape, so a new field is added in one place. A field of the schema
 * with no kind (a container, notifications, a policy) is never taken here: present → null.
 * Built by job-schema.ts with its own shape, template and limits (no import cycle); a property test
 * (job-input-fast.test.ts) holds it to the schema on random bodies.
 */
import { z } from 'zod';
import { taskArguments, taskIdProblem } from '../core/taskid';

/** How the fast path reads a field: each kind is exactly one way the schema parses a plain value. */
export type FastKind = 'string' | 'optString' | 'bool' | 'optBool' | 'count' | 'resource' | 'instant' | 'strings' | 'optStrings' | 'emptyList' | 'duration' | 'seconds' | 'name';

/** The fast path's kind of each schema that has one (job-schema.ts registers them). */
const FAST_KINDS = z.registry<{ kind: FastKind }>();

/** Declares how the fast path reads a field parsed by `schema`; returns the schema itself. */
export const fastKind = <S extends z.ZodType>(kind: FastKind, schema: S): S => {
  FAST_KINDS.add(schema, { kind });
  return schema;
};

export interface SimpleInputLimits<T> {
  /** The schema's fields (the job object's shape): their registered kinds make the table. */
  shape: () => Readonly<Record<string, z.ZodType>>;
  /** The schema's output for the smallest valid body (every default); copied, never shared. */
  template: () => T;
  namePattern: RegExp;
  nameMaxLength: number;
  durationPattern: RegExp;
  maxCompletionSeconds: number;
}

/** Each field of the shape with its kind; the fields without one go to the schema. */
function fieldsOf(shape: Readonly<Record<string, z.ZodType>>): { fields: Map<string, FastKind>; elsewhere: Set<string> } {
  const fields = new Map<string, FastKind>();
  const elsewhere = new Set<string>();
  for (const [key, schema] of Object.entries(shape)) {
    const kind = FAST_KINDS.get(schema)?.kind;
    if (kind) fields.set(key, kind);
    else elsewhere.add(key);
  }
  return { fields, elsewhere };
}

const NOT_SIMPLE = Symbol('not simple');

export function simpleJobInputParser<T extends object>(limits: SimpleInputLimits<T>): (body: unknown) => T | null {
  let template: Record<string, unknown> | null = null;
  /** The template's lists, copied for each body. */
  let lists: string[] = [];
  let table: ReturnType<typeof fieldsOf> = { fields: new Map(), elsewhere: new Set() };
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

  /** The schema's value for `v` of a field of this kind; NOT_SIMPLE when the schema must decide. */
  const valueOf = (kind: FastKind, v: unknown, fallback: unknown): unknown => {
    switch (kind) {
      case 'name':
        return typeof v === 'string' && limits.namePattern.test(v) && v.length <= limits.nameMaxLength && v !== '.' && v !== '..' ? v : NOT_SIMPLE;
      case 'string':
        return typeof v === 'string' ? v : v === null ? fallback : NOT_SIMPLE;
      case 'optString':
        return typeof v === 'string' || v === null ? (v ?? undefined) : NOT_SIMPLE;
      case 'bool':
        return typeof v === 'boolean' ? v : v === null ? fallback : NOT_SIMPLE;
      case 'optBool':
        return typeof v === 'boolean' || v === null ? (v ?? undefined) : NOT_SIMPLE;
      case 'count':
        return Number.isSafeInteger(v) && (v as number) >= 0 ? v : v === null ? fallback : NOT_SIMPLE;
      case 'seconds':
        return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= limits.maxCompletionSeconds ? v : v === null ? fallback : NOT_SIMPLE;
      case 'resource': // missing or 0: the default, which is the template's value
        if (v === null) return fallback;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return NOT_SIMPLE;
        return v === 0 ? fallback : v;
      case 'instant':
        return typeof v === 'string' && (v === '' || !Number.isNaN(Date.parse(v))) ? v : v === null ? '' : NOT_SIMPLE;
      case 'duration':
        return typeof v === 'string' && limits.durationPattern.test(v) ? v : v === null ? undefined : NOT_SIMPLE;
      case 'strings':
        return isStrings(v) ? [...v] : v === null ? [] : NOT_SIMPLE;
      case 'optStrings':
        return isStrings(v) ? [...v] : v === null ? undefined : NOT_SIMPLE;
      case 'emptyList':
        return (Array.isArray(v) && v.length === 0) || v === null ? [] : NOT_SIMPLE;
    }
  };

  return (body: unknown): T | null => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    if (template === null) {
      template = limits.template() as Record<string, unknown>;
      lists = Object.keys(template).filter((k) => Array.isArray(template![k]));
      table = fieldsOf(limits.shape());
    }
    const given = body as Record<string, unknown>;
    // a copy of the defaults with fresh lists (the template is never handed out)
    const base = template;
    const out: Record<string, unknown> = { ...base };
    for (const k of lists) out[k] = [...(base[k] as unknown[])];
    let named = false;
    for (const key of Object.keys(given)) {
      const v = given[key];
      if (v === undefined) continue; // JSON never holds it; the schema treats it as absent
      const kind = table.fields.get(key);
      if (kind === undefined) {
        if (table.elsewhere.has(key)) return null;
        continue; // not a field of the schema: dropped, as the schema drops it
      }
      const value = valueOf(kind, v, base[key]);
      if (value === NOT_SIMPLE) return null;
      out[key] = value;
      if (key === 'name') named = true;
    }
    if (!named) return null; // the schema words the missing name
    // the schema's last check: every task id of the job must be one Mesos takes
    const j = out as { name: string; retries: number; arguments: string[] };
    if (taskIdProblem(j.name, taskArguments(j), j.retries) !== null) return null;
    return out as T;
  };
}
