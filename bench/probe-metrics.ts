/**
 * GET /metrics (Chronos's Codahale JSON) at scale: the UI bench's seed (bench/lib/ui/seed-db.ts:
 * J jobs, R runs) in a fresh database, then, alternating between app trees (this one and e.g. a
 * worktree at main), one scrape and C concurrent scrapes through each tree's `metricsJson`: wall
 * time, the process's CPU and the longest event-loop stall (perf_hooks), with the 1-minute load.
 * `npx tsx bench/probe-metrics.ts [J] [R] [reps] [C] [other app dir…]`
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { createBenchDb } from './lib/services';
import { seedUi } from './lib/ui/seed-db';

interface Side {
  label: string;
  metricsJson: (store: unknown) => Promise<string>;
  store: { close(): Promise<void> };
}

async function side(dir: string, url: string): Promise<Side> {
  const m = (await import(path.join(dir, 'scheduler/api/metrics-json.ts'))) as { metricsJson: Side['metricsJson'] };
  const p = (await import(path.join(dir, 'scheduler/adapters/prisma/index.ts'))) as {
    createStore(o: { databaseUrl: string; poolSize?: number }): Promise<Side['store']>;
  };
  return { label: path.basename(dir), metricsJson: m.metricsJson, store: await p.createStore({ databaseUrl: url, poolSize: 8 }) };
}

async function measure(s: Side, concurrent: number): Promise<string> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const bodies = await Promise.all(Array.from({ length: concurrent }, () => s.metricsJson(s.store)));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  h.disable();
  return `${s.label.padEnd(20)} x${concurrent}: wall ${wall.toFixed(0)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, max loop stall ${(h.max / 1e6).toFixed(0)} ms, ${bodies[0].length} B, load ${loadavg()[0].toFixed(2)}`;
}

async function main(): Promise<void> {
  const [j = '10000', r = '200000', reps = '3', c = '4', ...others] = process.argv.slice(2);
  const db = await createBenchDb('sisyphus_probe_metrics');
  try {
    const seed = await seedUi(db.url, Number(j), Number(r), Date.now());
    console.log(`seeded ${seed.jobs} jobs, ${seed.runs} runs; ${cpus().length} cores`);
    const sides = [await side(path.resolve(__dirname, '..'), db.url)];
    for (const o of others) sides.push(await side(path.resolve(o), db.url));
    for (const s of sides) await s.metricsJson(s.store); // warm-up
    const firsts = await Promise.all(sides.map((s) => s.metricsJson(s.store)));
    console.log(`same body across sides: ${firsts.every((b) => b === firsts[0])}`);
    for (let i = 0; i < Number(reps); i++) {
      for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
        console.log(await measure(s, 1));
        console.log(await measure(s, Number(c)));
      }
    }
    for (const s of sides) await s.store.close();
  } finally {
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
