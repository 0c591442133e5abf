-- The notifications outbox: one row per event, channel and recipient, written in the same
-- transaction as the outcome that caused it and delivered by the leader (notify-deliverer.ts).
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "job_name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "recipient" TEXT NOT NULL DEFAULT '',
    "event" JSONB NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "note" TEXT,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- what the deliverer claims: unsettled rows by due time
CREATE INDEX "notifications_open_idx" ON "notifications" ("next_at") WHERE "state" IN ('pending', 'sending');
-- a job's page: its notifications, newest first
CREATE INDEX "notifications_job_idx" ON "notifications" ("job_name", "id" DESC);
-- the dedupe window: what was sent lately
CREATE INDEX "notifications_sent_idx" ON "notifications" ("sent_at") WHERE "state" = 'sent';
