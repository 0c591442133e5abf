/**
 * Where the running bench's time goes: N long tasks due at once on N/40 simulated agents (as
 * `npm run bench -- --only running`), the real worker and framework (`assemble()`) against
 * PostgreSQL and mesos-local in scale mode; every store call of 5 ms or more, each offer round, and
 * every 250 ms the updates handled and ACKs sent, with times relative to the first update.
 * `npx tsx bench/probe-running.ts [N]`.
 */
import os from 'node:os';
import { createStore } from '../scheduler/adapters/prisma';
import { loadConfig } from '../scheduler/config';
import { assemble } from '../scheduler/runtime/assemble';
import { systemClock } from '../scheduler/runtime/system-clock';
import type { Store } from '../scheduler/ports';
import { makeJob, putJobs } from './lib/internal';
import { createBenchDb, startMesos } from './lib/services';
import { relativeLog, timed } from './lib/probe-log';
import { percentile, sleep } from './lib/util';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 40_000);
  const agents = n >= 40_000 ? 1000 : Math.max(100, Math.ceil(n / 40));
  const db = await createBenchDb();
  const raw = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const mesos = await startMesos({ scale: { agents, taskDurationMs: 3_600_000 } });
  let T0 = 0;
  const lines: string[] = [];
  const log = relativeLog(lines, () => T0);
  try {
    const T = Math.ceil((Date.now() + 4000 + n / 10) / 1000) * 1000;
    const jobs = Array.from({ length: n }, (_, i) => makeJob({ name: `rt-${i}`, command: 'true', schedule: `R1/${iso(T)}/PT1H`, cpus: 0.1, mem: 64, disk: 0 }));
    await putJobs(raw, jobs, 'probe');
    const store = timed(raw as Store, 'store', log);
    const { worker } = loadConfig(process.env);
    const s = await assemble({ store, clock: systemClock, master: mesos.url, worker: { prepareAheadMs: worker.prepareAheadMs } });
    await s.subscribed(30_000);
    const fw = s.framework!;
    fw.on('offers', (e) => log(`framework offers: received ${e.received}, used ${e.used}, tasks ${e.tasks}`));
    s.events.on('offers', (e) => log(`worker offer round: ${e.received} offers, ${e.launched} launched`));
    let launched = 0;
    s.events.on('run', (e) => {
      if (e.run.state === 'STAGING' && e.previous !== 'STAGING') launched++;
    });
    fw.on('update', () => {
      if (!T0) {
        T0 = Date.now();
        console.log(`first update at hrtime ${process.hrtime.bigint() / 1000n} µs (cpu profile clock)`);
      }
    });
    const loads: number[] = [];
    const base = fw.state().counters.updates;
    const timer = setInterval(() => {
      loads.push(os.loadavg()[0]);
      const c = fw.state().counters;
      if (T0) log(`updates ${c.updates - base}, acks ${c.acks}, runs STAGING events ${launched}`);
    }, 250);
    while (fw.state().counters.updates - base < 2 * n && Date.now() < T + 300_000) await sleep(100);
    clearInterval(timer);
    console.log(`last update at hrtime ${process.hrtime.bigint() / 1000n} µs`);
    console.log(lines.join('\n'));
    console.log(`load average (1 min) median ${percentile(loads, 0.5).toFixed(1)}`);
    await s.stop();
  } finally {
    await mesos.stop();
    await raw.close();
    await db.drop();
  }
}
void main();
