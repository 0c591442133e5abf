/**
 * The herd's instant without Mesos, so the machine's other load moves the figures less: N jobs due
 * at T (real clock, real PostgreSQL, the worker alone), then at the instant how long until every
 * run is queued for launch (the offer round's `now`, which becomes the runs' launched_at, can be
 * no earlier) and until one offer round over enough offers has recorded every launch (when the
 * ACCEPT would go out). Prepared ahead (SCHEDULE_PREPARE_AHEAD_MS) and not, alternating, R times.
 * `npx tsx bench/probe-herd-due.ts [N] [R] [aheadMs]`.
 */
import os from 'node:os';
import { createStore } from '../scheduler/adapters/prisma';
import type { Offer, OfferResource } from '../scheduler/core/types';
import { systemClock } from '../scheduler/runtime/system-clock';
import { Worker } from '../scheduler/runtime/worker';
import { makeJob, putJobs } from './lib/internal';
import { createBenchDb } from './lib/services';
import { median, sleep } from './lib/util';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const offers = (n: number): Offer[] => {
  const res = (name: string, scalar: number): OfferResource => ({ name, type: 'SCALAR', scalar, role: '*', reserved: false });
  return Array.from({ length: n }, (_, i) => ({ id: `o-${i}`, agentId: `agent-${i}`, hostname: `agent-${i}`, resources: [res('cpus', 8), res('mem', 1_000_000), res('disk', 1_000_000)], attributes: [] }));
};

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const reps = Number(process.argv[3] ?? 3);
  const ahead = Number(process.argv[4] ?? 2000);
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 10 });
  const results: Record<string, { queued: number[]; recorded: number[]; load: number[] }> = {};
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const a of [0, ahead]) {
        await db.query('TRUNCATE jobs, runs, run_events, job_versions');
        const T = Math.ceil((Date.now() + 8000 + 3 * n) / 1000) * 1000; // room to define the jobs and load them on a busy machine
        await putJobs(store, Array.from({ length: n }, (_, i) => makeJob({ name: `herd-${i}`, command: 'true', schedule: `R1/${iso(T)}/PT1H`, cpus: 0.1, mem: 32, disk: 0 })), 'probe');
        const worker = new Worker({ store, clock: systemClock, prepareAheadMs: a });
        await worker.start();
        // each tick's start and length (the probe's own look inside: DueRuns.tick, due-runs.ts)
        const ticks: string[] = [];
        const due = (worker as unknown as { due: { tick: () => Promise<void> } }).due;
        const tick = due.tick.bind(due);
        due.tick = async () => {
          const t0 = Date.now();
          await tick();
          ticks.push(`tick at due${t0 - T >= 0 ? '+' : ''}${t0 - T} ms took ${Date.now() - t0} ms`);
        };
        if (Date.now() > T - a - 500) throw new Error(`set-up too slow: ${Date.now() - T} ms past the instant; try fewer jobs`);
        let preparedAt: number | null = null;
        const off = worker.events.on('queue', (q) => {
          if (preparedAt === null && q.delayed >= n) preparedAt = Date.now() - T;
        });
        const all = worker.events.next('queue', (q) => q.high + q.normal >= n, 120_000);
        await all;
        const queued = Date.now() - T;
        const d = await worker.onOffers(offers(Math.ceil(n / 80)));
        const recorded = Date.now() - T;
        const launched = d.launches.reduce((k, l) => k + l.taskInfos.length, 0);
        worker.stop();
        off();
        console.log(`  ${ticks.join('; ')}`);
        const r = (results[`ahead ${a} ms`] ??= { queued: [], recorded: [], load: [] });
        r.queued.push(queued);
        r.recorded.push(recorded);
        r.load.push(os.loadavg()[0]);
        console.log(`rep ${rep + 1}, ahead ${a} ms: all ${n} queued at due+${queued} ms, ${launched} launches recorded at due+${recorded} ms${preparedAt === null ? '' : `; all prepared at due${preparedAt >= 0 ? '+' : ''}${preparedAt} ms`} (load ${os.loadavg()[0].toFixed(1)})`);
        await sleep(1000);
      }
    }
    for (const [k, r] of Object.entries(results)) {
      console.log(`${k}: median due→all queued ${median(r.queued)} ms, due→all launches recorded ${median(r.recorded)} ms (load median ${median(r.load).toFixed(1)})`);
    }
  } finally {
    await store.close();
    await db.drop();
  }
}
void main();
