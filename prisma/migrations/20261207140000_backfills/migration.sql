-- Backfills (POST /api/jobs/{name}/backfill): one row per backfill, one row per job and instant it
-- runs. An item is marked running with its task id in the same transaction as its run is created,
-- so a leader change neither loses nor repeats an instant (scheduler/runtime/backfill-runner.ts).
CREATE TABLE "backfills" (
    "id" BIGSERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "downstream" BOOLEAN NOT NULL DEFAULT false,
    "concurrency" INTEGER NOT NULL,
    "force" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL DEFAULT 'running',
    "jobs" JSONB NOT NULL,
    "disabled" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "backfills_pkey" PRIMARY KEY ("id")
);

-- a job's page: its backfills, newest first
CREATE INDEX "backfills_job_idx" ON "backfills" ("job_name", "id" DESC);
-- what the leader's runner goes on with
CREATE INDEX "backfills_open_idx" ON "backfills" ("id") WHERE "state" IN ('running', 'paused', 'cancelling');

CREATE TABLE "backfill_items" (
    "backfill_id" BIGINT NOT NULL,
    "seq" INTEGER NOT NULL,
    "job_name" TEXT NOT NULL,
    "due" TIMESTAMPTZ(3) NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "task_id" TEXT,
    "note" TEXT,

    CONSTRAINT "backfill_items_pkey" PRIMARY KEY ("backfill_id", "seq")
);
