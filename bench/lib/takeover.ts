/**
 * Takeover at scale (issue 18 point 3): N jobs defined and U runs unfinished (RUNNING on
 * mesos-local in scale mode, launched by the first leader), two real instances
 * (scripts/instance.ts, test/ha/support.ts) over ZooKeeper and PostgreSQL with the default
 * settings (session timeout included); kill -9 of the leader, then:
 *
 *   kill → session end      the old leader's candidate node gone, seen by this process's own
 *                           ZooKeeper watch (the moment ZooKeeper ends the session);
 *   session end → launch    the first run launched after the kill (its launched_at: only the new
 *                           leader is alive), a probe job due 2 s after the kill;
 *   duplicates              a (job, due, attempt) launched twice, or Mesos launching more tasks than
 *                           there are launched runs.
 *
 * The kill comes once the standby is warm (every job and unfinished run read, the dependency graph
 * built: its /health), as a standby that has been up for long is; how long that took after the runs
 * were RUNNING is reported. The new leader's log gives where the seconds between election and
 * launch went.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStore } from '../../scheduler/adapters/prisma';
import { loadConfig } from '../../scheduler/config';
import { watchCandidateGone } from '../../scheduler/adapters/zookeeper/candidate-watch';
import { startInstance, waitForLeader, type Instance } from '../../test/ha/support';
import { makeJob, putJobs } from './internal';
import { childEnv, createBenchDb, startMesos } from './services';
import { progress, sleep, waitFor } from './util';

export interface TakeoverResult {
  jobs: number;
  unfinished: number;
  sessionTimeoutMs: number;
  /** kill → the old leader's node gone in ZooKeeper */
  killToSessionEndMs: number;
  /** session end → the new leader's first launch */
  sessionEndToLaunchMs: number;
  killToLaunchMs: number;
  /** the new leader's own steps, ms after its election (from its log) */
  steps: Record<string, number>;
  duplicates: number;
  launchedByMesos: number;
  launchedRuns: number;
  /** before the kill, in both instances' logs: elections (1 = the first leader's only), depositions, sessions dropped */
  beforeKill: { elections: number; deposed: number; sessionsLost: number };
  /** the first leader's longest event-loop stall since its takeover (prom-client's nodejs_eventloop_lag_max_seconds), ms */
  leaderMaxStallMs: number;
  /** ms the bench waited, after every run was RUNNING, for the standby to be warm (0: it already was) */
  standbyWarmAfterRunningMs: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Settings as shipped (test/ha/support.ts sets short test values; the goal is "default settings"). */
const DEFAULTS = {
  RETRY_DELAY_MS: '60000',
  TAKEOVER_RETRY_MS: '1000',
  MESOS_REVIVE_MIN_INTERVAL_MS: '5000',
  MESOS_DECLINE_IDLE_SECONDS: '300',
  MESOS_DECLINE_BUSY_SECONDS: '2',
  SISYPHUS_DEBUG: '0',
};

/** ms after `elected leader` of the new leader's key log lines. */
function stepsFromLog(text: string, killAt: number): Record<string, number> {
  const lines = text
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l) as { time: number; msg: string; phases?: Record<string, number> };
      } catch {
        return null;
      }
    })
    .filter((l): l is { time: number; msg: string; phases?: Record<string, number> } => l !== null && l.time >= killAt);
  const elected = lines.find((l) => /elected leader/.test(l.msg));
  if (!elected) return {};
  const out: Record<string, number> = { 'elected (ms after kill)': elected.time - killAt };
  for (const l of lines) {
    // the new leader's own phases (scheduler/runtime/takeover-trace.ts), ms after its election
    if (l.phases) for (const [phase, ms] of Object.entries(l.phases)) out[`phase: ${phase}`] ??= ms;
    if (l.phases) continue;
    const key = /scheduler started/.test(l.msg) ? 'scheduler started' : /subscribed/i.test(l.msg) ? 'framework subscribed' : /taking over|load|reconcil/i.test(l.msg) ? l.msg.slice(0, 60) : null;
    if (key && !(key in out)) out[key] = l.time - elected.time;
  }
  return out;
}

/** Leadership changes logged before `t` (a false election: more than the first, or any step-down). */
function leadershipBefore(texts: string[], t: number): TakeoverResult['beforeKill'] {
  const out = { elections: 0, deposed: 0, sessionsLost: 0 };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      let l: { time?: number; msg?: string };
      try {
        l = JSON.parse(line) as { time?: number; msg?: string };
      } catch {
        continue;
      }
      if (!l.msg || (l.time ?? Infinity) >= t) continue;
      if (/^elected leader/.test(l.msg)) out.elections++;
      if (/no longer leading/.test(l.msg)) out.deposed++;
      if (/opening a new session/.test(l.msg)) out.sessionsLost++;
    }
  }
  return out;
}

