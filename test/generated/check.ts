/**
 * What an answer must look like, shared by the property tests and the fuzzer (scripts/fuzz.ts):
 * never a 5xx; a 400 of the Chronos API is exactly `{"message": …, "status": "Bad Request"}` and
 * its message names the field that was wrong (or keeps Chronos's own sentence where Chronos has
 * one); a case that must be accepted is a 2xx, one that must be refused is not.
 */
import type { Outcome } from './client';
import type { Expect } from './job-mutations';
import type { GenRequest } from './requests';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type ProblemKind =
  | '5xx'
  | 'hang'
  | 'redirect loop'
  | 'valid input refused'
  | 'hostile input accepted'
  | 'error not Chronos-shaped'
  | 'error does not name the field'
  | 'error loses Chronos wording'
  | 'unexpected status';

export interface Problem {
  kind: ProblemKind;
  detail: string;
}

/** The Chronos error body: exactly `message` and `status`, both strings; else null. */
export function chronosError(body: string): { message: string; status: string } | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  const o = v as Record<string, unknown>;
  if (keys.length !== 2 || typeof o.message !== 'string' || typeof o.status !== 'string') return null;
  return { message: o.message, status: o.status };
}

/** Sentences that name a field in Chronos's own words. */
const WORDING: Record<string, RegExp> = {
  body: /JSON|body|job|object|empty|nest|deep|depth/i,
  schedule: /^(schedule\b|Cannot parse schedule|Schedule ')/,
  parents: /^(parents\b|JobSchedule .* does not have all parents defined|Dependency cycle)/,
  fetch: /^(fetch\b|Tried to add both uri)/,
  uris: /^(uris\b|Tried to add both uri)/,
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * True when `message` names `field`: Chronos's sentence for it, or the field's name as a word
 * somewhere outside the echoed bad value(s) (a message that only quotes the value does not count).
 */
export function namesField(message: string, field: string, echoed: readonly string[] = []): boolean {
  const w = Object.hasOwn(WORDING, field) ? WORDING[field] : undefined; // field may be 'constructor'
  if (w && w.test(message)) return true;
  let m = message;
  for (const e of echoed) if (e.length > 0) m = m.split(e).join('');
  return new RegExp(`(^|[^A-Za-z])${escape(field)}([^A-Za-z]|$)`).test(m);
}

export interface Expectation {
  expect: Expect;
  /** The field a 400 must name (`body` for the body as a whole); none: any Chronos-shaped 400. */
  field?: string;
  /** Values the message may quote (removed before looking for the field's name). */
  echoed?: string[];
  /** The exact sentence a 400 must have (Chronos's rule). */
  chronosMessage?: RegExp;
  /** The answer is a Chronos API one (`/v1/scheduler/…`, `/scheduler/…`): errors are Chronos-shaped. */
  chronos: boolean;
  /** Statuses besides 400 that may answer a refusal (e.g. 401, 404, 405, 413). */
  alsoAllowed?: number[];
}

/** Every way `answer` breaks `e` (empty: it is fine). */
export function judge(answer: Answer, e: Expectation): Problem[] {
  const out: Problem[] = [];
  const { status, body } = answer;
  const excerpt = body.length > 300 ? `${body.slice(0, 300)}…` : body;
  if (status >= 500) return [{ kind: '5xx', detail: `${status} ${excerpt}` }];
  const ok = status >= 200 && status < 300;
  if (e.expect === 'accept' && !ok) out.push({ kind: 'valid input refused', detail: `${status} ${excerpt}` });
  if (e.expect === 'reject' && ok) out.push({ kind: 'hostile input accepted', detail: `${status}` });
  if (status === 400 && e.chronos) {
    const err = chronosError(body);
    if (!err || err.status !== 'Bad Request' || !/^application\/json/.test(answer.headers['content-type'] ?? '')) {
      out.push({ kind: 'error not Chronos-shaped', detail: `${answer.headers['content-type'] ?? '(no content-type)'} ${excerpt}` });
    } else {
      if (e.field && !namesField(err.message, e.field, e.echoed)) {
        out.push({ kind: 'error does not name the field', detail: `field ${e.field}: ${JSON.stringify(err.message.slice(0, 300))}` });
      }
      if (e.chronosMessage && !e.chronosMessage.test(err.message)) {
        out.push({ kind: 'error loses Chronos wording', detail: `want ${e.chronosMessage}, got ${JSON.stringify(err.message.slice(0, 300))}` });
      }
    }
  } else if (!ok && status !== 400 && !(e.alsoAllowed ?? []).includes(status)) {
    out.push({ kind: 'unexpected status', detail: `${status} ${excerpt}` });
  }
  return out;
}

/** The path of a request target (absolute form included); "" when it has none. */
export function targetPath(target: string): string {
  const t = target.split(' ')[1] ?? target;
  const path = /^[a-z]+:\/\/[^/?]*/i.test(t) ? t.replace(/^[a-z]+:\/\/[^/?]*/i, '') : t;
  return path.replace(/[?#].*$/, '');
}

/**
 * Every way a server's answer to a generated request is wrong. `credentialsRequired`: the server
 * has HTTP_CREDENTIALS, so a request without the right ones must get exactly a 401.
 */
export function judgeRequest(r: GenRequest, o: Outcome, ctx: { credentialsRequired: boolean }): Problem[] {
  if (o.unsendable) return [];
  if (o.hang) return [{ kind: 'hang', detail: `no answer within ${o.ms} ms` }];
  const out: Problem[] = [];
  if (o.redirectLoop) out.push({ kind: 'redirect loop', detail: (o.redirects ?? []).join(' -> ') });
  const path = r.raw ? targetPath(r.target) : r.target.replace(/[?#].*$/, '');
  let e = r.expect;
  if (ctx.credentialsRequired && r.auth !== 'good') e = { expect: 'reject', statuses: [401] };
  if (o.status === 0) {
    const fine = (e.statuses ?? e.alsoAllowed ?? []).includes(0);
    return fine ? out : [...out, { kind: 'unexpected status', detail: 'connection closed without an answer' }];
  }
  // a 400 without a body or a content type is Node's HTTP parser refusing raw bytes, before the app
  const parserRefusal = !!r.raw && o.status === 400 && o.body === '' && !o.headers['content-type'];
  const chronos = /^\/(v1\/)?scheduler(\/|$)/.test(path) && !(o.status === 401 && e.statuses?.includes(401)) && !parserRefusal;
  out.push(...judge({ status: o.status, headers: o.headers, body: o.body }, { ...e, chronos, alsoAllowed: [...(e.alsoAllowed ?? []), ...(e.statuses ?? [])] }));
  if (e.statuses && o.status < 500 && !e.statuses.includes(o.status) && !out.some((p) => p.kind === 'unexpected status')) {
    out.push({ kind: 'unexpected status', detail: `${o.status}, want ${e.statuses.join(' or ')}: ${o.body.slice(0, 200)}` });
  }
  if (o.status === 400 && /^\/api(\/|$)/.test(path)) {
    let ok = false;
    try {
      const v = JSON.parse(o.body) as { error?: unknown };
      ok = typeof v.error === 'string';
    } catch {
      ok = false;
    }
    if (!ok) out.push({ kind: 'error not Chronos-shaped', detail: `UI 400 without {"error": …}: ${o.body.slice(0, 200)}` });
  }
  return out;
}

/** One line per problem, for an assertion message or the fuzzer's examples. */
export const describeProblems = (ps: readonly Problem[]): string => ps.map((p) => `${p.kind}: ${p.detail}`).join('\n');

export { escape as escapeRegExp };
