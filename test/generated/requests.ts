/**
 * Generated HTTP requests for a running server (the server property test and `npm run fuzz`):
 * job bodies (valid and hostile) on every upsert path, path segments (`%00`, `%ZZ`, `%C0`, `..`,
 * encoded lone surrogates, long and unicode names), query strings of every endpoint that reads
 * one, headers (`X-Sisyphus-Proxied-By`, bogus `Authorization`, content types and encodings,
 * forwarded hosts), requests without or with wrong credentials, and bodies over the size limit.
 * Request-line cases (`*`, absolute form, broken HTTP) are in raw-requests.ts.
 *
 * Placeholders filled in when the request is sent: `{job}` in a target is an existing job's name
 * (percent-encoded), `{parent}` one of the fixture parents.
 */
import fc from 'fast-check';
import type { Expect } from './job-mutations';
import { hostileJob } from './job-mutations';
import { validJob, validName, type JobKind } from './jobs';
import { refusedSchedule, validSchedule } from './schedules';

export interface RequestExpectation {
  expect: Expect;
  /** The field (or query parameter) a 400 must name. */
  field?: string;
  echoed?: string[];
  chronosMessage?: RegExp;
  /** Statuses other than 2xx and 400 that are a fine answer. */
  alsoAllowed?: number[];
  /** When set, the status must be one of these (and nothing else). */
  statuses?: number[];
}

export interface GenRequest {
  /** The generator that made it (the fuzzer's report groups by it). */
  label: string;
  method: string;
  /** The request target as sent (may hold `{job}`). */
  target: string;
  headers: Array<[string, string]>;
  /** A UTF-8 body. */
  body?: string;
  /** A body of this many bytes, built when sent (bodies over the size limit). */
  bigBody?: number;
  /** `good`: the server's credentials (when it has some); `none`: no Authorization; `bogus`: wrong ones. */
  auth: 'good' | 'none' | 'bogus';
  expect: RequestExpectation;
  /** The job an accepted answer created or replaced. */
  creates?: string;
  /** An accepted answer deleted the `{job}` the target names. */
  deletesJob?: boolean;
  /** A raw request (raw-requests.ts): these bytes on a fresh connection, instead of the fields above. */
  raw?: { text: string; encoding: 'utf8' | 'latin1' };
}

const base = (r: Omit<GenRequest, 'headers' | 'auth'> & Partial<Pick<GenRequest, 'headers' | 'auth'>>): GenRequest => ({ headers: [], auth: 'good', ...r });
const JSON_HEADERS: Array<[string, string]> = [['content-type', 'application/json']];

/* ------------------------------------------------------------------ job bodies */

/** A valid job posted to /iso8601 or /dependency (sometimes with PUT or on the 2.x path). */
export function validJobRequest(opts: { prefix: string; parents: readonly string[]; commands?: fc.Arbitrary<string> }): fc.Arbitrary<GenRequest> {
  return fc.tuple(validJob(opts), fc.constantFrom('POST', 'POST', 'POST', 'PUT'), fc.constantFrom('/v1/scheduler', '/v1/scheduler', '/scheduler')).map(([g, method, root]) =>
    base({ label: 'valid job', method, target: `${root}/${g.kind}`, headers: JSON_HEADERS, body: JSON.stringify(g.body), expect: { expect: 'accept' }, creates: String(g.body.name) }),
  );
}

/** A hostile variant of a valid job (job-mutations.ts). */
export function hostileJobRequest(opts: { prefix: string; parents: readonly string[]; commands?: fc.Arbitrary<string> }): fc.Arbitrary<GenRequest> {
  return hostileJob(opts).map((c) =>
    base({
      label: `hostile job: ${c.why.replace(/ in [\w.]+$/, ' in <field>').replace(/\d{3,}/g, 'N').slice(0, 60)}`,
      method: 'POST',
      target: `/v1/scheduler/${c.kind}`,
      headers: JSON_HEADERS,
      body: c.text,
      expect: { expect: c.expect, field: c.field, echoed: c.name !== undefined ? [c.name] : [], ...(c.chronosMessage ? { chronosMessage: c.chronosMessage } : {}) },
      ...(c.name !== undefined ? { creates: c.name } : {}),
    }),
  );
}

