/**
 * `npm run fuzz`: generated requests against a running Sisyphus, then an audit of what it stored.
 *
 *   npm run fuzz -- [--n 1000] [--url http://127.0.0.1:8080] [--seed N] [--concurrency 4]
 *                   [--timeout 10s] [--auth user:password] [--body-limit 1048576] [--cleanup]
 *
 * Sends N requests made by test/generated/arbitraries.ts (valid and hostile job JSON, path
 * segments, query strings, headers, credentials, bodies over the limit, raw request lines such as
 * `OPTIONS *` and absolute-form targets) with K at a time, showing progress; then prints the
 * answers by status class, the 5xx, hangs (no answer within the timeout) and redirect loops by
 * cause with examples, the other problems it saw, and the audit: every stored job read again must
 * parse with the product's parser and serialize to the same bytes ("invalid stored").
 *
 * Exit code: 0 when there was no 5xx, hang, redirect loop or invalid stored job; 1 otherwise;
 * 2 when it could not run (nothing answers at --url, wrong credentials, bad options).
 *
 * The jobs it creates are named `fuzz-…`, run harmless commands (`true`, `echo fuzz`, …), and are
 * deleted at the end with --cleanup (deletes of existing jobs are part of the fuzzing too).
 * Credentials: --auth, else HTTP_CREDENTIALS from the environment.
 */
import http from 'node:http';
import fc from 'fast-check';
import { anyRequest, declaredBodyCases, SAFE_COMMANDS, type GenRequest } from '../test/generated/arbitraries';
import { prng } from '../scheduler/testing/prng';
import { judgeRequest } from '../test/generated/check';
import { send, type Target } from '../test/generated/client';
import { auditStore } from './fuzz/audit';
import { Tally, fmt } from './fuzz/tally';

const USAGE = 'usage: npm run fuzz -- [--n 1000] [--url http://127.0.0.1:8080] [--seed N] [--concurrency 4] [--timeout 10s] [--auth user:password] [--body-limit 1048576] [--cleanup]';
const PREFIX = 'fuzz-';
const PARENTS = ['fuzz-parent-a', 'fuzz-parent-b', 'fuzz-parent-c'];
const BATCH = 200;

class UsageError extends Error {}

