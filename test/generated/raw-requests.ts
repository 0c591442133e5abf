/**
 * Requests written byte by byte on a socket (node:net), for what fetch and node:http cannot send:
 * the request targets `*` (`OPTIONS *`, `GET *`) and absolute form (`GET http://host/ping`),
 * odd methods and versions, raw UTF-8 and control bytes in the target, broken header syntax,
 * conflicting lengths, and a body declared far larger than the limit (the 413 must come as soon
 * as the limit is passed, not after the rest arrives). Also credentials checked before the body:
 * a declared body that never comes must still get its 401.
 *
 * Placeholders: `{host}` is host:port, `{auth}` the Authorization header line (or nothing),
 * `{job}` an existing job's name. Every request asks the server to close the connection after
 * its answer, so "answered" and "closed without an answer" can be told from "hangs".
 */
import fc from 'fast-check';
import type { GenRequest, RequestExpectation } from './requests';

const CRLF = '\r\n';

const raw = (label: string, text: string, expect: RequestExpectation, encoding: 'utf8' | 'latin1' = 'utf8', extra: Partial<GenRequest> = {}): GenRequest => ({
  label,
  method: text.slice(0, text.indexOf(' ')) || '?',
  target: text.split(CRLF)[0].slice(0, 200),
  headers: [],
  auth: 'good',
  expect,
  raw: { text, encoding },
  ...extra,
});

/** A request line and headers; `{auth}` is placed after the Host header. */
const request = (line: string, headers: string[] = [], body = '') =>
  `${line}${CRLF}Host: {host}${CRLF}{auth}${headers.map((h) => h + CRLF).join('')}Connection: close${CRLF}${body ? `Content-Length: ${Buffer.byteLength(body)}${CRLF}` : ''}${CRLF}${body}`;

/** Never a 5xx; closed without an answer is fine for a request HTTP cannot parse. */
const ANY: RequestExpectation = { expect: 'either', alsoAllowed: [0, 301, 302, 307, 308, 401, 404, 405, 408, 414, 417, 431, 501, 505] };

const JOB = '{"name":"fuzz-raw","command":"true","schedule":"R/2030-01-01T00:00:00Z/P1D"}';

