'use client';
/**
 * The editor's catch-up fields of a scheduled job (scheduler/core/catch-up.ts): what runs after the
 * scheduler was down, and how far back `all` goes. Defaults (latest, P1D) are not written to the JSON.
 */
import { Field } from './fields';
import type { FieldErrors } from './form-errors';
import type { FormState, SetField } from './form-model';

const POLICIES: { value: string; label: string }[] = [
  { value: 'latest', label: 'Latest: one run (default)' },
  { value: 'none', label: 'None: skip them' },
  { value: 'all', label: 'All: each, oldest first' },
];

export function CatchUpFields({ form, set, errors }: { form: FormState; set: SetField; errors: FieldErrors }) {
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field label="After downtime" field="catchUp" errors={errors} hint="Instants missed while Sisyphus was down: one catch-up run (Chronos), none (recorded as skipped), or each one within the window. At most CATCH_UP_MAX (100) run.">
        {(p) => (
          <select {...p} className="input" value={form.catchUp} onChange={(e) => set('catchUp', e.target.value)}>
            {POLICIES.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {form.catchUp === 'all' ? (
        <Field label="Catch-up window" field="catchUpWindow" errors={errors} hint="ISO 8601 duration, e.g. PT6H or P2D; older missed instants are skipped. Default P1D.">
          {(p) => <input {...p} className="input font-mono" placeholder="P1D" value={form.catchUpWindow} onChange={(e) => set('catchUpWindow', e.target.value)} />}
        </Field>
      ) : null}
    </div>
  );
}
