/**
 * The job fields of issue 17 that shape how a job's runs start, parsed with the job
 * (job-schema.ts) and imported by the editor:
 *   concurrencyPolicy  Allow, Forbid, Replace or Queue (core/overlap-policy.ts); default: what
 *                      `concurrent` says (true → Allow, false → Queue, as Chronos);
 *   jitter             an ISO 8601 duration up to PT1H (core/jitter.ts); default none.
 * A job keeps `concurrencyPolicy` only for Forbid and Replace (Allow and Queue are `concurrent`),
 * so the Chronos JSON of a job without these fields is unchanged.
 */
import { z } from 'zod';
import { parseJitter } from '../core/jitter';
import { CONCURRENCY_POLICIES, normalizePolicy, type ConcurrencyPolicy } from '../core/overlap-policy';
import type { Job, Result } from '../core/types';
import { err, ok } from '../core/types';

const absentIfNull = (v: unknown): unknown => (v === null ? undefined : v);

export const concurrencyPolicySchema = z.preprocess(
  absentIfNull,
  z.enum(CONCURRENCY_POLICIES, { error: `must be one of ${CONCURRENCY_POLICIES.join(', ')}` }).optional(),
);

export const jitterSchema = z.preprocess(
  absentIfNull,
  z
    .string({ error: 'must be an ISO 8601 duration such as PT5M (at most PT1H)' })
    .superRefine((text, ctx) => {
      const r = parseJitter(text);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
    })
    .optional(),
);

/**
 * What the two fields make of the job: `concurrent` set from the policy when one is given (a
 * `concurrent` that says otherwise is refused), `concurrencyPolicy` kept for Forbid and Replace,
 * `jitter` kept unless it is zero. `raw` is the request body (to tell a `concurrent` that was sent
 * from its default).
 */
export function runPolicyFields(
  parsed: { concurrent: boolean; concurrencyPolicy?: ConcurrencyPolicy; jitter?: string },
  raw: object,
): Result<Pick<Job, 'concurrent' | 'concurrencyPolicy' | 'jitter'>, { field: string; message: string }> {
  const out: Pick<Job, 'concurrent' | 'concurrencyPolicy' | 'jitter'> = { concurrent: parsed.concurrent };
  const policy = parsed.concurrencyPolicy;
  if (policy !== undefined) {
    const sent = (raw as { concurrent?: unknown }).concurrent;
    if (typeof sent === 'boolean' && sent !== (policy === 'Allow')) {
      return err({ field: 'concurrencyPolicy', message: `${policy} contradicts concurrent: ${sent} (concurrent: true is Allow; send one of the two)` });
    }
    Object.assign(out, normalizePolicy(policy));
  }
  if (parsed.jitter !== undefined && (parseJitter(parsed.jitter) as { value?: number }).value !== 0) out.jitter = parsed.jitter;
  return ok(out);
}
