-- The run page reads every run of a job for one instant (RunStore.forInstant): those due then,
-- and the retries, reruns and downstream runs that name it in intended_due, however long after it
-- they ran. Partial: most runs are for their own due time (intended_due NULL) and add no entry.
CREATE INDEX "runs_job_name_intended_due_idx" ON "runs"("job_name", "intended_due") WHERE "intended_due" IS NOT NULL;

-- The timeline draws a run when it ran; it reads runs by due instant, which misses those queued
-- long after it (a backfill, a rerun of an old night, a catch-up): RunStore.queuedLate reads
-- them by queue time. 6 hours is LATE_QUEUE_MS (scheduler/ports.ts); the query repeats the predicate.
CREATE INDEX "runs_queued_late_idx" ON "runs"("queued_at") WHERE "queued_at" - "due" > interval '6 hours';