export const requestLineCases: GenRequest[] = [
  // the asterisk form: a 400 or an answer about the server, never a 500 or a redirect loop
  raw('asterisk OPTIONS *', request('OPTIONS * HTTP/1.1'), { expect: 'either', alsoAllowed: [404, 405] }),
  raw('asterisk GET *', request('GET * HTTP/1.1'), { expect: 'either', alsoAllowed: [404, 405] }),
  raw('asterisk POST *', request('POST * HTTP/1.1', ['Content-Type: application/json'], JOB), { expect: 'either', alsoAllowed: [404, 405] }),
  raw('asterisk DELETE *', request('DELETE * HTTP/1.1'), { expect: 'either', alsoAllowed: [404, 405] }),
  raw('asterisk OPTIONS * preflight', request('OPTIONS * HTTP/1.1', ['Origin: http://x', 'Access-Control-Request-Method: GET']), { expect: 'either', alsoAllowed: [404, 405] }),
  // absolute form: served as the path it names, or a 400
  raw('absolute-form GET /ping', request('GET http://{host}/ping HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form GET /v1/scheduler/jobs', request('GET http://{host}/v1/scheduler/jobs HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form GET /v1/scheduler/job/{job}', request('GET http://{host}/v1/scheduler/job/{job} HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form POST /v1/scheduler/iso8601', request('POST http://{host}/v1/scheduler/iso8601 HTTP/1.1', ['Content-Type: application/json'], JOB), { expect: 'either', statuses: [204, 400] }, 'utf8', { creates: 'fuzz-raw' }),
  raw('absolute-form GET /', request('GET http://{host}/ HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form GET /jobs', request('GET http://{host}/jobs HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form GET /api/dashboard', request('GET http://{host}/api/dashboard HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form other host', request('GET http://evil.example/v1/scheduler/jobs HTTP/1.1'), { expect: 'either', statuses: [200, 400, 404, 421] }),
  raw('absolute-form https', request('GET https://{host}/ping HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form userinfo', request('GET http://u:p@{host}/ping HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form no path', request('GET http://{host} HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form query only', request('GET http://{host}?x=1 HTTP/1.1'), { expect: 'either', statuses: [200, 400] }),
  raw('absolute-form ftp scheme', request('GET ftp://{host}/ping HTTP/1.1'), ANY),
  raw('authority form CONNECT', request('CONNECT {host} HTTP/1.1'), ANY),
  raw('authority form GET', request('GET {host} HTTP/1.1'), ANY),
  raw('relative target without slash', request('GET ping HTTP/1.1'), ANY),
  raw('target ?x', request('GET ?x HTTP/1.1'), ANY),
  // versions and methods
  raw('HTTP/1.0 without Host', `GET /ping HTTP/1.0${CRLF}{auth}${CRLF}`, { expect: 'either', statuses: [200, 400, 0] }),
  raw('HTTP/1.1 without Host', `GET /ping HTTP/1.1${CRLF}{auth}Connection: close${CRLF}${CRLF}`, { expect: 'either', statuses: [200, 400, 0] }),
  raw('HTTP/0.9 (no version)', `GET /ping${CRLF}${CRLF}`, ANY),
  raw('HTTP/2.0 line', request('GET /ping HTTP/2.0'), ANY),
  raw('HTTP/9.9 line', request('GET /ping HTTP/9.9'), ANY),
  raw('lower-case method', request('get /ping HTTP/1.1'), ANY),
  raw('unknown method', request('BREW /v1/scheduler/jobs HTTP/1.1'), ANY),
  raw('TRACE', request('TRACE /v1/scheduler/jobs HTTP/1.1'), ANY),
  raw('PROPFIND', request('PROPFIND /v1/scheduler/job/{job} HTTP/1.1'), ANY),
  raw('PATCH a job', request('PATCH /v1/scheduler/job/{job} HTTP/1.1', ['Content-Type: application/json'], '{}'), ANY),
  // bytes in the target
  raw('raw UTF-8 in the target', request('GET /v1/scheduler/job/café HTTP/1.1'), ANY),
  raw('raw invalid UTF-8 in the target', request('GET /v1/scheduler/job/\u00c0\u00ae\u00ff HTTP/1.1'), ANY, 'latin1'),
  raw('raw NUL in the target', request('GET /v1/scheduler/job/a\u0000b HTTP/1.1'), ANY, 'latin1'),
  raw('raw tab in the target', request('GET /v1/scheduler/job/a\tb HTTP/1.1'), ANY),
  raw('two spaces in the line', request('GET  /ping  HTTP/1.1'), ANY),
  raw('backslashes in the target', request('GET \\v1\\scheduler\\jobs HTTP/1.1'), ANY),
  raw('dot segments in the target', request('GET /v1/scheduler/jobs/../../../etc/passwd HTTP/1.1'), ANY),
  raw('dot segments before a route', request('GET /a/../v1/scheduler/jobs HTTP/1.1'), ANY),
  raw('encoded dots before a route', request('GET /x/%2e%2e/v1/scheduler/jobs HTTP/1.1'), ANY),
  raw('a 100 KB target', request(`GET /v1/scheduler/job/${'a'.repeat(100_000)} HTTP/1.1`), ANY),
  // header syntax
  raw('bare LF line ends', `GET /ping HTTP/1.1\nHost: {host}\n{auth}Connection: close\n\n`, ANY),
  raw('obs-fold header', request('GET /ping HTTP/1.1', ['X-A: a', ' folded']), ANY),
  raw('header without colon', request('GET /ping HTTP/1.1', ['NoColonHere']), ANY),
  raw('space before colon', request('GET /ping HTTP/1.1', ['X-A : b']), ANY),
  raw('raw UTF-8 header value', request('GET /v1/scheduler/jobs/summary HTTP/1.1', ['X-Sisyphus-Proxied-By: héllo ✓']), ANY),
  raw('NUL in a header value', request('GET /v1/scheduler/jobs/summary HTTP/1.1', ['X-Sisyphus-Proxied-By: a\u0000b']), ANY, 'latin1'),
  raw('2,000 headers', request('GET /ping HTTP/1.1', Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${i}`)), ANY),
  raw('two Host headers', request('GET /ping HTTP/1.1', ['Host: evil.example']), ANY),
  // bodies and lengths
  raw('two different Content-Lengths', request('POST /v1/scheduler/iso8601 HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 3'], JOB), ANY),
  raw('Content-Length and chunked', request('POST /v1/scheduler/iso8601 HTTP/1.1', ['Content-Type: application/json', 'Transfer-Encoding: chunked'], JOB), ANY),
  raw('negative Content-Length', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Content-Length: -5${CRLF}${CRLF}`, ANY),
  raw('non-numeric Content-Length', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Content-Length: abc${CRLF}${CRLF}`, ANY),
  raw('short Content-Length', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Content-Type: application/json${CRLF}Content-Length: 5${CRLF}${CRLF}${JOB}`, ANY),
  raw('chunked with a bad size', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}zz${CRLF}abc${CRLF}0${CRLF}${CRLF}`, ANY),
  raw('chunked with a huge size', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}fffffffffffffffff${CRLF}abc${CRLF}0${CRLF}${CRLF}`, ANY),
  raw('chunked job', `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}${Buffer.byteLength(JOB).toString(16)}${CRLF}${JOB}${CRLF}0${CRLF}${CRLF}`, { expect: 'accept' }, 'utf8', { creates: 'fuzz-raw' }),
  raw('pipelined requests', `GET /ping HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}${CRLF}GET /v1/scheduler/jobs/summary HTTP/1.1${CRLF}Host: {host}${CRLF}{auth}Connection: close${CRLF}${CRLF}`, { expect: 'accept' }),
];

/**
 * A body declared at 100 MiB of which only `sentBytes` arrive: over the limit, the 413 must come
 * without the rest; under it with wrong credentials (`{badauth}`), the 401 must come without
 * reading the body at all. The sender writes the headers, then `sentBytes` of filler, and waits.
 */
export function declaredBodyCases(limitBytes: number): GenRequest[] {
  const head = (auth: string) => `POST /v1/scheduler/iso8601 HTTP/1.1${CRLF}Host: {host}${CRLF}${auth}Content-Type: application/json${CRLF}Content-Length: ${100 * 1024 * 1024}${CRLF}Connection: close${CRLF}${CRLF}`;
  return [
    { ...raw('100 MiB declared, limit + 64 KiB sent', head('{auth}'), { expect: 'reject', statuses: [413] }), bigBody: limitBytes + 64 * 1024 },
    { ...raw('100 MiB declared, nothing sent, wrong credentials', head('Authorization: Basic Zm9vOmJhcg==\r\n'), { expect: 'reject', statuses: [401] }), bigBody: 0, auth: 'bogus' },
  ];
}

/** One of the request-line cases. */
export const rawRequest: fc.Arbitrary<GenRequest> = fc.constantFrom(...requestLineCases);
