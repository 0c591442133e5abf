/**
 * The JobVersionStore port over Prisma: the job_versions table (one row per change of a job).
 * A stored job's latest version keeps no copy of the job (data NULL: the job as stored now, read
 * through a join); the change that supersedes it writes its snapshot, from the job before that
 * change. So a bulk create writes a small row per job, not a second copy of it (the bytes, not the
 * statement, were what cost: +40-70% on 1,000 creates with the copy). A delete's row holds the job.
 * `add` is one INSERT … SELECT over a jsonb array, numbering each job's new rows after its stored
 * maximum (read through the primary key (job_name, n) in the same statement); a second statement
 * prunes only when a job has more than `keep` versions, so a bulk create costs one statement more
 * per transaction.
 */
import type { FieldChange, JobVersion, NewJobVersion, VersionKind } from '../../core/job-version';
import type { Job } from '../../core/types';
import type { DeletedJob, JobVersionStore } from '../../ports';
import { Prisma } from './generated/client';
import type { Db } from './sql';

/** Versions kept per job when the store is given no number (JOB_VERSIONS_KEPT's default). */
export const DEFAULT_VERSIONS_KEPT = 100;

interface Row {
  name: string;
  n: number;
  kind: string;
  by: string | null;
  at: Date;
  data: string;
  diff: string;
  note: string | null;
}

/** Read from job_versions AS v LEFT JOIN jobs AS j: a latest version without a copy is the job as stored. */
const COLUMNS = Prisma.raw(
  `v."job_name" AS name, v."n", v."kind", v."by", v."at", coalesce(v."data", j."data")::text AS data, v."diff"::text AS diff, v."note"`,
);
const FROM = Prisma.raw(`"job_versions" AS v LEFT JOIN "jobs" AS j ON j."name" = v."job_name"`);

const toVersion = (r: Row): JobVersion => ({
  jobName: r.name,
  n: r.n,
  kind: r.kind as VersionKind,
  by: r.by,
  at: r.at.getTime(),
  job: JSON.parse(r.data) as Job,
  diff: JSON.parse(r.diff) as FieldChange[],
  note: r.note,
});

export class PrismaVersionStore implements JobVersionStore {
  constructor(
    private readonly db: Db,
    /** Versions kept per job (at least 1). */
    private readonly keep: number = DEFAULT_VERSIONS_KEPT,
  ) {}

  async add(versions: NewJobVersion[]): Promise<number[]> {
    if (versions.length === 0) return [];
    // k: the place of a version among this batch's versions of its job (1, 2, …), so a batch
    // that writes one job twice numbers both without a window function
    const seen = new Map<string, number>();
    const before: Record<string, Job> = {};
    const ks = versions.map((v) => {
      const k = (seen.get(v.jobName) ?? 0) + 1;
      seen.set(v.jobName, k);
      if (k === 1 && v.previous) before[v.jobName] = v.previous;
      return k;
    });
    // The latest version of a stored job keeps no copy (data NULL: the job as stored now); the
    // version it supersedes gets its snapshot here. A create writes only the small row.
    const payload = JSON.stringify(
      versions.map((v, i) => ({
        jobName: v.jobName,
        k: ks[i],
        kind: v.kind,
        by: v.by,
        at: v.at,
        diff: v.diff,
        note: v.note,
        job: ks[i] === seen.get(v.jobName) && v.kind !== 'delete' ? undefined : v.job,
      })),
    );
    // creates only (a bulk import): no version is superseded, and the statement is planned without the UPDATE
    const superseded =
      Object.keys(before).length === 0
        ? Prisma.empty
        : Prisma.sql`WITH superseded AS (
            UPDATE "job_versions" AS v SET "data" = p.value
              FROM jsonb_each(${JSON.stringify(before)}::jsonb) AS p
             WHERE v."job_name" = p.key AND v."data" IS NULL
          )`;
    const rows = await this.db.$queryRaw<{ name: string; n: number }[]>`
      ${superseded}
      INSERT INTO "job_versions" ("job_name", "n", "kind", "by", "at", "data", "diff", "note")
      SELECT e->>'jobName',
             coalesce((SELECT max(v."n") FROM "job_versions" AS v WHERE v."job_name" = e->>'jobName'), 0) + (e->>'k')::int,
             e->>'kind', e->>'by', ('epoch'::timestamptz + (e->>'at')::bigint * interval '1 millisecond'),
             e->'job', e->'diff', e->>'note'
        FROM jsonb_array_elements(${payload}::jsonb) AS e
      RETURNING "job_name" AS name, "n"`;
    const top = new Map<string, number>();
    for (const r of rows) top.set(r.name, Math.max(top.get(r.name) ?? 0, Number(r.n)));
    const over = [...top].filter(([, n]) => n > this.keep).map(([name]) => name);
    if (over.length > 0) {
      await this.db.$executeRaw`
        DELETE FROM "job_versions" AS v
         USING (SELECT "job_name", max("n") AS top FROM "job_versions" WHERE "job_name" = ANY(${over}::text[]) GROUP BY "job_name") AS m
         WHERE v."job_name" = m."job_name" AND v."n" <= m.top - ${this.keep}::int`;
    }
    // this batch's versions of a job are its last `seen` numbers, in the order given
    return versions.map((v, i) => top.get(v.jobName)! - seen.get(v.jobName)! + ks[i]);
  }

  async list(jobName: string, limit: number, before?: number): Promise<JobVersion[]> {
    const below = before === undefined ? Prisma.empty : Prisma.sql`AND v."n" < ${Math.trunc(before)}::int`;
    const rows = await this.db.$queryRaw<Row[]>`
      SELECT ${COLUMNS} FROM ${FROM} WHERE v."job_name" = ${jobName} ${below}
       ORDER BY v."n" DESC LIMIT ${Math.max(0, Math.trunc(limit))}::int`;
    return rows.map(toVersion);
  }

  async get(jobName: string, n: number): Promise<JobVersion | null> {
    const rows = await this.db.$queryRaw<Row[]>`SELECT ${COLUMNS} FROM ${FROM} WHERE v."job_name" = ${jobName} AND v."n" = ${Math.trunc(n)}::int`;
    return rows[0] ? toVersion(rows[0]) : null;
  }

  async deleted(limit: number): Promise<DeletedJob[]> {
    const rows = await this.db.$queryRaw<Row[]>`
      SELECT ${COLUMNS} FROM ${FROM}
       WHERE v."kind" = 'delete'
         AND v."n" = (SELECT max(w."n") FROM "job_versions" AS w WHERE w."job_name" = v."job_name" AND w."kind" = 'delete')
         AND j."name" IS NULL
       ORDER BY v."at" DESC, v."job_name" LIMIT ${Math.max(0, Math.trunc(limit))}::int`;
    return rows.map((r) => {
      const v = toVersion(r);
      return { name: v.jobName, n: v.n, at: v.at, by: v.by, job: v.job };
    });
  }
}
