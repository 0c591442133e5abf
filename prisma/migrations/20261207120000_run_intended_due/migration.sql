-- The instant a run is for when it differs from its due time: a retry's is the failed run's, a
-- dependency run's its parent's (SISYPHUS_DUE, issue 17). NULL means the run's own due time.
ALTER TABLE "runs" ADD COLUMN "intended_due" TIMESTAMPTZ(3);
