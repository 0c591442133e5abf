/**
 * Hostile variants of valid jobs: one change each, so a 400 must name the field the change is
 * in. Each case says what the product must do with it:
 *
 *   reject   a 400 naming `field` (NUL or a lone surrogate in any string, `.`/`..`/long/unicode
 *            names, unrepresentable schedules, unknown zones, non-object bodies, malformed JSON,
 *            objects where a scalar belongs, both `uris` and `fetch`, empty or unknown parents);
 *   accept   a 204 (unknown keys, `null` values, an unknown constraint operator, duplicate
 *            parents: Chronos accepts them);
 *   either   a 204, or a 400 naming `field` (other control characters, wrong scalar types that
 *            Jackson would coerce, huge strings and numbers, negative numbers).
 *
 * Never a 5xx, in any case.
 */
import fc from 'fast-check';
import { refusedSchedule } from './schedules';
import { stringLeaves, updateAt, validJob, type GeneratedJob, type JobKind } from './jobs';

export type Expect = 'accept' | 'reject' | 'either';

export interface JobCase {
  kind: JobKind;
  /** The request body exactly as sent. */
  text: string;
  /** The top-level field the change is in; `body` for the body as a whole. */
  field: string;
  expect: Expect;
  /** What the change is, for the report. */
  why: string;
  /** The job name in the body, when it has a string one. */
  name?: string;
  /** The exact Chronos wording the 400 must have, where Chronos has a rule. */
  chronosMessage?: RegExp;
}

const json = (v: unknown) => JSON.stringify(v);

const nameOf = (body: unknown): string | undefined => {
  const n = (body as { name?: unknown } | null)?.name;
  return typeof n === 'string' ? n : undefined;
};

const caseOf = (g: GeneratedJob, body: unknown, field: string, expect: Expect, why: string, extra: Partial<JobCase> = {}): JobCase => ({
  kind: g.kind,
  text: json(body),
  field,
  expect,
  why,
  ...(nameOf(body) !== undefined ? { name: nameOf(body) } : {}),
  ...extra,
});

