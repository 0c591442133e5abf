-- The history of every job: one row per change (create, update, disable, enable, delete, restore,
-- pause, resume), written in the same transaction as the change (version-store.ts). Not tied to
-- the jobs table: a deleted job's history stays, and a job re-created under its name goes on
-- counting. At most JOB_VERSIONS_KEPT rows per job are kept (the oldest go first).
CREATE TABLE "job_versions" (
    "job_name" TEXT NOT NULL,
    "n" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "by" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,
    -- null only on a stored job's latest version: the job as stored now (jobs.data)
    "data" JSONB,
    "diff" JSONB NOT NULL DEFAULT '[]',
    "note" TEXT,

    CONSTRAINT "job_versions_pkey" PRIMARY KEY ("job_name", "n")
);

-- the deleted-jobs view: each name's latest version when it is a delete
CREATE INDEX "job_versions_deletes_idx" ON "job_versions" ("at" DESC) WHERE "kind" = 'delete';

-- The version of its job a run was created with (null: created before any version was recorded).
ALTER TABLE "runs" ADD COLUMN "job_version" INTEGER;
