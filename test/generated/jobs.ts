/**
 * Generated Chronos job JSON (shared/reference/chronos.md §2) that Chronos accepts and Sisyphus
 * must accept and give back unchanged: every field, each present or left out (or `null`, which
 * means the default), with realistic values — shell commands, owners as e-mail lists, fetch URIs
 * or deprecated `uris` (never both), environment variables, arguments, constraints with EQUALS,
 * LIKE and UNLIKE, Docker and Mesos containers with networks, port mappings and volumes, and a
 * schedule with its zone (scheduled jobs) or parents (dependency jobs).
 *
 * Job names start with a caller's prefix, so a test or the fuzzer can tell its jobs from others.
 */
import fc from 'fast-check';
import { validSchedule } from './schedules';

export type JobKind = 'iso8601' | 'dependency';

export interface GeneratedJob {
  kind: JobKind;
  /** The JSON object as posted (keys left out mean defaults). */
  body: Record<string, unknown>;
}

/** Text a user writes: any printable Unicode, sometimes with a newline or a tab. */
export const text = (maxLength = 30): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength }) },
    { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\n', '\t', '\r\n'), fc.string({ maxLength: 10 })).map((p) => p.join('')) },
  );

/** A job name: `prefix` + 1..40 of `[A-Za-z0-9_.-]` (never `.` or `..` since the prefix is not empty). */
export const validName = (prefix: string): fc.Arbitrary<string> =>
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,40}$/).map((s) => `${prefix}${s}`);

const commands = fc.oneof(
  fc.constantFrom('echo hello', 'sleep 1', 'exit 0', 'date; uname -a', 'python3 -c "print(42)"', 'cd /tmp && ls -la | wc -l', 'http://example.com/run.sh', ''),
  text(60),
  fc.tuple(text(20), text(20)).map(([a, b]) => `${a}\n${b}`),
);

const owner = fc.array(fc.emailAddress(), { maxLength: 3 }).map((xs) => xs.join(','));

const isoInstant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms).toISOString());

const bool = fc.boolean();
const maybeNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ weight: 9, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });

/** A count: usually a number, sometimes a numeric string (Jackson coerces it; so does Sisyphus). */
const count = (max: number) => fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max }).map(String) });

const resource = (common: number[], min: number, max: number) =>
  fc.oneof(fc.constantFrom(...common), fc.integer({ min: Math.ceil(min), max }), fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));

const url = fc.oneof(fc.webUrl(), fc.constantFrom('https://example.com/a.tar.gz', 'hdfs://nn:8020/jobs/x.jar', 'file:///opt/run.sh', 's3://bucket/key'));

const fetchItem = fc.record(
  { uri: url, output_file: fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/), executable: bool, cache: bool, extract: bool },
  { requiredKeys: ['uri'] },
);

const envVar = fc.record({ name: fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/), value: text(30) }, { requiredKeys: ['name'] });

/**
 * A job argument. Kept free of `/`, `\` and control characters and short: the arguments are
 * joined into the Mesos task id (`ct:<due>:<attempt>:<name>:<args>`), which Mesos limits to
 * 255 bytes without those characters.
 */
const argument = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:@%+ éß'.split('')), maxLength: 8 });

const constraint = fc.oneof(
  fc.tuple(fc.constantFrom('hostname', 'rack', 'zone', 'os'), fc.constant('EQUALS'), fc.oneof(fc.constantFrom('slave.one.com', 'rack-1', 'eu-west-1a'), text(15))),
  fc.tuple(fc.constantFrom('hostname', 'rack', 'cores'), fc.constantFrom('LIKE', 'UNLIKE'), fc.constantFrom('rack-[1-3]', 'north|south', '\\d\\.\\d', '^n.*', '.*', 'a+b?', '[a-z]{2,4}-\\d+')),
);

const keyValue = fc.record({ key: fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/), value: text(20) }, { requiredKeys: ['key'] });

const port = fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }).map(String));

