/**
 * Where a herd's due→launch time goes: N jobs due at the same instant (two instants, `period` s
 * apart), the real worker and framework (`assemble()`) against PostgreSQL and mesos-local in scale
 * mode, as the herd bench runs them; every store call, REVIVE, OFFERS event and offer round logged
 * with its time relative to the due instant. `npx tsx bench/probe-herd.ts [N] [periodS]`.
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
  const n = Number(process.argv[2] ?? 10_000);
  const periodS = Number(process.argv[3] ?? 20);
  const agents = Math.max(50, Math.ceil((n * 0.1) / 8 / 0.5));
  const db = await createBenchDb();
  const raw = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const mesos = await startMesos({ scale: { agents, taskDurationMs: 0 } });
  let T = 0;
  const lines: string[] = [];
  const log = relativeLog(lines, () => T);
  try {
    T = Math.ceil((Date.now() + 6000 + n) / 1000) * 1000;
    const jobs = Array.from({ length: n }, (_, i) => makeJob({ name: `herd-${i}`, command: 'true', schedule: `R2/${iso(T)}/PT${periodS}S`, cpus: 0.1, mem: 32, disk: 0 }));
    await putJobs(raw, jobs, 'probe');
    const store = timed(raw as Store, 'store', log);
    const s = await assemble({ store, clock: systemClock, master: mesos.url, worker: { prepareAheadMs: loadConfig(process.env).worker.prepareAheadMs } });
    await s.subscribed(30_000);
    const fw = s.framework!;
    fw.on('revive', (e) => log(`REVIVE (${e.reason})`));
    fw.on('suppress', (e) => log(`SUPPRESS (${e.reason})`));
    fw.on('offers', (e) => log(`framework offers: received ${e.received}, used ${e.used}, tasks ${e.tasks}`));
    s.events.on('offers', (e) => log(`worker offer round: ${e.received} offers, ${e.launched} launched`));
    let lastQueue = '';
    s.events.on('queue', (q) => {
      const k = `${q.high + q.normal}/${q.delayed}`;
      if (k !== lastQueue) log(`queue ${k} (queued/delayed)`);
      lastQueue = k;
    });
    const loads: number[] = [];
    const timer = setInterval(() => loads.push(os.loadavg()[0]), 1000);
    for (let cycle = 0; cycle < 2; cycle++) {
      const due = T; // T moves on to the next instant after each cycle
      while (Date.now() < due + 30_000) {
        const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM runs WHERE due = $1 AND launched_at IS NOT NULL`, [new Date(due)]);
        if (Number(r.c) >= n && Date.now() > due) break;
        await sleep(200);
      }
      const rows = await db.query<{ skew: string; agent: string | null }>(
        `SELECT (extract(epoch from r.launched_at - r.due) * 1000)::float8::text AS skew,
                (SELECT (extract(epoch from min(e.mesos_at) - r.due) * 1000)::float8::text FROM run_events e WHERE e.task_id = r.task_id AND e.mesos_at IS NOT NULL) AS agent
           FROM runs r WHERE r.due = $1 AND r.launched_at IS NOT NULL`,
        [new Date(due)],
      );
      const skew = rows.map((r) => Number(r.skew));
      const agent = rows.filter((r) => r.agent !== null).map((r) => Number(r.agent));
      lines.push(
        `== cycle ${cycle + 1}: ${rows.length} launched; due→launched_at p50 ${percentile(skew, 0.5)} p99 ${percentile(skew, 0.99)} max ${Math.max(...skew)}; due→first agent status p50 ${percentile(agent, 0.5)} p99 ${percentile(agent, 0.99)} (${agent.length})`,
      );
      console.log(lines.join('\n'));
      lines.length = 0;
      T = due + periodS * 1000;
    }
    clearInterval(timer);
    console.log(`load average (1 min) median ${percentile(loads, 0.5).toFixed(1)}`);
    await s.stop();
  } finally {
    await mesos.stop();
    await raw.close();
    await db.drop();
  }
}
void main();
