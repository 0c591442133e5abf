/**
 * `npm run bench -- --only real-mesos` (issue 13, point 5): burst (a), burst (b) and the herd on
 * real Apache Mesos (scripts/mesos/cluster.ts: a mesos-master and two agents of 4 cpus) beside the
 * same figures on mesos-local in the same run, with their ratio.
 *
 * Both sides run the same harness, `assemble()` (the real worker and Mesos framework) in this
 * process on a fresh PostgreSQL database; only the master differs:
 *   burst (a)  N jobs due now, `/bin/true` (shell false, 0.1 cpu): scheduler start → every run
 *              FINISHED. mesos-local: two agents of 4 cpus running real processes.
 *   burst (b)  the same no-op jobs; mesos-local in scale mode (20 simulated agents, tasks end at
 *              once), as the REST burst (b) has it. Real Mesos has no simulated agents: its tasks
 *              are real processes, so this ratio is what real agents and executors cost.
 *   herd       N jobs due in the same second, one cycle: due → launch skew (p50 / p99) and
 *              missed / duplicate runs. mesos-local: scale mode, as the herd figure has it. The
 *              real cluster holds 80 such tasks at once: with more, the skew measures its capacity
 *              (tasks wait for resources), not the scheduler; --real-herd-jobs 60 stays within it.
 * Real Mesos starts a command executor (a process) per task: its figures are bounded by that.
 */
import { createStore } from '../../scheduler/adapters/prisma';
import { assemble } from '../../scheduler/runtime/assemble';
import { systemClock } from '../../scheduler/runtime/system-clock';
import { MesosCluster } from '../../scripts/mesos/cluster';
import { mesosBuild, HOW_TO_ENABLE } from '../../scripts/mesos/install';
import { makeJob, putJobs } from './internal';
import { createBenchDb, startMesos } from './services';
import { percentile, progress, waitFor } from './util';

export interface Side {
  /** runs/s of burst (a) and (b), one per repetition */
  burstA: number[];
  burstB: number[];
  herd: { p50: number; p99: number; missed: number; duplicates: number } | null;
}

export interface RealMesosResult {
  jobs: number;
  herdJobs: number;
  real: Side;
  local: Side;
}

interface Master {
  url: string;
  stop(): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function realMaster(): Promise<Master> {
  const c = await MesosCluster.start({ agents: [{ attributes: 'rack:a' }, { attributes: 'rack:b' }] });
  return { url: c.masterUrl, stop: () => c.stop() };
}

async function localMaster(kind: 'processes' | 'scale'): Promise<Master> {
  const m = await startMesos(
    kind === 'processes'
      ? { agents: [{ cpus: 4, mem: 4096, disk: 8192 }, { cpus: 4, mem: 4096, disk: 8192 }] }
      : { scale: { agents: 20, taskDurationMs: 0 } },
  );
  return { url: m.url, stop: () => m.stop() };
}

/** N jobs due at `dueAt` (one run each) through the scheduler on `master`; resolves when all finished. */
async function runJobs(master: string, n: number, dueAt: number | null, label: string) {
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const due = dueAt ?? Date.now();
  const jobs = Array.from({ length: n }, (_, i) =>
    makeJob({ name: `${label}-${i}`, command: '/bin/true', shell: false, schedule: `R1/${iso(due)}/PT1H`, cpus: 0.1, mem: 32, disk: 0 }),
  );
  await putJobs(store, jobs, label);
  const started = Date.now();
  const scheduler = await assemble({ store, clock: systemClock, master, framework: { declineIdleSeconds: 1, declineBusySeconds: 0.2, reviveMinIntervalMs: 100 } });
  try {
    await scheduler.subscribed(30_000);
    await waitFor(
      `${label}: every run FINISHED`,
      async () => {
        const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE state = 'FINISHED'`);
        progress(`${label}: ${r.c}/${n} finished`);
        return Number(r.c) >= n;
      },
      30 * 60_000,
      200,
    );
    const seconds = (Date.now() - started) / 1000;
    const skew = await db.query<{ skew: string }>(`SELECT (extract(epoch from launched_at - due) * 1000)::float8::text AS skew FROM runs WHERE attempt = 0 AND launched_at IS NOT NULL`);
    const [dup] = await db.query<{ c: string }>(
      `SELECT coalesce(sum(c - 1), 0)::text AS c FROM (SELECT count(*) AS c FROM runs WHERE attempt = 0 AND launched_at IS NOT NULL GROUP BY job_name, due HAVING count(*) > 1) x`,
    );
    const s = skew.map((x) => Number(x.skew));
    return { perSecond: n / seconds, p50: percentile(s, 0.5), p99: percentile(s, 0.99), missed: n - s.length, duplicates: Number(dup.c) };
  } finally {
    await scheduler.stop();
    await store.close();
    await db.drop();
  }
}

export async function realMesosBench(o: { jobs: number; herdJobs: number; runs: number; say: (s: string) => void }): Promise<RealMesosResult> {
  if (!mesosBuild()) throw new Error(`no Mesos build: ${HOW_TO_ENABLE}`);
  const out: RealMesosResult = { jobs: o.jobs, herdJobs: o.herdJobs, real: { burstA: [], burstB: [], herd: null }, local: { burstA: [], burstB: [], herd: null } };
  const sides = [
    { name: 'real', side: out.real, a: () => realMaster(), b: () => realMaster(), herd: () => realMaster() },
    { name: 'mesos-local', side: out.local, a: () => localMaster('processes'), b: () => localMaster('scale'), herd: () => localMaster('scale') },
  ] as const;
  for (let rep = 0; rep < o.runs; rep++) {
    // alternate the sides repetition by repetition, so both see the same machine load
    for (const s of rep % 2 ? [...sides].reverse() : sides) {
      for (const mode of ['a', 'b'] as const) {
        const m = await s[mode]();
        try {
          const r = await runJobs(m.url, o.jobs, null, `burst-${mode}-${s.name}-${rep}`);
          (mode === 'a' ? s.side.burstA : s.side.burstB).push(r.perSecond);
          o.say(`real-mesos: burst (${mode}) on ${s.name}: ${r.perSecond.toFixed(1)} runs/s`);
        } finally {
          await m.stop();
        }
      }
    }
  }
  for (const s of sides) {
    const m = await s.herd();
    try {
      const r = await runJobs(m.url, o.herdJobs, Date.now() + 8_000 + o.herdJobs, `herd-${s.name}`);
      s.side.herd = { p50: r.p50, p99: r.p99, missed: r.missed, duplicates: r.duplicates };
      o.say(`real-mesos: herd on ${s.name}: skew p50 ${Math.round(r.p50)} ms, p99 ${Math.round(r.p99)} ms, missed ${r.missed}, duplicates ${r.duplicates}`);
    } finally {
      await m.stop();
    }
  }
  return out;
}
