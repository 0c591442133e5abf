/**
 * What `npm run fuzz` counts while it runs, and the table it prints at the end: answers by status
 * class, 5xx and hangs by the generator that made the request (with examples), redirect loops,
 * the other problems (valid input refused, hostile input accepted, errors that do not name the
 * field or lose Chronos's wording, unexpected statuses), and the audit of what was stored.
 */
import type { Outcome } from '../../test/generated/client';
import type { Problem, ProblemKind } from '../../test/generated/check';
import type { GenRequest } from '../../test/generated/requests';

export interface Example {
  request: string;
  answer: string;
}

interface Group {
  count: number;
  examples: Example[];
}

const EXAMPLES_PER_GROUP = 1;
const MAX_EXAMPLES = 10;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** `METHOD target  body …` of a request, short. */
export function describeRequest(r: GenRequest, job: string): string {
  if (r.raw) return `raw ${JSON.stringify(clip(r.raw.text.replaceAll('{job}', job), 160))}`;
  const target = clip(r.target.replaceAll('{job}', encodeURIComponent(job)), 140);
  const body = r.body !== undefined ? `  body ${clip(JSON.stringify(r.body), 200)}` : r.bigBody ? `  body of ${r.bigBody} bytes` : '';
  const heads = r.headers.filter(([k]) => k.toLowerCase() !== 'content-type').map(([k, v]) => `${k}: ${clip(JSON.stringify(v), 60)}`);
  const auth = r.auth === 'good' ? '' : `  (${r.auth} credentials)`;
  return `${r.method} ${target}${heads.length ? `  [${heads.join('; ')}]` : ''}${body}${auth}`;
}

export const describeAnswer = (o: Outcome): string =>
  o.hang ? `no answer within ${o.ms} ms` : o.status === 0 ? 'connection closed without an answer' : `${o.status} ${clip(JSON.stringify(o.body), 200)}`;

export class Tally {
  sent = 0;
  readonly classes = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, closed: 0, hang: 0, unsendable: 0 };
  readonly fiveXx = new Map<string, Group>();
  readonly hangs = new Map<string, Group>();
  readonly loops = new Map<string, Group>();
  readonly problems = new Map<ProblemKind, Map<string, Group>>();
  readonly fiveXxExamples: Example[] = [];
  readonly byLabel = new Map<string, number>();

  add(r: GenRequest, o: Outcome, problems: Problem[], job: string): void {
    this.sent++;
    this.byLabel.set(r.label, (this.byLabel.get(r.label) ?? 0) + 1);
    const ex = (p?: Problem): Example => ({ request: describeRequest(r, job), answer: p && p.kind !== '5xx' && p.kind !== 'hang' ? `${describeAnswer(o)} — ${clip(p.detail, 200)}` : describeAnswer(o) });
    if (o.unsendable) this.classes.unsendable++;
    else if (o.hang) this.classes.hang++;
    else if (o.status === 0) this.classes.closed++;
    else this.classes[o.status >= 500 ? '5xx' : o.status >= 400 ? '4xx' : o.status >= 300 ? '3xx' : '2xx']++;
    if (o.status >= 500) {
      bump(this.fiveXx, r.label, ex());
      if (this.fiveXxExamples.length < MAX_EXAMPLES) this.fiveXxExamples.push(ex());
    }
    if (o.hang) bump(this.hangs, r.label, ex());
    if (o.redirectLoop) bump(this.loops, r.label, ex());
    for (const p of problems) {
      if (p.kind === '5xx' || p.kind === 'hang' || p.kind === 'redirect loop') continue;
      let m = this.problems.get(p.kind);
      if (!m) this.problems.set(p.kind, (m = new Map()));
      bump(m, r.label, ex(p));
    }
  }

  get failures(): number {
    return this.classes['5xx'] + this.classes.hang + sum(this.loops);
  }

  /** One progress line. */
  progress(total: number, startedMs: number): string {
    const secs = (Date.now() - startedMs) / 1000;
    const c = this.classes;
    return `[fuzz] ${fmt(this.sent)}/${fmt(total)}  2xx ${fmt(c['2xx'])}  3xx ${fmt(c['3xx'])}  4xx ${fmt(c['4xx'])}  5xx ${fmt(c['5xx'])}  closed ${fmt(c.closed)}  hangs ${fmt(c.hang)}  ${(this.sent / Math.max(secs, 0.001)).toFixed(0)} req/s`;
  }

  /** The report table. */
  table(): string {
    const out: string[] = [];
    const c = this.classes;
    out.push('answers by status class');
    out.push(row('2xx', c['2xx']), row('3xx', c['3xx']), row('4xx', c['4xx']), row('5xx', c['5xx']));
    out.push(row('closed', c.closed, 'connection closed without a status line (requests HTTP cannot parse)'));
    out.push(row('hangs', c.hang, 'no answer within the timeout'));
    out.push(row('redirect loops', sum(this.loops)));
    if (c.unsendable) out.push(row('unsendable', c.unsendable, 'refused by the client library, not sent'));
    for (const [title, groups] of [['5xx by cause (generator)', this.fiveXx], ['hangs by cause', this.hangs], ['redirect loops by cause', this.loops]] as const) {
      if (groups.size === 0) continue;
      out.push('', title);
      out.push(...groupLines(groups));
    }
    if (this.fiveXxExamples.length) {
      out.push('', `5xx examples (${this.fiveXxExamples.length} of ${c['5xx']})`);
      this.fiveXxExamples.forEach((e, i) => out.push(`  ${i + 1}. ${e.request}`, `     → ${e.answer}`));
    }
    if (this.problems.size) {
      out.push('', 'other problems (the exit code ignores them)');
      for (const [kind, groups] of this.problems) {
        out.push(row(kind, sum(groups)));
        out.push(...groupLines(groups, '    ', 6));
      }
    }
    return out.join('\n');
  }
}

function bump(m: Map<string, Group>, key: string, e: Example): void {
  let g = m.get(key);
  if (!g) m.set(key, (g = { count: 0, examples: [] }));
  g.count++;
  if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(e);
}

const sum = (m: Map<string, Group>) => [...m.values()].reduce((a, g) => a + g.count, 0);
export const fmt = (n: number) => n.toLocaleString('en-US');
const row = (name: string, n: number, note?: string) => `  ${name.padEnd(32)}${fmt(n).padStart(8)}${note ? `   (${note})` : ''}`;

function groupLines(groups: Map<string, Group>, indent = '  ', max = Infinity): string[] {
  const sorted = [...groups.entries()].sort((a, b) => b[1].count - a[1].count);
  const lines: string[] = [];
  for (const [label, g] of sorted.slice(0, max)) {
    lines.push(`${indent}${fmt(g.count).padStart(6)}  ${label}`);
    for (const e of g.examples) lines.push(`${indent}        e.g. ${e.request}`, `${indent}             → ${e.answer}`);
  }
  if (sorted.length > max) lines.push(`${indent}        … and ${sorted.length - max} more causes`);
  return lines;
}
