-- A run's state timeline as it happened: every Mesos status update (state, reason, message,
-- source, agent) and the scheduler's OFFERED, written in the same transaction as the run's state
-- (run-event-store.ts). At most the last 50 per run are kept; deleting a job's runs deletes their
-- events (RunStore.deleteForJob). No foreign key to runs: TRUNCATE runs keeps working as it did.
CREATE TABLE "run_events" (
    "id" BIGSERIAL NOT NULL,
    "task_id" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "message" TEXT,
    "source" TEXT,
    "agent_id" TEXT,
    "mesos_at" TIMESTAMPTZ(3),

    -- one index serves a run's timeline in order and the trim to its last 50
    CONSTRAINT "run_events_pkey" PRIMARY KEY ("task_id", "id")
);
