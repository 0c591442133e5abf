/**
 * The job fields of the catch-up policy (core/catch-up.ts) and the pause (core/pause.ts), as the
 * job schema reads them and the Chronos JSON writes them: each appears in the JSON only when set
 * away from its default, so a Chronos client sees no change.
 *
 * - `catchUp`: `latest` (default), `none` or `all`, case-insensitive; `latest` is not stored.
 * - `catchUpWindow`: an ISO 8601 duration (default P1D); the default is not stored.
 * - `pause` is never read from a job body (only POST /api/jobs/{name}/pause and /resume set it);
 *   an upsert keeps the stored one.
 */
import { z } from 'zod';
import { CATCH_UP_POLICIES, DEFAULT_CATCH_UP, DEFAULT_CATCH_UP_WINDOW, catchUpWindowMs, type CatchUpPolicy } from '../core/catch-up';
import type { Job } from '../core/types';

const absent = (v: unknown): unknown => (v === null || v === '' ? undefined : v);

export const catchUpInput = {
  catchUp: z.preprocess(
    (v) => (typeof v === 'string' ? v.toLowerCase() : absent(v)),
    z.enum(CATCH_UP_POLICIES, { error: `must be one of ${CATCH_UP_POLICIES.join(', ')}` }).optional(),
  ),
  catchUpWindow: z.preprocess(
    absent,
    z
      .string({ error: 'must be an ISO 8601 duration such as PT6H or P1D' })
      .superRefine((s, ctx) => {
        const r = catchUpWindowMs(s);
        if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
      })
      .optional(),
  ),
};

/** The catch-up fields of a parsed job, defaults left out. */
export function catchUpOf(j: { catchUp?: CatchUpPolicy; catchUpWindow?: string }): Pick<Job, 'catchUp' | 'catchUpWindow'> {
  const out: Pick<Job, 'catchUp' | 'catchUpWindow'> = {};
  if (j.catchUp !== undefined && j.catchUp !== DEFAULT_CATCH_UP) out.catchUp = j.catchUp;
  if (j.catchUpWindow !== undefined && j.catchUpWindow !== DEFAULT_CATCH_UP_WINDOW) out.catchUpWindow = j.catchUpWindow;
  return out;
}

/** The fields the Chronos JSON writes after Chronos's own, in this order, only when set. */
export function catchUpPauseJson(job: Job): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (job.catchUp !== undefined) out.catchUp = job.catchUp;
  if (job.catchUpWindow !== undefined) out.catchUpWindow = job.catchUpWindow;
  if (job.pause !== undefined) out.pause = { until: job.pause.until, note: job.pause.note, by: job.pause.by, at: job.pause.at };
  return out;
}
