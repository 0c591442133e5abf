/**
 * What one chunk of a herd's offer round costs to record, part by part: N jobs and their QUEUED
 * runs in a fresh database, then chunks of C launches recorded as the launch planner does
 * (RunStore.record's one statement: runs → STAGING, OFFERED events, the schedules advanced) and,
 * alternating chunk by chunk, each part alone. `npx tsx bench/probe-launch-record.ts [N] [C]`.
 */
import pg from 'pg';
import { createStore } from '../scheduler/adapters/prisma';
import { recordSql } from '../scheduler/adapters/prisma/run-writes';
import type { RunRecord } from '../scheduler/ports';
import { offeredEvent } from '../scheduler/runtime/run-events';
import { makeJob, putJobs } from './lib/internal';
import { createBenchDb } from './lib/services';
import { median } from './lib/util';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const chunk = Number(process.argv[3] ?? 480);
  const db = await createBenchDb();
  const store = await createStore({ databaseUrl: db.url, poolSize: 4 });
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const T = Date.now() + 3_600_000;
    const jobs = Array.from({ length: n }, (_, i) => makeJob({ name: `herd-${i}`, command: 'true', schedule: `R2/${iso(T)}/PT20S`, cpus: 0.1, mem: 32, disk: 0 }));
    await putJobs(store, jobs, 'probe');
    const runs = await store.runs.createMany(
      jobs.map((j) => ({ jobName: j.name, due: T, attempt: 0, taskId: `ct:${T}:0:${j.name}:`, arguments: '', trigger: 'schedule' as const, highPriority: false, queuedAt: Date.now() })),
    );
    await db.query('VACUUM ANALYZE');
    const parts = {
      all: (r: RunRecord) => r,
      runs: (r: RunRecord) => ({ ...r, events: [], jobs: [] }),
      events: (r: RunRecord) => ({ ...r, updates: [], jobs: [] }),
      jobs: (r: RunRecord) => ({ ...r, updates: [], events: [] }),
    };
    const ms: Record<string, number[]> = { all: [], runs: [], events: [], jobs: [] };
    const names = Object.keys(parts) as (keyof typeof parts)[];
    for (let i = 0, k = 0; i + chunk <= runs.length; i += chunk, k++) {
      const slice = runs.slice(i, i + chunk);
      const now = Date.now();
      const full: RunRecord = {
        updates: slice.map((r) => ({ taskId: r.taskId, patch: { state: 'STAGING', launchedAt: now, agentId: 'agent-1', host: 'host-1' } })),
        events: slice.map((r) => offeredEvent(r.taskId, 'agent-1', 'host-1', ['offer-1'], now)),
        jobs: slice.map((r) => ({ name: r.jobName, set: { schedule: `R1/${iso(T + 20_000)}/PT20S` }, unset: [] })),
      };
      const part = names[k % names.length];
      const sql = recordSql(parts[part](full))!;
      const t0 = performance.now();
      await pool.query(sql.text, sql.values);
      ms[part].push(performance.now() - t0);
    }
    for (const p of names) console.log(`${p.padEnd(7)} chunks ${ms[p].length}, median ${median(ms[p]).toFixed(1)} ms per ${chunk} (${((median(ms[p]) * 1000) / chunk).toFixed(0)} µs/launch)`);
  } finally {
    await pool.end();
    await store.close();
    await db.drop();
  }
}
void main();