/* ------------------------------------------------------------------ path segments */

interface Segment {
  /** As written in the target. */
  text: string;
  kind: 'existing' | 'unknown' | 'hostile';
  /** The decoded name, for an unknown plain name (Chronos's "not found" sentence quotes it). */
  name?: string;
}

const pct = (s: string) => encodeURIComponent(s);

export const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Segment>({ text: '{job}', kind: 'existing' }) },
  { weight: 3, arbitrary: validName('fuzz-unknown-').map((n): Segment => ({ text: pct(n), kind: 'unknown', name: n })) },
  {
    weight: 5,
    arbitrary: fc.constantFrom<string>(
      '%00', 'a%00b', '%ZZ', '%', '%C0', '%C0%AE', '%C0%AE%C0%AE', '%E0%80%80', '%ED%A0%80', '%ED%BF%BF', '%F4%90%80%80', '%FF',
      '..', '.', '%2e%2e', '%2E', '%2F', 'a%2Fb', '..%2F..%2Fetc%2Fpasswd', '%5C', 'a%5Cb', '%0A', '%0D%0A', '%09', '%7F', '%20', '+', ';', 'a;b', '%3B',
      '~', '*', '%2A', '$', '%24%7B', '%7B%7D', '%25', '%2500', 'ct:1:0:a:', '%E2%80%AE', '%EF%BB%BF',
    ).map((text): Segment => ({ text, kind: 'hostile' })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 6000 }).map((n): Segment => ({ text: 'n'.repeat(n), kind: 'hostile' })) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((s): Segment => ({ text: pct(s), kind: /^[\w.-]+$/.test(s) && s !== '.' && s !== '..' ? 'unknown' : 'hostile', name: s })) },
);

type SegmentRoute = (s: Segment) => Pick<GenRequest, 'method' | 'target' | 'expect'> & Partial<Pick<GenRequest, 'body' | 'headers' | 'deletesJob'>>;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const notFound = (s: Segment, word: 'Job' | 'JobSchedule') => (s.kind === 'unknown' && s.name && /^[\w.-]+$/.test(s.name) ? new RegExp(`^${word} '${esc(s.name)}' not found$`) : undefined);
const chronosLookup = (s: Segment, ok: Expect, word: 'Job' | 'JobSchedule' = 'Job') => {
  const nf = notFound(s, word);
  return { expect: s.kind === 'existing' ? ok : s.kind === 'unknown' ? ('reject' as const) : ('either' as const), ...(nf ? { chronosMessage: nf } : {}) };
};

