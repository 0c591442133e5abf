/**
 * The one schema of the Chronos job JSON (shared/reference/chronos.md §2), used by the REST
 * handlers (through `parseJob`) and imported by the UI forms.
 *
 * Rules, as Chronos applies them:
 * - unknown keys are ignored; `null` means "use the default";
 * - cpus / mem / disk: a missing value or 0 is stored as the default (0.1 / 128 / 256);
 * - `container` is parsed only when it has an `image` (a blank image counts as none);
 * - constraints with an unknown operator are silently dropped, a bad LIKE/UNLIKE regex is an error;
 * - the job type comes from the keys present: `parents` → dependency job, else `schedule` →
 *   scheduled job, neither → scheduled job `R1/<now>/PT24H` (runs once, now).
 *
 * The schedule grammar is NOT checked here (scheduler/core/iso8601.ts does it in the service).
 */
import { z } from 'zod';
import { notificationsSchema } from './notify-schema';
import { concurrencyPolicySchema, jitterSchema, runPolicyFields } from './run-policy-schema';
import { catchUpInput, catchUpOf } from './catch-up-pause-fields';
import type { Constraint, ConstraintOperator, Container, FetchUri, Instant, Job, Result } from '../core/types';
import { err, ok } from '../core/types';
import { textIssues } from '../core/text';
import { taskArguments, taskIdProblem } from '../core/taskid';
import { fastKind, simpleJobInputParser } from './job-input-fast';

/** Chronos's flag defaults (`--mesos_task_cpu`, `--mesos_task_mem`, `--mesos_task_disk`, `--user`). */
export const JOB_DEFAULTS = {
  cpus: 0.1,
  mem: 128,
  disk: 256,
  retries: 2,
  runAsUser: 'root',
} as const;

/** The job name rule: the whole name must match this. */
export const JOB_NAME_PATTERN = /^[\w.-]+$/;

/**
 * The longest job name. The name is part of every task id (`ct:<due>:<attempt>:<name>:<args>`),
 * which Mesos turns into a sandbox directory name of at most 255 bytes; 128 leaves the rest for
 * the arguments.
 */
export const JOB_NAME_MAX_LENGTH = 128;

/** The longest `maxCompletionTime`: Mesos holds it in nanoseconds in a signed 64-bit integer. */
export const MAX_COMPLETION_SECONDS = 9_223_372_036;

/** ISO8601 duration (Joda period syntax), e.g. PT60S, P1D, P1Y2M3DT4H5M6.5S; `P` alone is zero. */
export const ISO_DURATION_PATTERN = /^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(?:[.,]\d+)?S)?)?$/;

/* ------------------------------------------------------------------ helpers */

/** `null` means "absent": the default applies. */
const nullIsAbsent = (v: unknown): unknown => (v === null ? undefined : v);
const nd = <S extends z.ZodType>(schema: S) => z.preprocess(nullIsAbsent, schema);

/** Numbers may come as numeric strings (HTML forms, hand-written JSON). */
const numericString = (v: unknown): unknown => {
  if (v === null) return undefined;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
};

