'use client';
/**
 * The editor's run-policy settings (issue 17): what an instant does while a run of the job is
 * still going (`concurrencyPolicy`, core/overlap-policy.ts) and the launch spread (`jitter`,
 * core/jitter.ts). Shown in the Behaviour card; errors under each, named as the API names them.
 */
import { MAX_JITTER } from '@/scheduler/core/jitter';
import type { ConcurrencyPolicy } from '@/scheduler/core/overlap-policy';
import { Field } from './fields';
import type { FieldErrors } from './form-errors';
import type { FormState, SetField } from './form-model';

/** Each policy in words, default first. */
export const POLICY_TEXT: Array<[ConcurrencyPolicy, string, string]> = [
  ['Queue', 'Queue: start right after it ends', 'At most one run waits; a further instant is skipped (Chronos, concurrent off).'],
  ['Allow', 'Allow: run beside it', 'Chronos’s concurrent: a new run starts while the other goes on.'],
  ['Forbid', 'Forbid: skip the instant', 'The instant is recorded as a skipped run, with the reason.'],
  ['Replace', 'Replace: kill it, then start', 'The running run is killed; the new one starts once it has ended.'],
];

export function RunPolicyFields({ form, set, errors }: { form: FormState; set: SetField; errors: FieldErrors }) {
  const chosen = POLICY_TEXT.find(([p]) => p === form.concurrencyPolicy);
  return (
    <>
      <Field label="When a run is still going" field="concurrencyPolicy" errors={errors} hint={chosen?.[2]}>
        {(p) => (
          <select {...p} className="input" value={form.concurrencyPolicy} onChange={(e) => set('concurrencyPolicy', e.target.value as ConcurrencyPolicy)}>
            {POLICY_TEXT.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {form.kind === 'scheduled' ? (
        <Field
          label="Jitter"
          field="jitter"
          errors={errors}
          hint={`Launch each scheduled run up to this long after its instant (the same delay for the same job and instant; SISYPHUS_DUE stays the instant). ISO 8601, at most ${MAX_JITTER}; empty: none.`}
        >
          {(p) => <input {...p} className="input w-32 font-mono" placeholder="PT5M" value={form.jitter} onChange={(e) => set('jitter', e.target.value)} />}
        </Field>
      ) : null}
    </>
  );
}