/** The longest event-loop stall of an instance since its metrics began (or were last read), ms; NaN if unknown. */
async function maxStall(url: string): Promise<number> {
  try {
    const text = await (await fetch(`${url}/metrics/prometheus`)).text();
    const m = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
    return m ? Number(m[1]) * 1000 : NaN;
  } catch {
    return NaN;
  }
}

export async function takeover(o: { jobs: number; unfinished: number; sessionTimeoutMs?: number; logDir?: string }): Promise<TakeoverResult> {
  const sessionTimeoutMs = o.sessionTimeoutMs ?? loadConfig({}).zk.sessionTimeoutMs; // ZK_SESSION_TIMEOUT_MS's default
  const dir = o.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-takeover-'));
  const db = await createBenchDb();
  const agents = Math.max(100, Math.ceil(o.unfinished / 40));
  const mesos = await startMesos({ scale: { agents, taskDurationMs: 3_600_000 } });
  const zkPath = `/sisyphus-bench/${path.basename(dir)}/leader`;
  const instances: Instance[] = [];
  let watch: Awaited<ReturnType<typeof watchCandidateGone>> | null = null;
  try {
    const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
    const now = Date.now();
    const fillers = o.jobs - o.unfinished;
    const jobs = [
      ...Array.from({ length: o.unfinished }, (_, i) =>
        // due already: the first leader runs each once at load (catch-up `latest`), for an hour
        makeJob({ name: `to-run-${String(i).padStart(5, '0')}`, command: 'true', schedule: `R1/${iso(now)}/PT1H`, cpus: 0.1, mem: 64, disk: 0 }),
      ),
      ...Array.from({ length: fillers }, (_, i) =>
        makeJob({
          name: `to-job-${String(i).padStart(6, '0')}`,
          command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
          schedule: 'R/2100-01-01T00:00:00Z/P1D',
          cpus: 0.5,
          mem: 256,
          description: `nightly transcode ${i}`,
        }),
      ),
    ];
    await putJobs(store, jobs, 'takeover');
    await store.close();
    const env: Record<string, string> = { ...DEFAULTS, ...pick(childEnv(), ['BENCH_PARENT_PID', 'NODE_OPTIONS']), LOG_LEVEL: 'info' };
    // e.g. `--require /path/profiler.cjs`: preloaded into the instances only
    if (process.env.BENCH_INSTANCE_NODE_OPTIONS) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} ${process.env.BENCH_INSTANCE_NODE_OPTIONS}`.trim();
    const opts = { databaseUrl: db.url, zkPath, master: mesos.url, logDir: dir, sessionTimeoutMs, env, startTimeoutMs: 300_000 };
    progress(`takeover: starting the first instance over ${o.jobs.toLocaleString()} jobs`);
    instances.push(await startInstance(opts));
    await waitForLeader(instances, 120_000);
    progress('takeover: starting the standby');
    instances.push(await startInstance(opts));
    const { leader } = await waitForLeader(instances, 120_000);
    const standby = instances.find((i) => i !== leader)!;
    await waitFor(
      `${o.unfinished} runs RUNNING`,
      async () => {
        const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE state = 'RUNNING'`);
        progress(`takeover: ${Number(r.c).toLocaleString()}/${o.unfinished.toLocaleString()} runs RUNNING under the first leader`);
        return Number(r.c) >= o.unfinished;
      },
      600_000,
      500,
    );
    // A real standby has been up for long: the kill comes once it holds every job (schedules read,
    // dependency graph built) and the unfinished runs, as its /health says. Waited for here, it
    // is reported (standbyWarmAfterRunningMs) so a bench that would have killed a cold one shows.
    const running = Date.now();
    await waitFor(
      'the standby to be warm',
      async () => {
        const h = await standby.health();
        progress(`takeover: standby holds ${h?.standby?.jobs ?? '?'} jobs and ${h?.standby?.runs ?? '?'} unfinished runs${h?.standby?.warm ? ' (warm)' : ''}`);
        return h?.standby?.warm === true;
      },
      600_000,
      500,
    );
    const standbyWarmAfterRunningMs = Date.now() - running;
    await sleep(3000); // acknowledgements drained, the standby idle
    // read before the probes (their due instant is 2 s after the kill): the leader's longest stall so far
    const leaderMaxStallMs = await maxStall(leader.url);
    watch = await watchCandidateGone('127.0.0.1:2181', zkPath, leader.id);
    await sleep(500);
    // probes: due 2 s after the kill, created by the new leader when it loads them
    const killAt = Date.now();
    const probeDue = iso(Math.ceil((killAt + 2000) / 1000) * 1000);
    const posts = Array.from({ length: 3 }, (_, k) =>
      fetch(`${leader.url}/v1/scheduler/iso8601`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `to-probe-${k}`, command: 'true', schedule: `R1/${probeDue}/PT1H`, cpus: 0.1, mem: 64, disk: 0 }),
      }).then((r) => {
        if (r.status !== 204) throw new Error(`POST probe answered ${r.status}`);
      }),
    );
    await Promise.all(posts);
    const killedAt = Date.now();
    const beforeKill = leadershipBefore([leader.log(), standby.log()], killedAt);
    leader.kill9();
    progress('takeover: leader killed; waiting for the session to end');
    const sessionEnd = await Promise.race([watch.gone, sleep(sessionTimeoutMs * 3 + 10_000).then(() => NaN)]);
    const first = await waitFor(
      'the new leader to launch',
      async () => {
        const [r] = await db.query<{ t: string | null }>(`SELECT (extract(epoch from min(launched_at)) * 1000)::bigint::text AS t FROM runs WHERE launched_at > to_timestamp($1 / 1000.0)`, [killedAt]);
        progress(`takeover: ${Math.round((Date.now() - killedAt) / 1000)} s after the kill, waiting for a launch`);
        return r.t ? Number(r.t) : null;
      },
      180_000,
      100,
    );
    await sleep(3000); // anything launched twice shows up now
    const [dup] = await db.query<{ c: string }>(
      `SELECT coalesce(sum(c - 1), 0)::text AS c FROM (SELECT count(*) AS c FROM runs WHERE launched_at IS NOT NULL GROUP BY job_name, due, attempt HAVING count(*) > 1) x`,
    );
    const [launched] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE launched_at IS NOT NULL`);
    const m = await mesos.metrics();
    const launchedByMesos = m['master/tasks_launched'] ?? 0;
    void standby;
    return {
      jobs: o.jobs,
      unfinished: o.unfinished,
      sessionTimeoutMs,
      killToSessionEndMs: sessionEnd - killedAt,
      sessionEndToLaunchMs: first - sessionEnd,
      killToLaunchMs: first - killedAt,
      steps: stepsFromLog(standby.log(), killedAt),
      duplicates: Number(dup.c) + Math.max(0, launchedByMesos - Number(launched.c)),
      launchedByMesos,
      launchedRuns: Number(launched.c),
      beforeKill,
      leaderMaxStallMs,
      standbyWarmAfterRunningMs,
    };
  } finally {
    watch?.close();
    await Promise.all(instances.map((i) => i.stop()));
    await mesos.stop();
    await db.drop();
    if (!process.env.BENCH_KEEP_LOGS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (env[k] !== undefined) out[k] = env[k]!;
  return out;
}

/** The report's rows: limits 1 s after the session's end and 6 s after the kill. */
export function takeoverRows(t: TakeoverResult): Array<{ figure: string; value: string; peer: string; ratio: string; goal: string; met: boolean | null }> {
  const f = (x: number) => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')} ms` : 'n/a');
  const head = `Takeover: ${t.jobs.toLocaleString('en-US')} jobs, ${t.unfinished.toLocaleString('en-US')} runs RUNNING, kill -9 of the leader (session timeout ${t.sessionTimeoutMs.toLocaleString('en-US')} ms)`;
  const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');
  return [
    { figure: `${head}: kill → session end (ZooKeeper)`, value: f(t.killToSessionEndMs), peer: `session timeout ${f(t.sessionTimeoutMs)}`, ratio: pct(t.killToSessionEndMs / t.sessionTimeoutMs), goal: '—', met: null },
    { figure: `${head}: session end → first launch by the new leader`, value: f(t.sessionEndToLaunchMs), peer: 'limit 1,000 ms', ratio: pct(t.sessionEndToLaunchMs / 1000), goal: '< 1 s', met: t.sessionEndToLaunchMs < 1000 },
    { figure: `${head}: kill → first launch by the new leader`, value: f(t.killToLaunchMs), peer: 'limit 6,000 ms', ratio: pct(t.killToLaunchMs / 6000), goal: '< 6 s', met: t.killToLaunchMs < 6000 },
    { figure: 'Takeover: runs launched twice', value: String(t.duplicates), peer: '0', ratio: '—', goal: '0', met: t.duplicates === 0 },
    {
      figure: `Takeover: false elections before the kill (the first leader launching ${t.unfinished.toLocaleString('en-US')} runs, its main thread stalled up to ${f(t.leaderMaxStallMs)}): elections, step-downs, sessions dropped`,
      value: `${t.beforeKill.elections} / ${t.beforeKill.deposed} / ${t.beforeKill.sessionsLost}`,
      peer: '1 / 0 / 0',
      ratio: '—',
      goal: '1 election, 0 step-downs',
      met: t.beforeKill.elections === 1 && t.beforeKill.deposed === 0 && t.beforeKill.sessionsLost === 0,
    },
  ];
}
