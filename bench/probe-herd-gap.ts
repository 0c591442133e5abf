/**
 * Does every run the herd records as launched reach Mesos? N jobs due at the same instant,
 * `cycles` times, as the herd bench runs them; then, for a few seconds, the runs recorded as
 * launched against mesos-local's own counters (tasks launched, dropped, lost) and the framework's
 * (tasks it put in ACCEPTs), and the runs by state. `npx tsx bench/probe-herd-gap.ts [N] [cycles] [periodS]`.
 */
import os from 'node:os';
import { createStore } from '../scheduler/adapters/prisma';
import { loadConfig } from '../scheduler/config';
import { assemble } from '../scheduler/runtime/assemble';
import { systemClock } from '../scheduler/runtime/system-clock';
import { makeJob, putJobs } from './lib/internal';
import { createBenchDb, startMesos } from './lib/services';
import { sleep } from './lib/util';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const cycles = Number(process.argv[3] ?? 3);
  const periodS = Number(process.argv[4] ?? 15);
  const agents = Math.max(50, Math.ceil((n * 0.1) / 8 / 0.5));
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const mesos = await startMesos({ scale: { agents, taskDurationMs: 0 } });
  const t0 = Date.now();
  const at = () => `+${((Date.now() - t0) / 1000).toFixed(1)}s load ${os.loadavg()[0].toFixed(1)}`;
  try {
    const T = Math.ceil((Date.now() + 6000 + 2 * n) / 1000) * 1000;
    const jobs = Array.from({ length: n }, (_, i) => makeJob({ name: `herd-${i}`, command: 'true', schedule: `R${cycles}/${iso(T)}/PT${periodS}S`, cpus: 0.1, mem: 32, disk: 0 }));
    await putJobs(store, jobs, 'probe');
    const { worker } = loadConfig(process.env);
    const s = await assemble({ store, clock: systemClock, master: mesos.url, worker: { catchUpMax: worker.catchUpMax, catchUpGraceMs: worker.catchUpGraceMs, prepareAheadMs: worker.prepareAheadMs } });
    await s.subscribed(30_000);
    const fw = s.framework!;
    fw.on('error', (e) => console.log(`${at()} framework error: ${e.message}`));
    const last = T + (cycles - 1) * periodS * 1000;
    const snap = async (label: string) => {
      const m = await mesos.metrics();
      const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE launched_at IS NOT NULL`);
      const states = await db.query<{ state: string; attempt: number; c: string }>(`SELECT state, attempt, count(*)::text AS c FROM runs GROUP BY state, attempt ORDER BY state, attempt`);
      console.log(
        `${at()} ${label}: runs launched ${r.c}; mesos tasks_launched ${m['master/tasks_launched']} dropped ${m['master/tasks_dropped']} lost ${m['master/tasks_lost']} error ${m['master/tasks_error']} finished ${m['master/tasks_finished']} offers_accepted ${m['master/offers_accepted']} valid_calls ${m['master/valid_calls']} invalid_calls ${m['master/invalid_calls']}; framework tasksLaunched ${fw.state().counters.tasksLaunched}; runs ${states.map((x) => `${x.state}/${x.attempt}:${x.c}`).join(' ')}`,
      );
      return Number(r.c);
    };
    while (Date.now() < last + 2000) {
      await sleep(1000);
      if (Date.now() > T - 1000) await snap('during');
    }
    for (let i = 0; i < 20; i++) {
      await snap('after');
      await sleep(500);
    }
    const reasons = await db.query<{ state: string; reason: string | null; c: string }>(`SELECT state, reason, count(*)::text AS c FROM run_events GROUP BY state, reason ORDER BY state`).catch((e) => [{ state: 'n/a', reason: String(e), c: '' }]);
    console.log(reasons.map((x) => `${x.state} ${x.reason}: ${x.c}`).join('\n'));
    await s.stop();
  } finally {
    await mesos.stop();
    await store.close();
    await db.drop();
  }
}
void main();
