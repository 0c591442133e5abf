-- A warm standby follows the jobs table (scheduler/runtime/standby-mirror.ts, read by
-- PrismaJobStore.changes): every row version carries the id of the transaction that wrote it
-- (change_xid, set by a trigger on every insert and update, whatever statement writes it), and
-- every delete leaves a tombstone with its transaction id. A reader that remembers the oldest
-- transaction still running when it last read (pg_snapshot_xmin) finds everything committed since
-- by `change_xid >= that`: a transaction id below it had ended before that read, so its writes
-- were seen then. Unlike a sequence bumped at write time, this does not miss a write that commits
-- after a later-numbered one.
ALTER TABLE "jobs" ADD COLUMN "change_xid" BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX "jobs_change_xid_idx" ON "jobs"("change_xid");

CREATE FUNCTION "jobs_stamp_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."change_xid" := pg_current_xact_id()::text::bigint;
  RETURN NEW;
END $$;
CREATE TRIGGER "jobs_stamp_change" BEFORE INSERT OR UPDATE ON "jobs"
  FOR EACH ROW EXECUTE FUNCTION "jobs_stamp_change"();

-- A name NULL: the table was truncated (every job gone; a reader loads everything again).
-- Kept one day: a reader that last read longer ago than that loads everything again too.
CREATE TABLE "job_tombstones" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT,
    "change_xid" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),

    CONSTRAINT "job_tombstones_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "job_tombstones_change_xid_idx" ON "job_tombstones"("change_xid");

CREATE FUNCTION "jobs_tombstone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "job_tombstones" ("name", "change_xid") SELECT o."name", pg_current_xact_id()::text::bigint FROM "old_rows" AS o;
  DELETE FROM "job_tombstones" WHERE "at" < now() - interval '1 day';
  RETURN NULL;
END $$;
CREATE TRIGGER "jobs_tombstone" AFTER DELETE ON "jobs"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "jobs_tombstone"();

CREATE FUNCTION "jobs_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "job_tombstones" ("name", "change_xid") VALUES (NULL, pg_current_xact_id()::text::bigint);
  RETURN NULL;
END $$;
CREATE TRIGGER "jobs_truncated" AFTER TRUNCATE ON "jobs"
  FOR EACH STATEMENT EXECUTE FUNCTION "jobs_truncated"();