const container = fc.record(
  {
    type: fc.constantFrom('DOCKER', 'MESOS', 'docker'),
    image: fc.oneof(fc.constantFrom('busybox', 'alpine:3.20', 'library/python:3.12-slim', 'registry.example.com:5000/team/app@sha256:abc123'), fc.stringMatching(/^[a-z0-9]{1,12}(\/[a-z0-9]{1,12})?(:[a-z0-9.]{1,8})?$/)),
    network: fc.constantFrom('HOST', 'BRIDGE', 'USER', 'bridge'),
    networkName: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
    networkInfos: fc.array(
      fc.record(
        {
          name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
          protocol: fc.constantFrom('IPv4', 'IPv6'),
          labels: fc.array(keyValue, { maxLength: 2 }),
          portMappings: fc.array(fc.record({ hostPort: port, containerPort: port, protocol: fc.constantFrom('tcp', 'udp') }, { requiredKeys: ['hostPort', 'containerPort'] }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
    volumes: fc.array(
      fc.record(
        {
          containerPath: fc.constantFrom('/data', '/var/log/app', 'scratch'),
          hostPath: fc.constantFrom('/mnt/data', '/tmp'),
          mode: fc.constantFrom('RW', 'RO'),
          external: fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), provider: fc.constant('dvdi'), options: fc.array(keyValue, { maxLength: 2 }) }, { requiredKeys: ['name', 'provider'] }),
        },
        { requiredKeys: ['containerPath'] },
      ),
      { maxLength: 2 },
    ),
    forcePullImage: bool,
    parameters: fc.array(keyValue, { maxLength: 2 }),
  },
  { requiredKeys: ['image'] },
);

/** The fields every job may have, besides its name and its schedule or parents. */
const commonFields = {
  command: maybeNull(commands),
  shell: maybeNull(bool),
  executor: fc.constantFrom('', '/usr/local/bin/executor', 'mesos-executor'),
  executorFlags: text(20),
  taskInfoData: text(20),
  retries: maybeNull(count(10)),
  owner: maybeNull(owner),
  ownerName: text(20),
  description: maybeNull(text(80)),
  successCount: count(1_000_000),
  errorCount: count(1_000_000),
  lastSuccess: fc.oneof(fc.constant(''), isoInstant),
  lastError: fc.oneof(fc.constant(''), isoInstant),
  cpus: maybeNull(resource([0, 0.1, 0.25, 1, 2, 32], 0.01, 64)),
  disk: maybeNull(resource([0, 256, 1024, 10_240], 1, 1_000_000)),
  mem: maybeNull(resource([0, 128, 512, 4096], 1, 1_000_000)),
  disabled: bool,
  softError: bool,
  dataProcessingJobType: bool,
  errorsSinceLastSuccess: count(100),
  environmentVariables: fc.array(envVar, { maxLength: 3 }),
  arguments: fc.array(argument, { maxLength: 4 }),
  highPriority: bool,
  runAsUser: fc.oneof(fc.constant('root'), fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/)),
  concurrent: bool,
  maxCompletionTime: count(7 * 86_400),
  container: container,
  constraints: fc.array(constraint, { maxLength: 3 }),
  epsilon: fc.constantFrom('PT60S', 'PT5M', 'P1D', 'PT0S'),
  async: bool,
};

/** `fetch` or the deprecated `uris`, never both (Chronos refuses both on create). */
const downloads = fc.oneof(
  fc.record({ fetch: fc.array(fetchItem, { minLength: 1, maxLength: 3 }) }),
  fc.record({ uris: fc.array(url, { minLength: 1, maxLength: 3 }) }),
  fc.constant({}),
);

/** Commands safe to run anywhere (the fuzzer's jobs may run on a real cluster). */
export const SAFE_COMMANDS = fc.constantFrom('true', 'false', 'echo fuzz', 'sleep 0', 'exit 3', 'date', '');

/**
 * A valid job. `parents` are names of jobs that exist (a dependency job picks 1..3 of them);
 * with none, every job is a scheduled one. `commands` replaces the generated commands.
 */
export function validJob(opts: { prefix: string; parents?: readonly string[]; kinds?: readonly JobKind[]; commands?: fc.Arbitrary<string> }): fc.Arbitrary<GeneratedJob> {
  const parents = opts.parents ?? [];
  const kinds = (opts.kinds ?? ['iso8601', 'dependency']).filter((k) => k === 'iso8601' || parents.length > 0);
  const fields = fc.record({ name: validName(opts.prefix), ...commonFields, ...(opts.commands ? { command: opts.commands } : {}) }, { requiredKeys: ['name'] });
  const scheduled = fc.tuple(fields, downloads, validSchedule, fc.boolean()).map(([f, d, s, withZone]): GeneratedJob => ({
    kind: 'iso8601',
    body: { ...f, ...d, schedule: s.schedule, ...(withZone || s.scheduleTimeZone !== '' ? { scheduleTimeZone: s.scheduleTimeZone } : {}) },
  }));
  const dependent =
    parents.length === 0
      ? scheduled
      : fc.tuple(fields, downloads, fc.subarray([...parents], { minLength: 1, maxLength: Math.min(3, parents.length) }), fc.boolean()).map(([f, d, ps, dup]): GeneratedJob => ({
          kind: 'dependency',
          // a duplicate parent collapses (Chronos keeps a set)
          body: { ...f, ...d, parents: dup ? [...ps, ps[0]] : ps },
        }));
  if (kinds.length === 2) return fc.oneof({ weight: 3, arbitrary: scheduled }, { weight: 1, arbitrary: dependent });
  return kinds[0] === 'dependency' ? dependent : scheduled;
}

/** A valid scheduled job whose schedule starts at a given arbitrary (the schedule-acceptance property). */
export function validScheduledJob(prefix: string): fc.Arbitrary<GeneratedJob> {
  return validJob({ prefix, kinds: ['iso8601'] });
}

/** Every string leaf of a JSON value, with its path (top-level key first). */
export function stringLeaves(v: unknown, path: (string | number)[] = []): Array<(string | number)[]> {
  if (typeof v === 'string') return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, [...path, i]));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, [...path, k]));
  return [];
}

/** A deep copy of `v` with the value at `path` replaced by `f(old)`. */
export function updateAt(v: unknown, path: readonly (string | number)[], f: (old: unknown) => unknown): unknown {
  if (path.length === 0) return f(v);
  const [head, ...rest] = path;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? updateAt(x, rest, f) : x));
  const o = { ...(v as Record<string, unknown>) };
  o[head as string] = updateAt(o[head as string], rest, f);
  return o;
}

/** The value at `path`. */
export function valueAt(v: unknown, path: readonly (string | number)[]): unknown {
  let x = v;
  for (const p of path) x = (x as Record<string | number, unknown>)?.[p];
  return x;
}
