-- Status updates as HOT updates (heap-only tuples: the new row version goes on the same page and
-- no index is written). PostgreSQL can do that only when no indexed column changes, predicates of
-- partial indexes included, and when the page has room. Before this, runs_active_idx (on "state",
-- for the unfinished runs) made every state change write a new entry into each of the table's
-- eight indexes, two to four times per run (STAGING, STARTING, RUNNING, the end).

-- The unfinished runs (RunStore.listActive at takeover, the dashboard) are found by "finished_at"
-- instead: it stays NULL until a run ends (every terminal patch sets it, no run goes back from a
-- terminal state), so only the last update of a run touches this index. The queries keep their
-- condition on "state" and add "finished_at" IS NULL; (due, id) is listActive's order.
-- A run in a non-terminal state with a finish time would be missed by them: none should exist,
-- and any that does is cleared here.
UPDATE "runs" SET "finished_at" = NULL
 WHERE "finished_at" IS NOT NULL AND "state" IN ('QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING');
DROP INDEX "runs_active_idx";
CREATE INDEX "runs_unfinished_idx" ON "runs"("due", "id") WHERE "finished_at" IS NULL;

-- Redundant with the unique (job_name, due, attempt), which serves every query by job and due
-- in either direction (the runs pages, a job's history, its recent runs and durations).
DROP INDEX "runs_job_name_due_idx";

-- Room on each page for the next versions of its rows (pages written from now on).
ALTER TABLE "runs" SET (fillfactor = 75);