const required = (what: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${what}`;

// each helper says how the fast path (job-input-fast.ts) reads a field it parses
const str = (def: string) => fastKind('string', nd(z.string({ error: 'must be a string' }).default(def)));
const optStr = () => fastKind('optString', nd(z.string({ error: 'must be a string' }).optional()));
const reqStr = () => z.string({ error: required('a string') });
const bool = (def: boolean) => fastKind('bool', nd(z.boolean({ error: 'must be a boolean' }).default(def)));
const strArray = () => fastKind('strings', nd(z.array(z.string({ error: 'must be a string' }), { error: 'must be an array of strings' }).default([])));
const nonNegInt = (def: number) => fastKind('count',
  z.preprocess(
    numericString,
    z
      .number({ error: 'must be a non-negative integer' })
      .int({ error: 'must be a non-negative integer' })
      .min(0, { error: 'must be a non-negative integer' })
      .default(def),
  ));
/** cpus / mem / disk: missing or 0 → the default; negative → error. */
const resource = (def: number) => fastKind('resource',
  z
    .preprocess(
      numericString,
      z
        .number({ error: 'must be a positive number' })
        .min(0, { error: 'must be a positive number' })
        .default(0),
    )
    .transform((n) => (n === 0 ? def : n)));

/** An ISO UTC instant string, or "" for never. */
const instantString = () => fastKind('instant',
  nd(
    z
      .string({ error: 'must be a string' })
      .default('')
      .refine((s) => s === '' || !Number.isNaN(Date.parse(s)), {
        error: 'must be an ISO8601 instant or ""',
      }),
  ));

/** A case-insensitive enum, normalised to the canonical spelling. */
const enumCI = <T extends string>(values: readonly [T, ...T[]]) => {
  const byUpper = new Map(values.map((v) => [v.toUpperCase(), v] as const));
  return z.preprocess(
    (v) => (typeof v === 'string' ? (byUpper.get(v.toUpperCase()) ?? v) : nullIsAbsent(v)),
    z.enum(values as unknown as [T, ...T[]], { error: `must be one of ${values.join(', ')}` }),
  );
};

/** A TCP/UDP port, as a number or a numeric string. */
const port = () =>
  z.preprocess(
    numericString,
    z
      .number({ error: required('a port number') })
      .int({ error: 'must be a port number' })
      .min(0, { error: 'must be a port number' })
      .max(65535, { error: 'must be a port number' }),
  );

const isValidRegex = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

/* ------------------------------------------------------------------ parts */

export const keyValueSchema = z.object({
  key: reqStr(),
  value: str(''),
});

export const envVarSchema = z.object({
  name: reqStr(),
  value: str(''),
});

export const fetchUriSchema = z
  .object({
    uri: reqStr(),
    output_file: optStr(),
    executable: bool(false),
    cache: bool(false),
    extract: bool(true),
  })
  .transform((f): FetchUri => {
    const out: FetchUri = {
      uri: f.uri,
      executable: f.executable,
      cache: f.cache,
      extract: f.extract,
    };
    if (f.output_file) out.output_file = f.output_file;
    return out;
  });

export const CONSTRAINT_OPERATORS: readonly ConstraintOperator[] = ['EQUALS', 'LIKE', 'UNLIKE'];
const isKnownOperator = (op: string): op is ConstraintOperator =>
  (CONSTRAINT_OPERATORS as readonly string[]).includes(op);

export const constraintTupleSchema = z.tuple(
  [z.string({ error: 'must be a string' }), z.string({ error: 'must be a string' }), z.string({ error: 'must be a string' })],
  { error: 'must be [attribute, operator, value]' },
);

/** Unknown operators are dropped silently; LIKE/UNLIKE values must be valid regular expressions. */
export const constraintsSchema = nd(
  z
    .array(constraintTupleSchema, { error: 'must be an array of [attribute, operator, value]' })
    .default([]),
)
  .superRefine((cs, ctx) => {
    cs.forEach(([, op, value], i) => {
      if ((op === 'LIKE' || op === 'UNLIKE') && !isValidRegex(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `invalid regular expression '${value}' for ${op}`,
        });
      }
    });
  })
  .transform((cs): Constraint[] =>
    cs.filter((c) => isKnownOperator(c[1])).map((c) => [c[0], c[1] as ConstraintOperator, c[2]]),
  );

export const portMappingSchema = z
  .object({
    hostPort: port(),
    containerPort: port(),
    protocol: optStr(),
  })
  .transform((p) => {
    const out: { hostPort: number; containerPort: number; protocol?: string } = {
      hostPort: p.hostPort,
      containerPort: p.containerPort,
    };
    if (p.protocol !== undefined) out.protocol = p.protocol;
    return out;
  });

export const networkInfoSchema = z
  .object({
    name: optStr(),
    protocol: nd(enumCI(['IPv4', 'IPv6'] as const).optional()),
    labels: nd(z.array(keyValueSchema, { error: 'must be an array' }).default([])),
    portMappings: nd(z.array(portMappingSchema, { error: 'must be an array' }).default([])),
  })
  .transform((n) => {
    const out: Container['networkInfos'][number] = {};
    if (n.name !== undefined) out.name = n.name;
    if (n.protocol !== undefined) out.protocol = n.protocol;
    out.labels = n.labels;
    out.portMappings = n.portMappings;
    return out;
  });

export const volumeSchema = z
  .object({
    containerPath: reqStr(),
    hostPath: optStr(),
    mode: nd(enumCI(['RW', 'RO'] as const).optional()),
    external: nd(
      z
        .object(
          {
            name: reqStr(),
            provider: reqStr(),
            options: nd(z.array(keyValueSchema, { error: 'must be an array' }).default([])),
          },
          { error: 'must be an object' },
        )
        .optional(),
    ),
  })
  .transform((v) => {
    const out: Container['volumes'][number] = { containerPath: v.containerPath };
    if (v.hostPath !== undefined) out.hostPath = v.hostPath;
    if (v.mode !== undefined) out.mode = v.mode;
    if (v.external !== undefined) out.external = v.external;
    return out;
  });

/** A container with an image (see `containerSchema` for the "only if it has an image" rule). */
export const containerObjectSchema = z
  .object({
    type: nd(enumCI(['DOCKER', 'MESOS'] as const).default('DOCKER')),
    image: reqStr(),
    network: nd(enumCI(['HOST', 'BRIDGE', 'USER'] as const).default('HOST')),
    networkName: optStr(),
    networkInfos: nd(z.array(networkInfoSchema, { error: 'must be an array' }).default([])),
    volumes: nd(z.array(volumeSchema, { error: 'must be an array' }).default([])),
    forcePullImage: bool(false),
    parameters: nd(z.array(keyValueSchema, { error: 'must be an array' }).default([])),
  })
  .transform((c): Container => {
    const out: Container = {
      type: c.type,
      image: c.image,
      network: c.network,
      networkInfos: c.networkInfos,
      volumes: c.volumes,
      forcePullImage: c.forcePullImage,
      parameters: c.parameters,
    };
    if (c.networkName !== undefined) out.networkName = c.networkName;
    return out;
  });

/** Has an `image` worth parsing: a non-blank string, or a non-string (which then fails the schema). */
const hasImage = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const image = (v as { image?: unknown }).image;
  if (image === undefined || image === null) return false;
  return typeof image !== 'string' || image.trim() !== '';
};

/** `container` is parsed only if it has an `image`; otherwise it is ignored (no container). */
export const containerSchema = z.preprocess(
  (v) => (hasImage(v) ? v : undefined),
  containerObjectSchema.optional(),
);

/* ------------------------------------------------------------------ the job */

/**
 * Every field of the Chronos job JSON with its default. The output is not yet a `Job`: the type
 * (scheduled or dependency) is chosen by `parseJob`, which needs `now`.
 */
export const jobInputSchema = z
  .object(
    {
      name: fastKind('name', z
        .string({ error: required('a string') })
        .regex(JOB_NAME_PATTERN, { error: 'must match [\\w.-]+' })
        .max(JOB_NAME_MAX_LENGTH, { error: `must be at most ${JOB_NAME_MAX_LENGTH} characters long (it is part of every Mesos task id)` })
        .refine((n) => n !== '.' && n !== '..', { error: "must not be '.' or '..' (they are path steps in URLs and sandbox paths)" })),
      command: str(''),
      shell: bool(true),
      epsilon: fastKind('duration', nd(
        z
          .string({ error: 'must be a string' })
          .regex(ISO_DURATION_PATTERN, { error: 'must be an ISO8601 duration such as PT60S' })
          .optional(),
      )),
      executor: str(''),
      executorFlags: str(''),
      taskInfoData: str(''),
      retries: nonNegInt(JOB_DEFAULTS.retries),
      owner: str(''),
      ownerName: str(''),
      description: str(''),
      async: fastKind('optBool', nd(z.boolean({ error: 'must be a boolean' }).optional())),
      successCount: nonNegInt(0),
      errorCount: nonNegInt(0),
      lastSuccess: instantString(),
      lastError: instantString(),
      cpus: resource(JOB_DEFAULTS.cpus),
      disk: resource(JOB_DEFAULTS.disk),
      mem: resource(JOB_DEFAULTS.mem),
      disabled: bool(false),
      softError: bool(false),
      dataProcessingJobType: bool(false),
      errorsSinceLastSuccess: nonNegInt(0),
      fetch: fastKind('emptyList', nd(z.array(fetchUriSchema, { error: 'must be an array' }).default([]))),
      uris: strArray(),
      environmentVariables: fastKind('emptyList', nd(z.array(envVarSchema, { error: 'must be an array' }).default([]))),
      arguments: strArray(),
      highPriority: bool(false),
      runAsUser: str(JOB_DEFAULTS.runAsUser),
      concurrent: bool(false),
      maxCompletionTime: fastKind('seconds', z.preprocess(
        numericString,
        z
          .number({ error: 'must be a non-negative integer' })
          .int({ error: 'must be a non-negative integer' })
          .min(0, { error: 'must be a non-negative integer' })
          .max(MAX_COMPLETION_SECONDS, { error: `must be at most ${MAX_COMPLETION_SECONDS} seconds (Mesos counts it in nanoseconds in 64 bits)` })
          .default(0),
      )),
      container: containerSchema,
      constraints: fastKind('emptyList', constraintsSchema),
      parents: fastKind('optStrings', nd(
        z
          .array(z.string({ error: 'must be a string' }), { error: 'must be an array of job names' })
          .optional(),
      )),
      schedule: optStr(),
      scheduleTimeZone: optStr(),
      notifications: notificationsSchema,
      concurrencyPolicy: concurrencyPolicySchema,
      jitter: jitterSchema,
      ...catchUpInput,
    },
    { error: 'must be a JSON object' },
  )
  .superRefine((j, ctx) => {
    // The arguments are part of every task id of the job: Mesos must be able to take it.
    const problem = taskIdProblem(j.name, taskArguments(j), j.retries);
    if (problem !== null) ctx.addIssue({ code: 'custom', path: ['arguments'], message: problem });
  });

export type JobInput = z.output<typeof jobInputSchema>;

/** The schema's output for a body of plain values, without zod (job-input-fast.ts); null: ask the schema. */
export const simpleJobInput = simpleJobInputParser<JobInput>({ shape: () => jobInputSchema.shape, template: () => jobInputSchema.parse({ name: 'x' }),
  namePattern: JOB_NAME_PATTERN, nameMaxLength: JOB_NAME_MAX_LENGTH, durationPattern: ISO_DURATION_PATTERN, maxCompletionSeconds: MAX_COMPLETION_SECONDS });

/* ------------------------------------------------------------------ parseJob */

export interface JobFieldError {
  /** Dotted path of the field, e.g. `cpus`, `fetch[0].uri`, `container.volumes[1].mode`; `job` for the whole body. */
  field: string;
  message: string;
}

export interface ParseJobOptions {
  /** Used for the default schedule `R1/<now>/PT24H` of a job with neither schedule nor parents. */
  now: Instant;
  /** The endpoint: `iso8601` makes a scheduled job (parents ignored when a schedule is given, an
   * error when none), `dependency` a dependency job; without it, the keys present decide (Chronos). */
  kind?: 'iso8601' | 'dependency';
}

/**
 * Chronos refuses a new job with both `uris` (deprecated) and `fetch`; an update with both is
 * accepted (GET /jobs fills each from the other, so a sync script posts both back).
 */
export function urisAndFetchOnCreate(job: Pick<Job, 'name' | 'uris' | 'fetch'>): JobFieldError | null {
  if (job.uris.length === 0 || job.fetch.length === 0) return null;
  return { field: 'fetch', message: `Tried to add both uri (deprecated) and fetch parameters on ${job.name}` };
}

/** `field: message`, the text the REST API puts in the 400 body. */
export const formatJobError = (e: JobFieldError): string =>
  e.field ? `${e.field}: ${e.message}` : e.message;

/** The field a zod issue path names, as the API and the UI name it (`JobFieldError.field`). */
export const fieldOfPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out === '' ? String(p) : `${out}.${String(p)}`), '') || 'job';

/** The field a `formatJobError` text starts with (`container.volumes[1].mode: …`) and the rest; field null when none. */
export function splitFieldMessage(text: string): { field: string | null; message: string } {
  const m = /^([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*): (.+)$/s.exec(text);
  return m ? { field: m[1], message: m[2] } : { field: null, message: text };
}

/** The default schedule of a job posted with neither `schedule` nor `parents`: run once, now. */
export const runOnceNowSchedule = (now: Instant): string =>
  `R1/${new Date(now).toISOString()}/PT24H`;

const dedupe = (xs: readonly string[]): string[] => [...new Set(xs)];

/** Parse a Chronos job JSON value into a `Job` with every default applied. */
export function parseJob(json: unknown, opts: ParseJobOptions): Result<Job, JobFieldError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err({ field: 'job', message: 'must be a JSON object' });
  }
  const [text] = textIssues(json, 1);
  if (text) return err(text);
  let j = simpleJobInput(json);
  if (j === null) {
    const parsed = jobInputSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return err({ field: fieldOfPath(issue.path), message: issue.message });
    }
    j = parsed.data;
  }

  let type: 'scheduled' | 'dependency';
  if (opts.kind === 'dependency') type = 'dependency';
  else if (opts.kind === 'iso8601') {
    if (j.schedule === undefined && j.parents !== undefined) {
      return err({
        field: 'schedule',
        message: 'is required for a scheduled job (this job has parents: post it to /dependency)',
      });
    }
    type = 'scheduled';
  } else type = j.parents !== undefined ? 'dependency' : 'scheduled';

  const job: Job = {
    name: j.name,
    command: j.command,
    shell: j.shell,
    executor: j.executor,
    executorFlags: j.executorFlags,
    taskInfoData: j.taskInfoData,
    retries: j.retries,
    owner: j.owner,
    ownerName: j.ownerName,
    description: j.description,
    successCount: j.successCount,
    errorCount: j.errorCount,
    lastSuccess: j.lastSuccess,
    lastError: j.lastError,
    cpus: j.cpus,
    disk: j.disk,
    mem: j.mem,
    disabled: j.disabled,
    softError: j.softError,
    dataProcessingJobType: j.dataProcessingJobType,
    errorsSinceLastSuccess: j.errorsSinceLastSuccess,
    fetch: j.fetch,
    uris: j.uris,
    environmentVariables: j.environmentVariables,
    arguments: j.arguments,
    highPriority: j.highPriority,
    // A blank user would make Mesos fail the task: treat it as absent.
    runAsUser: j.runAsUser.trim() === '' ? JOB_DEFAULTS.runAsUser : j.runAsUser,
    concurrent: j.concurrent,
    maxCompletionTime: j.maxCompletionTime,
    constraints: j.constraints,
  };
  if (j.container !== undefined) job.container = j.container;

  if (type === 'dependency') {
    const parents = dedupe(j.parents ?? []);
    if (parents.length === 0) return err({ field: 'parents', message: 'must not be empty' });
    job.parents = parents;
  } else {
    job.schedule = j.schedule ?? runOnceNowSchedule(opts.now);
    job.scheduleTimeZone = j.scheduleTimeZone ?? '';
  }
  if (j.epsilon !== undefined) job.epsilon = j.epsilon;
  if (j.async !== undefined) job.async = j.async;
  if (j.notifications !== undefined) job.notifications = j.notifications;
  Object.assign(job, catchUpOf(j));
  const policies = runPolicyFields(j, json);
  return policies.ok ? ok(Object.assign(job, policies.value)) : policies;
}
