/**
 * The worker's load in this process, without PostgreSQL: N generated jobs (the scale bench's job,
 * a share of them dependent, some on missing parents), their rows as the store reads them (jsonb
 * as text), then each phase timed: the rows parsed by the store's own list() (a bulk reader that
 * hands the rows over), the job map, the dependency graph, the schedule index, and the whole
 * Worker.start over those jobs (its phases from its trace).
 * `npx tsx bench/probe-worker-load.ts [N] [reps] [dependent share]`.
 */
import { PrismaJobStore } from '../scheduler/adapters/prisma/job-store';
import type { BulkReader, Db } from '../scheduler/adapters/prisma/sql';
import { DependencyGraph } from '../scheduler/core/dag';
import type { Job } from '../scheduler/core/types';
import { ScheduleIndex } from '../scheduler/runtime/schedule-index';
import { systemClock } from '../scheduler/runtime/system-clock';
import { TakeoverTrace } from '../scheduler/runtime/takeover-trace';
import { Worker } from '../scheduler/runtime/worker';
import { MemoryStore } from '../scheduler/testing/memory-store';
import { makeJob } from './lib/internal';

function generate(n: number, dependentShare: number): Job[] {
  const width = Math.max(6, String(n - 1).length);
  const name = (i: number) => `scale-job-${String(i).padStart(width, '0')}`;
  const base = makeJob({ name: name(0), command: 'x', schedule: 'R/2100-01-01T00:00:00Z/P1D', cpus: 0.5, mem: 256 });
  const jobs: Job[] = [];
  for (let i = 0; i < n; i++) {
    const dependent = i > 0 && (i * 2654435761) % 1000 < dependentShare * 1000;
    const job: Job = {
      ...base,
      name: name(i),
      command: `/usr/local/bin/transcode --input s3://media/${i}.mov --preset ${i % 7}`,
      description: `nightly transcode ${i}`,
    };
    if (dependent) {
      delete (job as Partial<Job>).schedule;
      // mostly earlier jobs, now and then a later one, a missing one or a pair closing a cycle
      const ps = [name(i - 1)];
      if (i % 7 === 0) ps.push(name(Math.floor(i / 2)));
      if (i % 11 === 0 && i + 1 < n) ps.push(name(i + 1));
      if (i % 97 === 0) ps.push(`missing-${i}`);
      job.parents = ps;
    }
    jobs.push(job);
  }
  return jobs;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const reps = Number(process.argv[3] ?? 2);
  const share = Number(process.argv[4] ?? 0.3);
  const jobs = generate(n, share);
  const rows = jobs.map((j) => ({ d: JSON.stringify(j) }));
  const bulk: BulkReader = async <R,>(_sql: string, batch: number, each: (rows: R[]) => void | Promise<void>) => {
    for (let i = 0; i < rows.length; i += batch) await each(rows.slice(i, i + batch) as R[]);
  };
  const jobStore = new PrismaJobStore(null as unknown as Db, bulk);
  const ms = (t0: number) => Math.round(performance.now() - t0);
  for (let rep = 0; rep < reps; rep++) {
    const out: Record<string, number> = {};
    const cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const listed = await jobStore.list();
    out['rows parsed (list)'] = ms(t0);
    t0 = performance.now();
    const map = new Map<string, Job>();
    for (const j of listed) map.set(j.name, j);
    out['job map'] = ms(t0);
    t0 = performance.now();
    const built = DependencyGraph.fromJobs(listed.map((j) => (j.parents ? { name: j.name, parents: j.parents.filter((p) => map.has(p)) } : j)));
    out['graph'] = ms(t0);
    t0 = performance.now();
    const index = new ScheduleIndex(() => {});
    const now = Date.now();
    for (const j of listed) index.reindex(j, now);
    out['index'] = ms(t0);
    const store = new MemoryStore();
    const trace = new TakeoverTrace(() => performance.now());
    const w = new Worker({ store, clock: systemClock, trace, jobSource: async () => ({ jobs: listed }) });
    t0 = performance.now();
    await w.start();
    out['Worker.start'] = ms(t0);
    w.stop();
    const cpu = process.cpuUsage(cpu0);
    out['cpu (all threads, GC included)'] = Math.round((cpu.user + cpu.system) / 1000);
    console.log(`rep ${rep} n=${n} rejected=${built.rejected.length}`, JSON.stringify(out), '| start trace:', trace.summary());
  }
}
void main();