function option(name: string): string | undefined {
  const a = process.argv;
  const i = a.indexOf(`--${name}`);
  if (i >= 0) {
    if (a[i + 1] === undefined || a[i + 1].startsWith('--')) throw new UsageError(`--${name} needs a value`);
    return a[i + 1];
  }
  return a.find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function intOption(name: string, dflt: number, min: number): number {
  const v = option(name);
  if (v === undefined) return dflt;
  const n = Number(v.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function msOption(name: string, dflt: number): number {
  const v = option(name);
  if (v === undefined) return dflt;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v);
  if (!m) throw new UsageError(`--${name} must be a duration such as 10s or 500ms, got '${v}'`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
}

/** Existing jobs a request may name (`{job}`), without handing one to a delete while another request uses it. */
class JobPool {
  private readonly names = new Set<string>();
  private readonly busy = new Map<string, number>();
  private gone = 0;
  constructor(private readonly random: () => number) {}

  add(name: string): void {
    if (!PARENTS.includes(name)) this.names.add(name);
  }

  /** A name for a request; for a delete, one nobody else uses (taken out of the pool). */
  take(forDelete: boolean): string {
    const free = [...this.names].filter((n) => !forDelete || !this.busy.has(n));
    if (free.length === 0) return forDelete ? `${PREFIX}gone-${this.gone++}` : PARENTS[Math.floor(this.random() * PARENTS.length)];
    const name = free[Math.floor(this.random() * free.length)];
    if (forDelete) this.names.delete(name);
    this.busy.set(name, (this.busy.get(name) ?? 0) + 1);
    return name;
  }

  release(name: string, deleted: boolean, wasDelete: boolean): void {
    const n = (this.busy.get(name) ?? 1) - 1;
    if (n <= 0) this.busy.delete(name);
    else this.busy.set(name, n);
    if (wasDelete && !deleted && name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}gone-`)) this.names.add(name);
  }

  all(): string[] {
    return [...this.names];
  }
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const n = intOption('n', 1000, 1);
  const concurrency = intOption('concurrency', 4, 1);
  const seed = option('seed') !== undefined ? intOption('seed', 0, 0) : Math.floor(Math.random() * 2 ** 31);
  const timeoutMs = msOption('timeout', 10_000);
  const bodyLimit = intOption('body-limit', 1024 * 1024, 1);
  const cleanup = process.argv.includes('--cleanup');
  const credentials = option('auth') ?? process.env.HTTP_CREDENTIALS ?? null;
  if (credentials !== null && !credentials.includes(':')) throw new UsageError('--auth must be user:password');
  let url: URL;
  try {
    url = new URL(option('url') ?? 'http://127.0.0.1:8080');
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:8080, got '${option('url')}'`);
  }
  if (url.protocol !== 'http:') throw new UsageError('--url must be http:// (the fuzzer speaks plain HTTP/1.1)');
  const target: Target = { host: url.hostname, port: Number(url.port || 80), credentials };
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const plain = (method: string, path: string, body?: string): GenRequest => ({ label: 'setup', method, target: path, headers: body ? [['content-type', 'application/json']] : [], auth: 'good', expect: { expect: 'accept' }, ...(body ? { body } : {}) });

  // Is anything there, and does it want credentials?
  const ping = await send({ ...target, credentials: null }, { ...plain('GET', '/ping'), auth: 'none' }, { job: '', timeoutMs: 5_000 });
  if (ping.hang || ping.status === 0) {
    console.error(`nothing answers at ${url.origin}/ping: start Sisyphus with \`npm start\` (PORT=${target.port} npm start for this port), or point --url at a running one`);
    return 2;
  }
  const credentialsRequired = ping.status === 401;
  if (credentialsRequired) {
    const withAuth = credentials ? await send(target, plain('GET', '/ping'), { job: '', timeoutMs: 5_000 }) : null;
    if (!withAuth || withAuth.status === 401) {
      console.error(`${url.origin} asks for credentials${credentials ? ' and refused the ones given' : ''}: pass --auth user:password (or set HTTP_CREDENTIALS)`);
      return 2;
    }
  }

  console.log(`Sisyphus fuzz: ${fmt(n)} requests to ${url.origin}, seed ${seed} (--seed ${seed} repeats the same requests), ${concurrency} at a time, timeout ${timeoutMs / 1000} s${credentialsRequired ? ', with credentials' : ''}`);
  for (const name of PARENTS) {
    const r = await send(target, plain('POST', '/v1/scheduler/iso8601', JSON.stringify({ name, command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D', description: 'parent of the fuzzer\'s dependency jobs' })), { job: '', timeoutMs });
    if (r.status !== 204) {
      console.error(`could not create the fixture job ${name}: ${r.hang ? 'no answer' : `${r.status} ${r.body.slice(0, 200)}`}`);
      return 2;
    }
  }

  // seeded: the choices made while sending (which existing job a request names) replay with the seed
  const random = prng(seed);
  const pool = new JobPool(random);
  const arb = anyRequest({ prefix: PREFIX, parents: PARENTS, bodyLimit, commands: SAFE_COMMANDS });
  const extra = declaredBodyCases(bodyLimit).filter((r) => credentialsRequired || r.auth === 'good');
  const queue: GenRequest[] = [];
  let batch = 0;
  // the declared-body cases (a body that never fully arrives) once each, spread over the run
  const slots = new Map(extra.map((r, k) => [Math.floor(((k + 1) * n) / (extra.length + 1)), r] as const));
  const nextRequest = (i: number): GenRequest => {
    const special = slots.get(i);
    if (special) return special;
    if (queue.length === 0) queue.push(...fc.sample(arb, { seed: seed + batch++, numRuns: BATCH }));
    return queue.shift()!;
  };

  const tally = new Tally();
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let lastShown = 0;
  const show = (force = false) => {
    const now = Date.now();
    if (!force && now - lastShown < (tty ? 500 : 10_000)) return;
    lastShown = now;
    process.stderr.write(tty ? `\r${tally.progress(n, started)}\x1b[K` : `${tally.progress(n, started)}\n`);
  };
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const r = nextRequest(next++);
      const usesJob = (r.raw?.text ?? r.target).includes('{job}');
      const job = usesJob ? pool.take(!!r.deletesJob) : '';
      const o = await send(target, r, { job, timeoutMs, agent });
      const ok = o.status >= 200 && o.status < 300;
      if (usesJob) pool.release(job, ok && !!r.deletesJob, !!r.deletesJob);
      if (ok && r.creates) pool.add(r.creates);
      tally.add(r, o, judgeRequest(r, o, { credentialsRequired }), job);
      show();
    }
  };
  const timer = setInterval(() => show(true), tty ? 1000 : 10_000);
  // Ctrl-C (or SIGTERM): stop sending, then audit and report what was sent
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    next = n;
    process.stderr.write('\n[fuzz] interrupted: waiting for the requests in flight, then the audit and the report (again to quit at once)\n');
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(timer);
  show(true);
  if (tty) process.stderr.write('\n');
  const secs = (Date.now() - started) / 1000;

  process.stderr.write('[fuzz] auditing what is stored…\n');
  const audit = await auditStore(target, {
    concurrency,
    timeoutMs,
    onProgress: (done, total) => {
      if (tty && (done % 100 === 0 || done === total)) process.stderr.write(`\r[fuzz] audit ${fmt(done)}/${fmt(total)}\x1b[K${done === total ? '\n' : ''}`);
    },
  });

  const out: string[] = ['', `${interrupted ? `interrupted: ${fmt(tally.sent)} of ${fmt(n)} sent; ` : ''}${fmt(tally.sent)} requests in ${secs.toFixed(1)} s (${(tally.sent / secs).toFixed(0)} req/s), seed ${seed}`, '', tally.table(), '', 'audit of what is stored'];
  if (audit.listError) out.push(`  the job list could not be read: ${audit.listError}`);
  out.push(`  ${'jobs listed'.padEnd(32)}${fmt(audit.listed).padStart(8)}`, `  ${'read again'.padEnd(32)}${fmt(audit.checked).padStart(8)}`, `  ${'invalid stored'.padEnd(32)}${fmt(audit.invalid.length + (audit.listError ? 1 : 0)).padStart(8)}`);
  for (const x of audit.invalid.slice(0, 10)) out.push(`    ${JSON.stringify(x.name.length > 60 ? `${x.name.slice(0, 60)}…` : x.name)}: ${x.why}`);
  if (audit.invalid.length > 10) out.push(`    … and ${audit.invalid.length - 10} more`);

  if (cleanup) {
    const names = new Set([...pool.all(), ...PARENTS]);
    const list = await send(target, plain('GET', '/v1/scheduler/jobs'), { job: '', timeoutMs: 120_000, maxBodyBytes: 2 ** 31 - 1 });
    try {
      for (const j of JSON.parse(list.body) as Array<{ name?: unknown }>) if (typeof j.name === 'string' && j.name.startsWith(PREFIX)) names.add(j.name);
    } catch {
      // the list is not readable: delete what this run knows it created
    }
    let deleted = 0;
    for (const name of [...names].sort((a, b) => Number(PARENTS.includes(a)) - Number(PARENTS.includes(b)))) {
      const r = await send(target, plain('DELETE', `/v1/scheduler/job/${encodeURIComponent(name)}`), { job: '', timeoutMs });
      if (r.status === 204) deleted++;
    }
    out.push('', `cleanup: deleted ${fmt(deleted)} jobs named ${PREFIX}… (of ${fmt(names.size)} known)`);
  }

  const invalid = audit.invalid.length + (audit.listError ? 1 : 0);
  const failed = tally.failures + invalid;
  out.push('', failed === 0 ? 'result: no 5xx, no hang, no redirect loop, nothing invalid stored' : `result: FAILED — ${fmt(tally.classes['5xx'])} 5xx, ${fmt(tally.classes.hang)} hangs, ${fmt(tally.failures - tally.classes['5xx'] - tally.classes.hang)} redirect loops, ${fmt(invalid)} invalid stored`);
  console.log(out.join('\n'));
  agent.destroy();
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`fuzz: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