const SEGMENT_ROUTES: SegmentRoute[] = [
  (s) => ({ method: 'GET', target: `/v1/scheduler/job/${s.text}`, expect: chronosLookup(s, 'accept') }),
  (s) => ({ method: 'PUT', target: `/v1/scheduler/job/${s.text}`, expect: chronosLookup(s, 'accept') }),
  (s) => ({ method: 'DELETE', target: `/v1/scheduler/job/${s.text}`, expect: chronosLookup(s, 'accept', 'JobSchedule'), deletesJob: s.kind === 'existing' }),
  (s) => ({ method: 'GET', target: `/v1/scheduler/job/stat/${s.text}`, expect: chronosLookup(s, 'accept') }),
  (s) => ({ method: 'PUT', target: `/v1/scheduler/job/success/${s.text}`, expect: { expect: s.kind === 'hostile' ? 'either' : 'accept' } }),
  (s) => ({ method: 'DELETE', target: `/v1/scheduler/task/kill/${s.text}`, expect: { expect: s.kind === 'existing' ? 'accept' : s.kind === 'unknown' ? 'reject' : 'either' } }),
  (s) => ({ method: 'GET', target: `/v1/scheduler/stats/${s.text}`, expect: { expect: 'either' } }),
  (s) => ({ method: 'GET', target: `/scheduler/job/${s.text}`, expect: chronosLookup(s, 'accept') }),
  (s) => ({ method: 'POST', target: `/v1/scheduler/job/${s.text}/task/ct:1700000000000:0:${s.text}:/progress`, headers: JSON_HEADERS, body: '{"numAdditionalElementsProcessed":1}', expect: { expect: 'either' } }),
  (s) => ({ method: 'POST', target: `/v1/scheduler/job/{job}/task/${s.text}/progress`, headers: JSON_HEADERS, body: '{"numAdditionalElementsProcessed":1}', expect: { expect: 'either' } }),
  (s) => ({ method: 'PUT', target: `/scheduler/task/${s.text}`, headers: JSON_HEADERS, body: '{"statusCode":0}', expect: { expect: 'either' } }),
  (s) => ({ method: 'GET', target: `/api/jobs/${s.text}`, expect: { expect: s.kind === 'existing' ? 'accept' : 'either', alsoAllowed: [404] } }),
  (s) => ({ method: 'GET', target: `/api/jobs/${s.text}/next?n=3`, expect: { expect: s.kind === 'existing' ? 'accept' : 'either', alsoAllowed: [404] } }),
  (s) => ({ method: 'GET', target: `/api/runs/${s.text}/log?file=stdout&offset=-1&length=100`, expect: { expect: 'either', alsoAllowed: [404] } }),
  // pages: Next.js may redirect a non-canonical path once (308), e.g. /jobs/%2E → /jobs
  (s) => ({ method: 'GET', target: `/jobs/${s.text}`, expect: { expect: 'either', alsoAllowed: [404, 308] } }),
  (s) => ({ method: 'GET', target: `/jobs/${s.text}/edit`, expect: { expect: 'either', alsoAllowed: [404, 308] } }),
];

/** A request whose path holds a generated segment. */
export const segmentRequest: fc.Arbitrary<GenRequest> = fc.tuple(segment, fc.nat(SEGMENT_ROUTES.length - 1)).map(([s, i]) => {
  const r = SEGMENT_ROUTES[i](s);
  const route = r.target.replace(s.text, '<seg>').replace(/\?.*$/, '');
  return base({ ...r, label: `path ${r.method} ${route} (${s.kind === 'hostile' ? s.text.slice(0, 16) : s.kind})`, headers: r.headers ?? [] });
});

/** Paths that are no route, or odd spellings of one. */
export const oddPathRequest: fc.Arbitrary<GenRequest> = fc
  .tuple(
    fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    fc.constantFrom(
      '/', '//', '/v1', '/v1/', '/v1/scheduler', '/v1/scheduler/', '/v1/scheduler/jobs/', '/v1//scheduler/jobs', '/v1/scheduler/../scheduler/jobs', '/V1/SCHEDULER/JOBS',
      '/%2e%2e/%2e%2e/etc/passwd', '/_next/..%2f..%2fpackage.json', '/_next/static/%00', '/_next/static/chunks/%ZZ.js', '/_next/image?url=%00&w=1&q=1', '/_next/data/x/y.json',
      '/api', '/api/', '/api/nothing', '/scheduler', '/scheduler/', '/v1/scheduler/job', '/v1/scheduler/job/', '/v1/scheduler/iso8601/', '/metrics', '/metrics/prometheus', '/ping',
      '/favicon.ico', '/robots.txt', '/jobs', '/jobs/new', '/graph', '/runs', '/cluster', '/%00', '/%ZZ', '/jobs?x=%00', '/ping?%ZZ', '/' + 'a/'.repeat(500), '/elk-worker.js',
    ),
  )
  .map(([method, target]) => base({ label: `odd path ${method} ${target.slice(0, 40)}`, method, target, expect: { expect: 'either', alsoAllowed: [301, 308, 404, 405, 401, 413, 414, 431] } }));

/* ------------------------------------------------------------------ query strings */