/** Characters no job string may hold (PostgreSQL cannot store NUL; lone surrogates are not text). */
const FORBIDDEN = ['\u0000', '\ud800', '\udfff', '\udc00x', 'a\ud83d'];
/** Characters a job string may or may not be allowed to hold. */
const DUBIOUS = ['\u0001', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\ufeff', '\uffff', '\ufffe'];

/** One string anywhere in the job (its name included) gets a forbidden or a dubious character. */
const badCharacter = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc.tuple(jobs, fc.nat(), fc.nat(), fc.boolean(), fc.nat()).map(([g, i, at, forbidden, c]) => {
    const leaves = stringLeaves(g.body);
    const path = leaves[i % leaves.length];
    const chars = forbidden ? FORBIDDEN : DUBIOUS;
    const ch = chars[c % chars.length];
    const body = updateAt(g.body, path, (old) => {
      // between two code points: never inside a surrogate pair (that would make lone surrogates)
      const cps = Array.from(old as string);
      const k = at % (cps.length + 1);
      return [...cps.slice(0, k), ch, ...cps.slice(k)].join('');
    });
    const field = String(path[0]);
    // the name must match [\w.-]+: any of these characters makes it invalid
    const expect: Expect = forbidden || field === 'name' ? 'reject' : 'either';
    return caseOf(g, body, field, expect, `${JSON.stringify(ch)} in ${path.join('.')}`);
  });

const SCALAR_FIELDS: Record<string, 'string' | 'boolean' | 'number'> = {
  command: 'string',
  executor: 'string',
  executorFlags: 'string',
  taskInfoData: 'string',
  owner: 'string',
  ownerName: 'string',
  description: 'string',
  lastSuccess: 'string',
  lastError: 'string',
  runAsUser: 'string',
  schedule: 'string',
  scheduleTimeZone: 'string',
  shell: 'boolean',
  disabled: 'boolean',
  softError: 'boolean',
  dataProcessingJobType: 'boolean',
  highPriority: 'boolean',
  concurrent: 'boolean',
  retries: 'number',
  successCount: 'number',
  errorCount: 'number',
  errorsSinceLastSuccess: 'number',
  cpus: 'number',
  mem: 'number',
  disk: 'number',
  maxCompletionTime: 'number',
};
const ARRAY_FIELDS = ['fetch', 'uris', 'environmentVariables', 'arguments', 'constraints'];

const deepArray = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const wrongValue = fc.oneof(
  fc.constantFrom<unknown>(1, -1, 0.5, true, false, 'yes', '', '1', 'true', [], ['x'], {}, { a: 1 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A field gets a value of the wrong type. */
const wrongType = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc.tuple(jobs, fc.constantFrom(...Object.keys(SCALAR_FIELDS), ...ARRAY_FIELDS, 'name', 'container', 'parents'), wrongValue).map(([g, field, value]) => {
    if (field === 'parents' && g.kind !== 'dependency') field = 'name';
    if ((field === 'schedule' || field === 'scheduleTimeZone') && g.kind !== 'iso8601') field = 'command';
    const body = { ...g.body, [field]: value };
    const isObject = value !== null && typeof value === 'object';
    const type = SCALAR_FIELDS[field];
    let expect: Expect;
    if (value === null) expect = field === 'name' || field === 'parents' ? 'reject' : 'accept';
    else if (field === 'name') expect = typeof value === 'string' && /^[\w.-]+$/.test(value) ? 'accept' : 'reject';
    else if (field === 'container') expect = 'either'; // parsed only when it has an image
    else if (type) expect = isObject ? 'reject' : 'either'; // Jackson coerces some scalars
    else expect = Array.isArray(value) ? 'either' : 'reject'; // an array field given a non-array
    if (field === 'parents' && Array.isArray(value) && value.length === 0) expect = 'reject';
    return caseOf(g, body, field, expect, `${field} = ${JSON.stringify(value)}`);
  });

/** Huge strings, huge and negative numbers. */
const extremeValue = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc.oneof(
    fc.tuple(jobs, fc.nat(), fc.integer({ min: 100_000, max: 400_000 })).map(([g, i, n]) => {
      const leaves = stringLeaves(g.body);
      const path = leaves[i % leaves.length];
      const field = String(path[0]);
      const body = updateAt(g.body, path, () => 'x'.repeat(n));
      return caseOf(g, body, field, field === 'name' ? 'reject' : 'either', `${n}-character string in ${path.join('.')}`);
    }),
    fc
      .tuple(
        jobs,
        fc.constantFrom('retries', 'successCount', 'errorCount', 'errorsSinceLastSuccess', 'cpus', 'mem', 'disk', 'maxCompletionTime'),
        fc.constantFrom('1e308', '-1e308', '1e999', '-1', '-0.0001', '2147483648', '9223372036854775807', '9223372036854775808', '18446744073709551616', '1.5', '4e-324', '1' + '0'.repeat(400)),
      )
      .map(([g, field, num]) => {
        const text = json({ ...g.body, [field]: 0 }).replace(`"${field}":0`, `"${field}":${num}`);
        return { ...caseOf(g, g.body, field, 'either', `${field} = ${num}`), text };
      }),
  );

/** Names Chronos refuses (`[\w.-]+`) and names a Mesos task id cannot hold. */
const badName = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc
    .tuple(
      jobs,
      fc.oneof(
        fc.constantFrom('.', '..', '', ' ', 'a b', 'a/b', 'a\\b', '../x', 'café', 'работа', '名前', 'emoji-\u{1f600}', 'a%2Fb', 'a:b', 'a\nb', '\u0000', 'x\ud800'),
        fc.integer({ min: 256, max: 5000 }).map((n) => 'n'.repeat(n)),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !/^[\w.-]+$/.test(s)),
      ),
    )
    .map(([g, name]) => caseOf(g, { ...g.body, name }, 'name', 'reject', `name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…(${name.length})` : name)}`));

/** A scheduled job with a schedule that must be refused. */
const badSchedule = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc.tuple(jobs, refusedSchedule).map(([g, s]) => {
    const body = { ...g.body, schedule: s.schedule, scheduleTimeZone: s.scheduleTimeZone };
    // Chronos's own sentence for a string that is not R[n]/<start>/<period> at all
     
    const plain = s.why === 'not a schedule' && !/[\u0000-\u001f\ud800-\udfff]/.test(s.schedule) && s.schedule.trim().split(/\s+/).length !== 5;
    const chronosMessage = plain ? new RegExp(`^Cannot parse schedule '${s.schedule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' \\(wtf bro\\)$`) : undefined;
    return caseOf({ ...g, kind: 'iso8601' }, body, s.field, 'reject', `${s.why}: ${JSON.stringify(s.schedule)} zone ${JSON.stringify(s.scheduleTimeZone)}`, chronosMessage ? { chronosMessage } : {});
  });

/** Changes Chronos accepts: unknown keys (also deep garbage), nulls, unknown constraint operators. */
const accepted = (jobs: fc.Arbitrary<GeneratedJob>) =>
  fc.oneof(
    fc.tuple(jobs, fc.constantFrom('foo', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Name', 'NAME', ''), fc.jsonValue({ maxDepth: 4 })).map(([g, k, v]) =>
      // `__proto__` must be an own key of the JSON text, as a client would send it
      ({ ...caseOf(g, g.body, k, 'accept', `unknown key ${JSON.stringify(k)}`), text: json(g.body).replace(/^\{/, `{${JSON.stringify(k)}:${json(v)},`) }),
    ),
    fc.tuple(jobs, fc.integer({ min: 100, max: 5000 })).map(([g, depth]) => ({
      ...caseOf(g, g.body, 'body', 'either', `unknown key nested ${depth} deep`),
      text: json(g.body).replace(/^\{/, `{"garbage":${deepArray(depth)},`),
    })),
    fc.tuple(jobs, fc.constantFrom(...Object.keys(SCALAR_FIELDS).filter((k) => k !== 'schedule'), 'container', 'fetch', 'uris', 'constraints')).map(([g, k]) =>
      caseOf(g, { ...g.body, [k]: null }, k, 'accept', `${k} = null`),
    ),
    jobs.map((g) => caseOf(g, { ...g.body, constraints: [['rack', 'GROUP_BY', 'x'], ['host', 'CLUSTER', '']] }, 'constraints', 'accept', 'unknown constraint operators (dropped)')),
  );

/** Changes across fields that Chronos has a rule for. */
const ruleBreaks = (jobs: fc.Arbitrary<GeneratedJob>, deps: fc.Arbitrary<GeneratedJob> | null) => {
  const cases: fc.Arbitrary<JobCase>[] = [
    jobs.map((g) => {
      const name = String(g.body.name);
      const body = { ...g.body, uris: ['http://a/x'], fetch: [{ uri: 'http://a/y' }] };
      return caseOf(g, body, 'fetch', 'reject', 'both uris and fetch', { chronosMessage: new RegExp(`^Tried to add both uri \\(deprecated\\) and fetch parameters on ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
    }),
    jobs.map((g) => caseOf(g, { ...g.body, constraints: [['rack', 'LIKE', '(unclosed']] }, 'constraints', 'reject', 'bad LIKE regex')),
    fc.tuple(jobs, fc.constantFrom<unknown>(70000, -1, 'abc', 1.5, 65536)).map(([g, p]) =>
      caseOf(g, { ...g.body, container: { image: 'busybox', networkInfos: [{ portMappings: [{ hostPort: p, containerPort: 80 }] }] } }, 'container', 'reject', `port ${JSON.stringify(p)}`),
    ),
    jobs.map((g) => caseOf(g, { ...g.body, container: { image: 'busybox', network: 'WIFI' } }, 'container', 'reject', 'unknown network')),
  ];
  if (deps) {
    cases.push(
      deps.map((g) => caseOf(g, { ...g.body, parents: [] }, 'parents', 'reject', 'empty parents')),
      fc.tuple(deps, fc.stringMatching(/^zz-missing-[a-z0-9]{1,12}$/)).map(([g, p]) => caseOf(g, { ...g.body, parents: [p] }, 'parents', 'reject', 'unknown parent')),
      deps.map((g) => caseOf(g, { ...g.body, parents: [g.body.name] }, 'parents', 'reject', 'its own parent')),
    );
  }
  return fc.oneof(...cases);
};

/** Bodies that are not a job object at all, or not JSON. `prefix` names the one job among them. */
export const badBody = (prefix: string): fc.Arbitrary<JobCase> => fc.oneof(
  fc.constantFrom('null', '[]', '1', '"job"', 'true', '[{"name":"x"}]', '{}', '{"name":null}', '""').map((text): JobCase => ({ kind: 'iso8601', text, field: text === '{}' || text === '{"name":null}' ? 'name' : 'body', expect: 'reject', why: `body ${text}` })),
  fc
    .constantFrom('', ' ', '{', '{"name":', '{"name":"a",}', "{'name':'a'}", '{"name":"a"} x', '{"name":NaN}', '/* c */{"name":"a"}', '{"name":"a"\u0000}', '\u0000', deepArray(20_000), '{"a":'.repeat(5000))
    .map((text): JobCase => ({ kind: 'iso8601', text, field: 'body', expect: 'reject', why: `malformed JSON ${JSON.stringify(text.slice(0, 30))}` })),
  // a byte-order mark: Jackson skips it, a UTF-8 decoder drops it
  fc.constant<JobCase>({ kind: 'iso8601', text: `\ufeff{"name":"${prefix}bom","schedule":"R//PT1H"}`, field: 'body', expect: 'either', why: 'a byte-order mark before the JSON', name: `${prefix}bom` }),
  fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }).map((text): JobCase => ({ kind: 'iso8601', text, field: 'body', expect: 'reject', why: 'random text' })),
);

/**
 * One hostile variant of a valid job. `parents` are existing job names (for dependency jobs and
 * their rule breaks); `prefix` starts every generated valid name.
 */
export function hostileJob(opts: { prefix: string; parents?: readonly string[]; commands?: fc.Arbitrary<string> }): fc.Arbitrary<JobCase> {
  const all = validJob(opts);
  const scheduled = validJob({ ...opts, kinds: ['iso8601'] });
  const deps = opts.parents && opts.parents.length > 0 ? validJob({ ...opts, kinds: ['dependency'] }) : null;
  return fc.oneof(
    { weight: 4, arbitrary: badCharacter(all) },
    { weight: 3, arbitrary: wrongType(all) },
    { weight: 2, arbitrary: extremeValue(all) },
    { weight: 2, arbitrary: badName(all) },
    { weight: 3, arbitrary: badSchedule(scheduled) },
    { weight: 2, arbitrary: accepted(all) },
    { weight: 2, arbitrary: ruleBreaks(all, deps) },
    { weight: 1, arbitrary: badBody(opts.prefix) },
  );
}

