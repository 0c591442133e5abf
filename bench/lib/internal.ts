/**
 * Internal figures: the real worker + Mesos framework (`assemble()`, as
 * scheduler/runtime/end-to-end.test.ts builds them) in this process, against the real PostgreSQL
 * and mesos-local in scale mode in its own process. Jobs are written to the store in bulk before
 * the scheduler starts (defining 40,000 jobs is not what is measured here).
 */
import { createStore, type PrismaStore } from '../../scheduler/adapters/prisma';
import { loadConfig } from '../../scheduler/config';
import { parseJob } from '../../scheduler/api/job-schema';
import type { Job } from '../../scheduler/core/types';
import { assemble, type Scheduler } from '../../scheduler/runtime/assemble';
import { systemClock } from '../../scheduler/runtime/system-clock';
import { cpuSince, cpuSnapshot, type CpuSnapshot } from './proc';
import { createBenchDb, startMesos, type BenchDb, type MesosProcess } from './services';
import { median, percentile, progress, rng, sleep, waitFor } from './util';

export function makeJob(fields: Record<string, unknown>): Job {
  const r = parseJob({ owner: 'bench@example.com', ...fields }, { now: Date.now(), kind: 'iso8601' });
  if (!r.ok) throw new Error(`bad bench job ${JSON.stringify(fields)}: ${JSON.stringify(r.error)}`);
  return r.value;
}

export async function putJobs(store: PrismaStore, jobs: Job[], label: string): Promise<void> {
  for (let i = 0; i < jobs.length; i += 5000) {
    await store.jobs.apply({ put: jobs.slice(i, i + 5000) });
    progress(`${label}: defining jobs ${Math.min(jobs.length, i + 5000).toLocaleString()}/${jobs.length.toLocaleString()}`);
  }
}

interface Env {
  db: BenchDb;
  store: PrismaStore;
  mesos: MesosProcess;
  scheduler: Scheduler | null;
}

async function setup(mesosOpts: Record<string, unknown>): Promise<Env> {
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const mesos = await startMesos(mesosOpts);
  return { db, store, mesos, scheduler: null };
}

async function startScheduler(env: Env): Promise<Scheduler> {
  // the worker's settings as the server's (scheduler/config.ts, from this process's environment)
  const { worker } = loadConfig(process.env);
  const scheduler = await assemble({ store: env.store, clock: systemClock, master: env.mesos.url, worker: { catchUpMax: worker.catchUpMax, catchUpGraceMs: worker.catchUpGraceMs, prepareAheadMs: worker.prepareAheadMs } });
  env.scheduler = scheduler;
  await scheduler.subscribed(30_000);
  return scheduler;
}