const queryValue: fc.Arbitrary<{ text: string; hasNul: boolean }> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => ({ text: pct(s), hasNul: false })),
  fc.constantFrom('0', '1', '10', '-1', '1e3', '5.0', ' 5 ', '0x10', '99999999999999999999', '9007199254740993', 'NaN', '', 'true', 'null').map((s) => ({ text: pct(s), hasNul: false })),
  fc.constantFrom('%00', 'a%00', '%ZZ', '%', '%C0', '%ED%A0%80', '%FF%FE', '%0A%0D', '+', '%2B', '&', '=', '==', '%26%3D').map((s) => ({ text: s, hasNul: s.includes('%00') })),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => ({ text: 'q'.repeat(n), hasNul: false })),
);

interface QueryRoute {
  method: string;
  path: string;
  params: string[];
  /** Params that hold text used in a query (NUL must be a 400 naming them). */
  text?: string[];
  ui?: boolean;
}

const QUERY_ROUTES: QueryRoute[] = [
  { method: 'GET', path: '/v1/scheduler/jobs/search', params: ['name', 'command', 'any', 'limit', 'offset'], text: ['name', 'command', 'any'] },
  { method: 'PUT', path: '/v1/scheduler/job/{job}', params: ['arguments'] },
  { method: 'GET', path: '/api/jobs', params: ['q', 'status', 'state', 'owner', 'disabled', 'kind', 'sort', 'dir', 'offset', 'limit'], text: ['q', 'owner'], ui: true },
  { method: 'GET', path: '/api/runs', params: ['job', 'state', 'from', 'to', 'limit', 'cursor'], text: ['job'], ui: true },
  { method: 'GET', path: '/api/runs/timeline', params: ['job', 'state', 'from', 'to', 'limit', 'cursor'], text: ['job'], ui: true },
  { method: 'GET', path: '/api/graph', params: ['focus', 'layout'], text: ['focus'], ui: true },
  { method: 'GET', path: '/api/jobs/{job}/next', params: ['n'], ui: true },
  { method: 'GET', path: '/api/preview', params: ['schedule', 'zone', 'n'], ui: true },
  { method: 'GET', path: '/api/dashboard', params: ['x'], ui: true },
  { method: 'GET', path: '/v1/scheduler/jobs', params: ['x'] },
  { method: 'GET', path: '/jobs', params: ['q', 'status', 'sort'] },
];

/** A query string of generated values (also repeated keys, keys without `=`, stray `&`). */
export const queryRequest: fc.Arbitrary<GenRequest> = fc
  .tuple(
    fc.nat(QUERY_ROUTES.length - 1),
    fc.array(fc.tuple(fc.nat(20), queryValue, fc.constantFrom('=', '=', '=', '', '=='), fc.constantFrom('&', '&', '&&', ';')), { minLength: 1, maxLength: 4 }),
  )
  .map(([i, items]) => {
    const route = QUERY_ROUTES[i];
    let nulIn: string | undefined;
    const parts = items.map(([k, v, eq, sep]) => {
      const key = route.params[k % route.params.length];
      if (v.hasNul && eq !== '' && route.text?.includes(key)) nulIn ??= key;
      return `${key}${eq}${eq === '' ? '' : v.text}${sep}`;
    });
    // a target over Node's header limit (16 KiB) is a 431 before any route sees it
    const tooLong = [414, 431];
    const expect: RequestExpectation = nulIn
      ? { expect: 'reject', field: nulIn, alsoAllowed: tooLong }
      : { expect: 'either', alsoAllowed: [...tooLong, ...(route.ui || !route.path.startsWith('/v1') ? [404, 308] : [])] };
    return base({ label: `query ${route.method} ${route.path}${nulIn ? ' (NUL)' : ''}`, method: route.method, target: `${route.path}?${parts.join('')}`, expect });
  });

