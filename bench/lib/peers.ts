/**
 * The peers of the burst benchmarks, each in its best configuration for "concurrency 16, batch
 * fetch", doing the same N jobs submitted one call at a time (16 calls in flight) on the same
 * PostgreSQL, with the same handler (spawn /bin/true, or nothing).
 *
 * - pg-boss 10: one `work()` with batchSize 64 (a batch is fetched and locked in one query) and an
 *   in-handler limit of 16 jobs at once; pollingIntervalSeconds 0.5 (the minimum). pg-boss 10
 *   has no LISTEN/NOTIFY wake-up: a worker sleeps the rest of its interval after each batch.
 * - graphile-worker 0.17: concurrency 16, LISTEN/NOTIFY, localQueue of 256 (batch fetch),
 *   completeJobBatchDelay 0 (batched completions).
 * Done = the queue's own table says every job is completed (pg-boss: state 'completed';
 * graphile-worker: the job row deleted), polled every 50 ms: the same rule as Sisyphus's
 * "FINISHED and recorded".
 */
import { spawn } from 'node:child_process';
import type { CpuUse } from './proc';
import { createBenchDb } from './services';
import { pool, sleep, waitFor } from './util';

export type Handler = () => Promise<void>;

export const spawnTrue: Handler = () =>
  new Promise<void>((resolve, reject) => {
    const c = spawn('/bin/true', [], { stdio: 'ignore' });
    c.once('error', reject);
    c.once('exit', () => resolve());
  });

export const noop: Handler = async () => {};

export interface BurstResult {
  seconds: number;
  perSecond: number;
  /** CPU of each process tree during the run (the limit's) */
  cpu?: CpuUse;
}

/** How fast this machine runs the handler with 16 in flight and nothing else (the limit). */
export async function handlerLimit(n: number, handler: Handler, onProgress: (done: number) => void): Promise<BurstResult> {
  let done = 0;
  const t0 = performance.now();
  await pool(n, 16, async () => {
    await handler();
    if (++done % 200 === 0) onProgress(done);
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, perSecond: n / seconds };
}

async function limit16<T>(items: T[], fn: (t: T) => Promise<void>): Promise<void> {
  await pool(items.length, 16, (i) => fn(items[i]));
}

export async function pgBossBurst(n: number, handler: Handler, onProgress: (done: number) => void): Promise<BurstResult> {
  const { default: PgBoss } = await import('pg-boss');
  const db = await createBenchDb('peer_bench_pgboss');
  const boss = new PgBoss({ connectionString: db.url, max: 20, supervise: false, schedule: false });
  boss.on('error', () => {});
  try {
    await boss.start();
    const q = 'burst';
    await boss.createQueue(q);
    await boss.work<{ i: number }>(q, { batchSize: 64, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      await limit16(jobs, () => handler());
    });
    const t0 = performance.now();
    await pool(n, 16, async (i) => {
      await boss.send(q, { i });
    });
    await waitFor(
      'pg-boss jobs completed',
      async () => {
        const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [q]);
        onProgress(Number(r.c));
        return Number(r.c) >= n;
      },
      600_000,
      50,
    );
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, perSecond: n / seconds };
  } finally {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    await sleep(100);
    await db.drop();
  }
}

export async function graphileBurst(n: number, handler: Handler, onProgress: (done: number) => void): Promise<BurstResult> {
  const gw = await import('graphile-worker');
  const db = await createBenchDb('peer_bench_graphile');
  const logger = new gw.Logger(() => () => {});
  // our own pool, so it can be closed before the database is dropped (a connection of graphile's
  // own pool still open then was terminated by the drop, and its error ended the bench)
  const { default: pg } = await import('pg');
  const pgPool = new pg.Pool({ connectionString: db.url, max: 24 });
  pgPool.on('error', () => {});
  pgPool.on('connect', (client) => client.on('error', () => {})); // graphile-worker asks for both
  const runner = await gw.run({
    pgPool,
    concurrency: 16,
    noHandleSignals: true,
    pollInterval: 2000,
    logger,
    taskList: { burst: async () => handler() },
    preset: { worker: { localQueue: { size: 256 }, completeJobBatchDelay: 0 } },
  });
  const utils = await gw.makeWorkerUtils({ pgPool, logger });
  try {
    // warm the add path (prepared statements) outside the timing
    const t0 = performance.now();
    await pool(n, 16, async (i) => {
      await utils.addJob('burst', { i });
    });
    await waitFor(
      'graphile-worker jobs completed',
      async () => {
        const [r] = await db.query<{ c: string }>(`SELECT count(*)::text AS c FROM graphile_worker._private_jobs`);
        onProgress(n - Number(r.c));
        return Number(r.c) === 0;
      },
      600_000,
      50,
    );
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, perSecond: n / seconds };
  } finally {
    await Promise.resolve(utils.release()).catch(() => {});
    await runner.stop().catch(() => {});
    await pgPool.end().catch(() => {});
    await db.drop();
  }
}
