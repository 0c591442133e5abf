/**
 * The editor's field widgets: a labelled field with its error and hint (`Field`), a checkbox with
 * a hint (`Check`), and a list of rows that can be added and removed (`ListEditor`). A field's
 * input carries `data-field`, so an error summary can move the focus to it.
 */
import type { ReactNode } from 'react';
import type { FieldErrors } from './form-errors';

export function Field({
  label,
  field,
  errors,
  hint,
  children,
  className = '',
}: {
  label: string;
  field: string;
  errors: FieldErrors;
  hint?: ReactNode;
  children: (props: { id: string; 'data-field': string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
  className?: string;
}) {
  const id = `f-${field}`;
  const err = errors[field];
  const describedBy = [err ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="label">
        {label}
      </label>
      {children({ id, 'data-field': field, 'aria-invalid': err ? true : undefined, 'aria-describedby': describedBy })}
      {err ? (
        <p id={`${id}-error`} className="field-error">
          {err}
        </p>
      ) : null}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Check({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" className="mt-0.5" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        {label}
        {hint ? <span className="hint block">{hint}</span> : null}
      </span>
    </label>
  );
}

export function ListEditor<T>({
  label,
  field,
  errors,
  items,
  empty,
  onChange,
  render,
}: {
  label: string;
  field: string;
  errors: FieldErrors;
  items: T[];
  empty: T;
  onChange: (items: T[]) => void;
  render: (item: T, update: (v: T) => void, index: number) => ReactNode;
}) {
  const err = errors[field];
  return (
    <div>
      <div className="label" id={`f-${field}-label`}>
        {label}
      </div>
      <div className="space-y-2" role="group" aria-labelledby={`f-${field}-label`}>
        {items.map((item, i) => (
          <div key={i} className="flex items-center gap-2">
            {render(item, (v) => onChange(items.map((x, j) => (j === i ? v : x))), i)}
            <button type="button" className="btn btn-sm" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => onChange(items.filter((_, j) => j !== i))}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" data-field={field} className="btn btn-sm" onClick={() => onChange([...items, empty])}>
          Add {label.toLowerCase().replace(/s$/, '')}
        </button>
      </div>
      {err ? <p className="field-error">{err}</p> : null}
    </div>
  );
}