/** Manual runs with generated arguments (a task id Mesos can take, or a 400 naming `arguments`). */
export const manualRunRequest: fc.Arbitrary<GenRequest> = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_=.,:@+'.split('')), maxLength: 40 }),
    fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom('/', '\\', '\u0000', '\n', '\u001f', '\u007f'), fc.string({ maxLength: 8 })).map((p) => p.join('')),
    fc.integer({ min: 300, max: 3000 }).map((n) => 'a'.repeat(n)),
  )
  .map((args) => {
    const cleaned = args.replaceAll(';', '');
    const bytes = Buffer.byteLength(cleaned);
     
    const unfit = /[/\\\u0000-\u001f\u007f]/.test(cleaned) || bytes > 255;
    // short plain arguments make a short task id whatever the job's name (at most ~60 bytes besides)
    const fits = !unfit && cleaned.trim() !== '' && bytes <= 150;
    return base({
      label: `manual run arguments${unfit ? ' (unfit for a task id)' : ''}`,
      method: 'PUT',
      target: `/v1/scheduler/job/{job}?arguments=${pct(args)}`,
      expect: { expect: unfit ? 'reject' : fits ? 'accept' : 'either', field: 'arguments', echoed: [args, cleaned] },
    });
  });

/** Schedules for /api/preview: valid ones are previewed, refused ones are a 400. */
export const previewRequest: fc.Arbitrary<GenRequest> = fc.oneof(
  validSchedule.map((s) => base({ label: 'preview valid schedule', method: 'GET', target: `/api/preview?schedule=${pct(s.schedule)}&zone=${pct(s.scheduleTimeZone)}&n=10`, expect: { expect: 'accept' } })),
  refusedSchedule
    .filter((s) => !/[\ud800-\udfff]/.test(s.schedule))
    .map((s) => base({ label: `preview refused schedule (${s.why})`, method: 'GET', target: `/api/preview?schedule=${pct(s.schedule)}&zone=${pct(s.scheduleTimeZone)}&n=10`, expect: { expect: 'either' } })),
);

/* ------------------------------------------------------------------ headers, credentials, sizes */

const headerText = fc.string({ unit: fc.oneof(fc.constantFrom(...'\t !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'.split('')), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c))), maxLength: 60 });

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export const bogusAuthorization: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Basic ====', 'Basic Og==', 'Bearer abc', 'Digest username="x"', 'basic', `Basic ${b64('user:wrong')}`, `Basic ${b64('\u0000:\u0000')}`, `Basic ${b64('x'.repeat(5000))}`, `Basic ${'A'.repeat(8000)}`),
  headerText.map((s) => `Basic ${b64(s)}`),
  headerText,
);

const headerMutation: fc.Arbitrary<[string, string]> = fc.oneof(
  headerText.map((v): [string, string] => ['X-Sisyphus-Proxied-By', v]),
  fc.constantFrom<[string, string]>(
    ['X-Sisyphus-Proxied-By', '127.0.0.1:1'],
    ['X-Sisyphus-Proxied-By', ''],
    ['content-type', 'text/plain'],
    ['content-type', 'application/json; charset=latin1'],
    ['content-type', 'multipart/form-data; boundary=x'],
    ['content-type', 'application/x-www-form-urlencoded'],
    ['accept-encoding', 'gzip'],
    ['accept-encoding', 'br, deflate, zstd'],
    ['accept-encoding', 'gzip;q=0, *;q=0'],
    ['accept', 'text/html'],
    ['accept', '*/*;q=abc'],
    ['x-forwarded-host', 'evil.example'],
    ['x-forwarded-proto', 'https'],
    ['x-forwarded-for', '1.2.3.4, ::1, garbage'],
    ['host', 'evil.example'],
    ['host', 'localhost:1'],
    ['origin', 'http://evil.example'],
    ['cookie', '=; a=b; ;;; __Host-x=%00'],
    ['range', 'bytes=0-10'],
    ['range', 'bytes=99999999999-'],
    ['if-none-match', '*'],
    ['if-modified-since', 'garbage'],
    ['content-encoding', 'gzip'],
    ['rsc', '1'],
    ['next-router-state-tree', '%7B%22garbage'],
    ['next-router-prefetch', '1'],
    ['next-action', 'abc'],
    ['x-middleware-subrequest', 'middleware:middleware:middleware:middleware:middleware'],
    ['x-invoke-path', '/api/jobs'],
  ),
  fc.integer({ min: 4000, max: 12_000 }).map((n): [string, string] => ['x-long', 'v'.repeat(n)]),
);