async function teardown(env: Env): Promise<void> {
  await env.scheduler?.stop();
  await env.mesos.stop();
  await env.store.close();
  await env.db.drop();
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/* ------------------------------------------------------------------ thundering herd */

export interface HerdCycle {
  due: number;
  runs: number;
  p50: number;
  p99: number;
  max: number;
  /** due → the task's first status update from the agent (its `mesos_at`: the ACCEPT had arrived), p50 and p99. */
  agentP50?: number;
  agentP99?: number;
}

export interface HerdResult {
  jobs: number;
  cycles: HerdCycle[];
  missed: number;
  duplicates: number;
  /** Tasks mesos-local launched (`master/tasks_launched`: one per task of an accepted ACCEPT, retries included). */
  launchedByMesos: number;
  /** Runs recorded as launched (`launched_at` set, retries included): one task id each, counted as Mesos counts tasks. */
  recorded: number;
  /** Tasks whose ACCEPT Mesos refused (`master/tasks_dropped` + `tasks_lost` + `tasks_error`: invalid offers or task). */
  refusedByMesos: number;
  /** Runs recorded as launched that are not FINISHED once Mesos has answered for every one (the tasks take no time). */
  unsettled: number;
  /** Recorded launches that Mesos neither launched nor refused, when the wait for them ended (0 when it caught up). */
  unanswered: number;
  /**
   * From the last recorded launch (its `launched_at`) until Mesos was first seen to have answered for
   * every recorded launch (polled every 250 ms once the last was recorded: an upper bound), in ms.
   */
  acceptLagMs: number;
}

/**
 * N jobs all due at the same instant T, then every `periodS` seconds, `cycles` times. Skew = the
 * run's launchedAt (the start of the chunk of the offer round that launched it; the chunk records every launch
 * before its ACCEPT goes out) − its due instant; also due → the task's first status from the agent. Missed: a (job, due) without a launched
 * run; duplicates: more than one launched attempt-0 run per (job, due), or Mesos launching more
 * tasks than there are launched runs. Then, once Mesos has answered for every recorded launch (or
 * 60 s): the tasks Mesos launched and refused against the runs recorded as launched, and the
 * runs not FINISHED (every recorded launch must reach Mesos and end, or be settled with a reason).
 */
export async function herd(n: number, cycles: number, periodS: number): Promise<HerdResult> {
  const agents = Math.max(50, Math.ceil((n * 0.1) / 8 / 0.5)); // at most half the cluster's cpus
  const env = await setup({ scale: { agents, taskDurationMs: 0 } });
  try {
    const lead = 6000 + 2 * n; // room to define the jobs and start the scheduler (on a busy machine too)
    const T = Math.ceil((Date.now() + lead) / 1000) * 1000;
    const jobs = Array.from({ length: n }, (_, i) =>
      makeJob({ name: `herd-${i}`, command: 'true', schedule: `R${cycles}/${iso(T)}/PT${periodS}S`, cpus: 0.1, mem: 32, disk: 0 }),
    );
    await putJobs(env.store, jobs, 'herd');
    await startScheduler(env);
    const last = T + (cycles - 1) * periodS * 1000;
    await waitFor(
      'herd cycles',
      async () => {
        const now = Date.now();
        const [r] = await env.db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE launched_at IS NOT NULL`);
        const c = Number(r.c);
        progress(`herd: ${n.toLocaleString()} jobs × ${cycles} cycles, ${c.toLocaleString()} launched${now < T ? `, first due in ${Math.ceil((T - now) / 1000)} s` : ''}`);
        return now > last + 2000 && c >= n * cycles ? true : now > last + 60_000;
      },
      lead + cycles * periodS * 1000 + 90_000,
      250,
    );
    // A run is recorded as launched before its chunk's ACCEPT goes out: wait until Mesos has answered
    // for every recorded launch (launched it, or refused it: DROPPED/LOST/ERROR) and every run
    // has ended, or 60 s; what is still missing then counts (reading at once left the ACCEPTs in flight out).
    let caughtUp = NaN;
    const tally = async () => {
      const m = await env.mesos.metrics();
      const [r] = await env.db.query<{ launched: string; unsettled: string }>(
        `SELECT count(*)::text AS launched, count(*) FILTER (WHERE state <> 'FINISHED')::text AS unsettled FROM runs WHERE launched_at IS NOT NULL`,
      );
      const launchedByMesos = m['master/tasks_launched'] ?? 0;
      const refusedByMesos = (m['master/tasks_dropped'] ?? 0) + (m['master/tasks_lost'] ?? 0) + (m['master/tasks_error'] ?? 0);
      return { launchedByMesos, refusedByMesos, recorded: Number(r.launched), unsettled: Number(r.unsettled) };
    };
    let t = await tally();
    const settleBy = Date.now() + 60_000;
    while (Date.now() < settleBy) {
      t = await tally();
      if (Number.isNaN(caughtUp) && t.launchedByMesos + t.refusedByMesos >= t.recorded) caughtUp = Date.now();
      progress(`herd: Mesos answered ${(t.launchedByMesos + t.refusedByMesos).toLocaleString()} of ${t.recorded.toLocaleString()} recorded launches, ${t.unsettled.toLocaleString()} runs not FINISHED`);
      if (!Number.isNaN(caughtUp) && t.unsettled === 0) break;
      await sleep(250);
    }
    const [lastRecorded] = await env.db.query<{ at: string }>(`SELECT (extract(epoch from max(launched_at)) * 1000)::float8::text AS at FROM runs`);
    const acceptLagMs = Number.isNaN(caughtUp) ? NaN : Math.max(0, caughtUp - Number(lastRecorded.at));
    const rows = await env.db.query<{ due: string; skew: string }>(
      `SELECT (extract(epoch from due) * 1000)::bigint::text AS due,
              (extract(epoch from launched_at - due) * 1000)::float8::text AS skew
         FROM runs WHERE attempt = 0 AND launched_at IS NOT NULL`,
    );
    const agentRows = await env.db.query<{ due: string; skew: string }>(
      `SELECT (extract(epoch from r.due) * 1000)::bigint::text AS due,
              (extract(epoch from min(e.mesos_at) - r.due) * 1000)::float8::text AS skew
         FROM runs r JOIN run_events e ON e.task_id = r.task_id AND e.mesos_at IS NOT NULL
        WHERE r.attempt = 0 AND r.launched_at IS NOT NULL GROUP BY r.task_id, r.due`,
    );
    const agentByDue = new Map<number, number[]>();
    for (const r of agentRows) {
      const d = Number(r.due);
      let l = agentByDue.get(d);
      if (!l) agentByDue.set(d, (l = []));
      l.push(Number(r.skew));
    }
    const byDue = new Map<number, number[]>();
    for (const r of rows) {
      const d = Number(r.due);
      let l = byDue.get(d);
      if (!l) byDue.set(d, (l = []));
      l.push(Number(r.skew));
    }
    const out: HerdCycle[] = [];
    for (let k = 0; k < cycles; k++) {
      const due = T + k * periodS * 1000;
      const s = byDue.get(due) ?? [];
      const a = agentByDue.get(due) ?? [];
      out.push({ due, runs: s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s.length ? Math.max(...s) : NaN, agentP50: percentile(a, 0.5), agentP99: percentile(a, 0.99) });
    }
    const [dup] = await env.db.query<{ c: string }>(
      `SELECT coalesce(sum(c - 1), 0)::text AS c FROM (SELECT count(*) AS c FROM runs WHERE attempt = 0 AND launched_at IS NOT NULL GROUP BY job_name, due HAVING count(*) > 1) x`,
    );
    const expectedDues = new Set(out.map((c) => c.due));
    const onTime = out.reduce((a, c) => a + c.runs, 0);
    const strayDues = [...byDue.keys()].filter((d) => !expectedDues.has(d)).length;
    return {
      jobs: n,
      cycles: out,
      missed: n * cycles - onTime,
      duplicates: Number(dup.c) + Math.max(0, t.launchedByMesos - t.recorded) + strayDues,
      launchedByMesos: t.launchedByMesos,
      recorded: t.recorded,
      refusedByMesos: t.refusedByMesos,
      unsettled: t.unsettled,
      unanswered: Math.max(0, t.recorded - t.launchedByMesos - t.refusedByMesos),
      acceptLagMs,
    };
  } finally {
    await teardown(env);
  }
}

/* ------------------------------------------------------------------ running tasks */

export interface RunningResult {
  tasks: number;
  agents: number;
  held: number;
  mesosRunning: number;
  updates: number;
  seconds: number;
  updatesPerSecond: number;
  peakPerSecond: number;
  acks: number;
  /** Status updates Mesos sent again, unacknowledged after its retry interval (10 s): the window counts them too. */
  resent: number;
  /**
   * Seconds from the due instant to every task RUNNING in PostgreSQL (polled every 250 ms): the
   * launches and both updates of every task, however the window above falls.
   */
  dueToAllRunningSeconds?: number;
  /** Seconds from the first launch to the last (the launches bound how fast updates can come). */
  launchSpreadSeconds: number;
  /**
   * CPU of each side from the first update to the last RUNNING, in ms: `app` (this process: the
   * worker and the framework), `mesos` (mesos-local), `postgres` (the backends of the bench's
   * database), and the wall time. A side near 1,000 ms of CPU per second of wall time is the limit.
   */
  cpu?: { app: number; mesos: number; postgres: number; wallMs: number };
}

/** N long tasks launched at once on `agents` simulated agents; how fast their updates are handled. */
export async function runningTasks(n: number, agents: number): Promise<RunningResult> {
  const env = await setup({ scale: { agents, taskDurationMs: 3_600_000 } });
  try {
    const T = Math.ceil((Date.now() + 4000 + n / 10) / 1000) * 1000;
    const jobs = Array.from({ length: n }, (_, i) =>
      makeJob({ name: `rt-${i}`, command: 'true', schedule: `R1/${iso(T)}/PT1H`, cpus: 0.1, mem: 64, disk: 0 }),
    );
    await putJobs(env.store, jobs, 'running');
    const s = await startScheduler(env);
    const fw = s.framework!;
    const roots: Record<string, number> = { app: process.pid, mesos: env.mesos.pid };
    let first: number | null = null;
    let lastAt = 0;
    const samples: Array<[number, number]> = [];
    const off = fw.on('update', () => {
      const now = performance.now();
      if (first === null) first = now;
      lastAt = now;
    });
    // the backends of this database (the store's pool, opened as the work needs them; PostgreSQL
    // is shared with other benches), named once the updates flow
    const start = (async (): Promise<CpuSnapshot> => {
      const until = T + 600_000; // as the wait below: a run that never sees an update ends
      while (first === null && Date.now() < until) await sleep(20);
      const backends = await env.db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      for (const b of backends) roots[`pg${b.pid}`] = b.pid;
      return cpuSnapshot(roots);
    })();
    const base = fw.state().counters.updates;
    // each task reports STARTING and RUNNING at launch: 2 updates per task
    await waitFor(
      `${n} tasks RUNNING`,
      async () => {
        const u = fw.state().counters.updates - base;
        samples.push([performance.now(), u]);
        const [r] = await env.db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE state = 'RUNNING'`);
        progress(`running tasks: ${Number(r.c).toLocaleString()}/${n.toLocaleString()} RUNNING, ${u.toLocaleString()} updates handled`);
        return Number(r.c) >= n;
      },
      T - Date.now() + 600_000,
      250,
    );
    const allRunningAt = Date.now();
    const used = cpuSince(await start, cpuSnapshot(roots));
    await sleep(3000); // held: still all RUNNING a few seconds later
    const [held] = await env.db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE state = 'RUNNING'`);
    const m = await env.mesos.metrics();
    off();
    const [spread] = await env.db.query<{ s: string }>(`SELECT extract(epoch from max(launched_at) - min(launched_at))::text AS s FROM runs`);
    const updates = fw.state().counters.updates - base;
    const seconds = first === null ? NaN : (lastAt - first) / 1000;
    let peak = 0;
    for (let i = 0; i < samples.length; i++) {
      let j = i;
      while (j < samples.length && samples[j][0] - samples[i][0] < 1000) j++;
      if (j < samples.length) peak = Math.max(peak, ((samples[j][1] - samples[i][1]) * 1000) / (samples[j][0] - samples[i][0]));
    }
    return {
      tasks: n,
      agents,
      held: Number(held.c),
      mesosRunning: m['master/tasks_running'] ?? 0,
      updates,
      seconds,
      updatesPerSecond: updates / seconds,
      peakPerSecond: peak,
      acks: fw.state().counters.acks,
      resent: m['master/status_update_retries'] ?? 0,
      dueToAllRunningSeconds: (allRunningAt - T) / 1000,
      launchSpreadSeconds: Number(spread.s),
      cpu: {
        app: used.ms.app,
        mesos: used.ms.mesos,
        postgres: Object.entries(used.ms).filter(([k]) => k.startsWith('pg')).reduce((a, [, v]) => a + v, 0),
        wallMs: used.wallMs,
      },
    };
  } finally {
    await teardown(env);
  }
}

/* ------------------------------------------------------------------ packing */

export interface PackingResult {
  seed: number;
  tasks: number;
  launched: number;
  cpusTotal: number;
  cpusUsed: number;
  share: number;
}

/** A queue of mixed tasks (1–8 cpus, 1–16 GB) larger than 100 agents of 8 cpus / 32 GB. */
export async function packing(seed: number, agents = 100): Promise<PackingResult> {
  const env = await setup({ scale: { agents, taskDurationMs: 3_600_000 }, allocationIntervalMs: 1000 });
  try {
    const rand = rng(seed);
    const demand = agents * 8 * 1.5;
    const jobs: Job[] = [];
    let cpus = 0;
    const T = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    while (cpus < demand) {
      const c = 1 + Math.floor(rand() * 8);
      const g = 1 + Math.floor(rand() * 16);
      cpus += c;
      jobs.push(makeJob({ name: `pack-${jobs.length}`, command: 'true', schedule: `R1/${iso(T)}/PT1H`, cpus: c, mem: g * 1024, disk: 0 }));
    }
    await putJobs(env.store, jobs, 'packing');
    await startScheduler(env);
    let lastCount = -1;
    let stableSince = Date.now();
    await waitFor(
      'packing to settle',
      async () => {
        const [r] = await env.db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE launched_at IS NOT NULL`);
        const c = Number(r.c);
        if (c !== lastCount) {
          lastCount = c;
          stableSince = Date.now();
        }
        progress(`packing (seed ${seed}): ${c}/${jobs.length} tasks launched`);
        return Date.now() > T && c > 0 && Date.now() - stableSince > 6000;
      },
      120_000,
      250,
    );
    const m = await env.mesos.metrics();
    const total = m['master/cpus_total'];
    const used = m['master/cpus_used'];
    return { seed, tasks: jobs.length, launched: lastCount, cpusTotal: total, cpusUsed: used, share: used / total };
  } finally {
    await teardown(env);
  }
}

export { median };
