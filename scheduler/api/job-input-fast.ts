/**
 * The job schema's answer for the common Chronos body without running zod: a body whose every
 * field is a plain value of its exact type (a string, a boolean, a whole or decimal number in range,
 * an array of strings, an empty fetch / environmentVariables / constraints list, null for a default)
 * comes out exactly as `jobInputSchema.parse` would give it. Anything else — a number sent as a
 * string, a container, notifications, a policy, any value the schema would refuse — returns null
 * and goes through the schema, which decides and words the error. zod was ~8% of the app's CPU in
 * a burst of POSTs (45 fields, each a pipeline of preprocess, default and checks).
 *
 * Built by job-schema.ts with its own template and limits (no import cycle); a property test
 * (job-input-fast.test.ts) holds it to the schema on random bodies.
 */
import { taskArguments, taskIdProblem } from '../core/taskid';

export interface SimpleInputLimits<T> {
  /** The schema's output for the smallest valid body (every default); copied, never shared. */
  template: () => T;
  namePattern: RegExp;
  nameMaxLength: number;
  durationPattern: RegExp;
  maxCompletionSeconds: number;
  defaults: { cpus: number; mem: number; disk: number; retries: number; runAsUser: string };
}

type Kind = 'string' | 'optString' | 'bool' | 'optBool' | 'count' | 'resource' | 'instant' | 'strings' | 'optStrings' | 'emptyList' | 'duration' | 'seconds' | 'name';

const FIELDS = new Map<string, Kind>([
  ['name', 'name'],
  ['command', 'string'],
  ['shell', 'bool'],
  ['epsilon', 'duration'],
  ['executor', 'string'],
  ['executorFlags', 'string'],
  ['taskInfoData', 'string'],
  ['retries', 'count'],
  ['owner', 'string'],
  ['ownerName', 'string'],
  ['description', 'string'],
  ['async', 'optBool'],
  ['successCount', 'count'],
  ['errorCount', 'count'],
  ['lastSuccess', 'instant'],
  ['lastError', 'instant'],
  ['cpus', 'resource'],
  ['disk', 'resource'],
  ['mem', 'resource'],
  ['disabled', 'bool'],
  ['softError', 'bool'],
  ['dataProcessingJobType', 'bool'],
  ['errorsSinceLastSuccess', 'count'],
  ['fetch', 'emptyList'],
  ['uris', 'strings'],
  ['environmentVariables', 'emptyList'],
  ['arguments', 'strings'],
  ['highPriority', 'bool'],
  ['runAsUser', 'string'],
  ['concurrent', 'bool'],
  ['maxCompletionTime', 'seconds'],
  ['constraints', 'emptyList'],
  ['parents', 'optStrings'],
  ['schedule', 'optString'],
  ['scheduleTimeZone', 'optString'],
]);

/** Fields of the schema this path never takes (their own schemas decide): present → null. */
const ELSEWHERE = new Set(['container', 'notifications', 'concurrencyPolicy', 'jitter', 'catchUp', 'catchUpWindow']);

const NOT_SIMPLE = Symbol('not simple');

export function simpleJobInputParser<T extends object>(limits: SimpleInputLimits<T>): (body: unknown) => T | null {
  let template: Record<string, unknown> | null = null;
  /** The template's lists, copied for each body. */
  let lists: string[] = [];
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

  /** The schema's value for `v` of a field of this kind; NOT_SIMPLE when the schema must decide. */
  const valueOf = (key: string, kind: Kind, v: unknown, fallback: unknown): unknown => {
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
        return Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= limits.maxCompletionSeconds ? v : v === null ? 0 : NOT_SIMPLE;
      case 'resource': {
        if (v === null) return fallback;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return NOT_SIMPLE;
        return v === 0 ? limits.defaults[key as 'cpus' | 'mem' | 'disk'] : v;
      }
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
      const kind = FIELDS.get(key);
      if (kind === undefined) {
        if (ELSEWHERE.has(key)) return null;
        continue; // not a field of the schema: dropped, as the schema drops it
      }
      const value = valueOf(key, kind, v, base[key]);
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