const baseRequests: Array<Omit<GenRequest, 'label' | 'auth' | 'headers'>> = [
  { method: 'GET', target: '/v1/scheduler/jobs/summary', expect: { expect: 'accept' } },
  { method: 'GET', target: '/ping', expect: { expect: 'accept' } },
  { method: 'GET', target: '/api/dashboard', expect: { expect: 'accept' } },
  { method: 'GET', target: '/v1/scheduler/job/{job}', expect: { expect: 'accept' } },
  { method: 'GET', target: '/', expect: { expect: 'accept' } },
  { method: 'GET', target: '/jobs', expect: { expect: 'accept' } },
  { method: 'POST', target: '/v1/scheduler/iso8601', body: '{"name":"fuzz-headers","command":"true","schedule":"R/2030-01-01T00:00:00Z/P1D"}', expect: { expect: 'accept' }, creates: 'fuzz-headers' },
];

/** A plain request with one to three odd headers (accept-ish: any non-5xx answer). */
export const headerRequest: fc.Arbitrary<GenRequest> = fc.tuple(fc.constantFrom(...baseRequests), fc.array(headerMutation, { minLength: 1, maxLength: 3 })).map(([r, hs]) =>
  base({
    ...r,
    label: `headers ${hs.map(([k]) => k).join(',')}`,
    headers: [...(r.body ? JSON_HEADERS : []), ...hs],
    // odd headers may make any request a 4xx (e.g. 431, 400 for a gzip body that is not); never a 5xx
    expect: { expect: 'either', alsoAllowed: [401, 404, 413, 415, 416, 417, 431] },
  }),
);

/**
 * The same requests without credentials or with wrong ones: a 401 where credentials are required,
 * also with the headers that once let a request skip Next.js middleware (CVE-2025-29927).
 */
export const credentialsRequest: fc.Arbitrary<GenRequest> = fc
  .tuple(fc.constantFrom(...baseRequests), fc.option(bogusAuthorization, { nil: undefined }), fc.option(fc.constantFrom('middleware', 'middleware:middleware:middleware:middleware:middleware', 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware', 'proxy:proxy:proxy:proxy:proxy'), { nil: undefined }))
  .map(([r, bogus, bypass]) =>
    base({
      ...r,
      label: `${bogus === undefined ? 'no credentials' : 'bogus credentials'}${bypass ? ' + x-middleware-subrequest' : ''}`,
      auth: bogus === undefined ? 'none' : 'bogus',
      headers: [
        ...(r.body ? JSON_HEADERS : []),
        ...(bogus === undefined ? [] : [['authorization', bogus] as [string, string]]),
        ...(bypass ? [['x-middleware-subrequest', bypass] as [string, string]] : []),
      ],
    }),
  );

/** Bodies over the limit (413 as soon as the limit is passed), also with wrong credentials (401 first). */
export function oversizeRequest(limitBytes: number): fc.Arbitrary<GenRequest> {
  return fc
    .tuple(fc.integer({ min: 1, max: 2 * 1024 * 1024 }), fc.constantFrom('/v1/scheduler/iso8601', '/v1/scheduler/dependency', '/api/validate', '/api/jobs/bulk', '/scheduler/task/ct:1:0:a:'), fc.boolean())
    .map(([extra, target, badAuth]) =>
      base({
        label: `body over the limit${badAuth ? ' with wrong credentials' : ''}`,
        method: target.startsWith('/scheduler/task') ? 'PUT' : 'POST',
        target,
        headers: JSON_HEADERS,
        bigBody: limitBytes + extra,
        auth: badAuth ? 'bogus' : 'good',
        // (a server with credentials must answer 401 to the wrong ones before reading the body)
        expect: { expect: 'reject', statuses: [413] },
      }),
    );
}

export type { JobKind };
