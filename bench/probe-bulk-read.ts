/**
 * The jobs' bulk read against PostgreSQL at scale: N scale-bench jobs inserted by one SQL statement
 * (a template row varied per job; or an existing database's), then, alternating, every row read and
 * parsed through the bulk cursor as it was (each FETCH after the last batch was handed over) and as
 * it is (the next batch fetched ahead). `npx tsx bench/probe-bulk-read.ts [N] [reps] [db url]`.
 */
import pg from 'pg';
import { createStore } from '../scheduler/adapters/prisma';
import { bulkCursorReader } from '../scheduler/adapters/prisma/bulk-cursor';
import { makeJob } from './lib/internal';
import { createBenchDb } from './lib/services';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200_000);
  const reps = Number(process.argv[3] ?? 2);
  let url = process.argv[4];
  if (!url) {
    const db = await createBenchDb('sisyphus_probe_million');
    url = db.url;
    const store = await createStore({ databaseUrl: url, poolSize: 4 });
    await store.close();
    const t = makeJob({ name: 'x', command: 'x', schedule: 'R/2100-01-01T00:00:00Z/P1D', cpus: 0.5, mem: 256, description: 'x' });
    const w = Math.max(6, String(n - 1).length);
    await db.query(
      `INSERT INTO jobs (name, command, data)
       SELECT nm, cmd, $1::jsonb || jsonb_build_object('name', nm, 'command', cmd, 'description', 'nightly transcode ' || g)
       FROM (SELECT g, 'scale-job-' || lpad(g::text, ${w}, '0') AS nm, '/usr/local/bin/transcode --input s3://media/' || g || '.mov --preset ' || (g % 7) AS cmd
             FROM generate_series(0, ${n - 1}) g) s`,
      [JSON.stringify(t)],
    );
    await db.query('VACUUM ANALYZE jobs');
    console.log(`seeded ${n}: ${url}`);
  }
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const ahead = bulkCursorReader(pool);
  const ms = (t0: number) => Math.round(performance.now() - t0);
  const sql = 'SELECT "data"::text AS d FROM "jobs" ORDER BY "name"';
  for (let r = 0; r < reps; r++) {
    for (const [label, read] of [['one batch at a time', sequentialReader(pool)], ['next batch fetched ahead', ahead]] as const) {
      let kept: unknown[] = [];
      const t0 = performance.now();
      await read<{ d: string }>(sql, 2000, async (rows) => {
        for (const row of rows) kept.push(JSON.parse(row.d));
        await new Promise((res) => setImmediate(res));
      });
      console.log(`rep ${r} ${label}: rows + JSON.parse ${ms(t0)} ms (${kept.length})`);
      kept = [];
    }
  }
  await pool.end();
}

/** The bulk cursor as it was before the read-ahead: each FETCH sent after the last batch was handed over. */
function sequentialReader(pool: pg.Pool) {
  return async <R,>(sql: string, batch: number, each: (rows: R[]) => void | Promise<void>) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE sisyphus_bulk NO SCROLL CURSOR FOR ${sql}`);
      for (;;) {
        const { rows } = await client.query(`FETCH ${batch} FROM sisyphus_bulk`);
        if (rows.length === 0) break;
        await each(rows as R[]);
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
