-- Sisyphus initial schema. Instants are timestamptz(3) (millisecond precision, as the scheduler's
-- Instant). Applied by scheduler/adapters/prisma/migrate.ts inside one transaction.

-- CreateTable
CREATE TABLE "jobs" (
    "name" TEXT NOT NULL,
    "command" TEXT NOT NULL DEFAULT '',
    "data" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" BIGSERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "due" TIMESTAMPTZ(3) NOT NULL,
    "attempt" INTEGER NOT NULL,
    "task_id" TEXT NOT NULL,
    "arguments" TEXT NOT NULL DEFAULT '',
    "trigger" TEXT NOT NULL,
    "high_priority" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "queued_at" TIMESTAMPTZ(3) NOT NULL,
    "launched_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "agent_id" TEXT,
    "host" TEXT,
    "message" TEXT,
    "reason" TEXT,
    "elements_processed" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dependency_edges" (
    "child" TEXT NOT NULL,
    "parent" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "dependency_edges_pkey" PRIMARY KEY ("child","parent")
);

-- CreateTable
CREATE TABLE "framework_state" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "framework_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "runs_task_id_key" ON "runs"("task_id");

-- CreateIndex
CREATE UNIQUE INDEX "runs_job_name_due_attempt_key" ON "runs"("job_name", "due", "attempt");

-- CreateIndex
CREATE INDEX "runs_job_name_due_idx" ON "runs"("job_name", "due" DESC);

-- CreateIndex
CREATE INDEX "runs_due_idx" ON "runs"("due");

-- CreateIndex
CREATE INDEX "dependency_edges_parent_idx" ON "dependency_edges"("parent");

-- Not expressible in schema.prisma: runs that are not terminal (reconciliation, listActive).
CREATE INDEX "runs_active_idx" ON "runs"("state")
    WHERE "state" IN ('QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING');

-- Not expressible in schema.prisma: substring search on lower(name) / lower(command).
-- Trigram GIN indexes when pg_trgm can be created (real PostgreSQL, or PGlite with the pg_trgm
-- contrib loaded); plain btree expression indexes otherwise (search then scans, still correct).
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX "jobs_name_search_idx" ON "jobs" USING GIN (lower("name") gin_trgm_ops);
        CREATE INDEX "jobs_command_search_idx" ON "jobs" USING GIN (lower("command") gin_trgm_ops);
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable (%): job search uses plain indexes', SQLERRM;
        CREATE INDEX "jobs_name_search_idx" ON "jobs" (lower("name"));
        CREATE INDEX "jobs_command_search_idx" ON "jobs" (lower("command"));
    END;
END
$$;
