/**
 * RunStore.durationStats in one statement: every job's newest `limit` FINISHED runs (by due, then
 * id, as RunStore.durations picks them), reduced in PostgreSQL to scheduler/core/duration-stats.ts's
 * histogram with the same double arithmetic in the same order (ascending sums, products for
 * squares, Codahale's interpolation), so the app's thread only reads one row per job.
 */
import { DURATION_QUANTILES, type DurationStats } from '../../core/duration-stats';
import type { Db } from './sql';

/** Codahale's quantile (core/quantile.ts) of the sorted float8[] `v` of `n` values, 1-based. */
function quantileSql(q: number): string {
  const pos = `(${q}::float8 * (p.n + 1)::float8)`;
  const i = `floor(${pos})`;
  return `CASE WHEN ${i} < 1 THEN p.v[1] WHEN ${i} >= p.n THEN p.v[p.n]
    ELSE p.v[${i}::int] + (${pos} - ${i}) * (p.v[${i}::int + 1] - p.v[${i}::int]) END`;
}

const QUANTILES = Object.entries(DURATION_QUANTILES)
  .map(([k, q]) => `${quantileSql(q)} AS "${k}"`)
  .join(',\n  ');

const msOf = (col: string) => `(extract(epoch FROM r."${col}") * 1000)::bigint`;

const SQL = `
WITH recent AS (
  SELECT s."job_name", s.d FROM (
    SELECT r."job_name", (${msOf('finished_at')} - ${msOf('started_at')})::float8 AS d,
      row_number() OVER (PARTITION BY r."job_name" ORDER BY r."due" DESC, r."id" DESC) AS k
    FROM "runs" r
    WHERE r."state" = 'FINISHED' AND r."started_at" IS NOT NULL AND r."finished_at" IS NOT NULL
  ) s WHERE s.k <= $1
), per AS (
  SELECT "job_name", count(*)::int AS n, array_agg(d ORDER BY d) AS v, sum(d ORDER BY d) / count(*)::float8 AS mean
  FROM recent GROUP BY "job_name"
)
SELECT p."job_name" AS job, p.n AS count, p.v[1] AS min, p.v[p.n] AS max, p.mean,
  CASE WHEN p.n <= 1 THEN 0::float8
    ELSE sqrt((SELECT sum((x - p.mean) * (x - p.mean) ORDER BY x) FROM unnest(p.v) x) / (p.n - 1)::float8) END AS stddev,
  ${QUANTILES}
FROM per p`;

type Row = { job: string } & DurationStats;

/** Job name → the histogram of its newest `limit` FINISHED runs' durations (jobs without one left out). */
export async function durationStatsByJob(db: Db, limit: number): Promise<Map<string, DurationStats>> {
  const out = new Map<string, DurationStats>();
  if (limit <= 0) return out;
  const rows = await db.$queryRawUnsafe<Row[]>(SQL, Math.trunc(limit));
  for (const { job, ...stats } of rows) out.set(job, stats);
  return out;
}
