'use client';
/**
 * The job editor (/jobs/new, /jobs/[name]/edit): a form for the common fields, or the raw Chronos
 * JSON, with the same checks as the API at every step:
 *   1. the zod schema the API parses with (scheduler/api/job-schema.ts), in the browser, per field;
 *   2. POST /api/validate?kind=… (schedule grammar, zone, parents exist, no cycle), nothing stored;
 *   3. POST /v1/scheduler/iso8601 | dependency; a 400 names the field ("schedule: …") and the
 *      message is shown next to it. Nothing is saved unless all three pass.
 * The schedule builder writes the ISO 8601 `R[n]/start/period` (or a cron line) and shows the next
 * runs live (GET /api/preview). The parent picker searches /api/jobs and refuses a parent that
 * would close a cycle (the job's descendants from /api/graph, then the server's validate).
 * Fields the form does not show (constraints, fetch, epsilon, runAsUser, …) are kept on edit.
 *
 * This folder holds the editor, one concept a file:
 *   job-editor.tsx        this page component: modes (form / JSON), the save steps, the error summary
 *   form-model.ts         the form's state and its conversion to and from the Chronos job JSON
 *   form-errors.ts        schema errors by field, and which form field shows an API field's error
 *   form-fields.tsx       the form mode's cards of fields
 *   fields.tsx            the field widgets (labelled field, checkbox, list of rows)
 *   schedule-builder.tsx  the schedule as parts or cron presets, read with scheduler/core's grammar
 *   schedule-preview.tsx  the next runs of the schedule being edited
 *   parent-picker.tsx     a dependent job's parents, refusing one that would close a cycle
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { formatJobError } from '@/scheduler/api/job-schema';
import type { JobDetail, ValidateResult } from '@/scheduler/api/ui-types';
import { apiSend, useApi } from '../api';
import { useInitialNow } from '../time';
import { ErrorMessage, Loading, PageHeader } from '../ui';
import { jobDetailUrls } from '../urls';
import { byFormField, clientErrors, fieldLabel, inPageOrder, mergeErrors, namedFieldError, type FieldErrors } from './form-errors';
import { FormFields } from './form-fields';
import { emptyForm, formFromJson, jsonFromForm, kindOfJson, kindOfRawJson, type FormState, type Json, type SetField } from './form-model';

const enc = encodeURIComponent;

/** The value an error of `field` (an API path) is about, as text: its top-level key of the body. */
const valueOf = (body: Json, field: string): string => JSON.stringify(body[field.replace(/[.[].*$/, '')] ?? null);

export function JobEditor({ name }: { name?: string }) {
  const editing = name !== undefined;
  const existing = useApi<JobDetail>(editing ? jobDetailUrls(name).detail : null);
  if (editing && existing.loading && !existing.data) return <Loading label={`Loading ${name}…`} />;
  if (editing && !existing.data) return <ErrorMessage error={existing.error ?? 'Not found'} retry={existing.refresh} />;
  return <EditorForm key={name ?? '(new)'} base={existing.data?.job ?? null} name={name} />;
}

function EditorForm({ base, name }: { base: Json | null; name?: string }) {
  const router = useRouter();
  const editing = name !== undefined;
  const startedAt = useInitialNow();
  const [form, setForm] = useState<FormState>(() => (base ? formFromJson(base) : emptyForm(startedAt)));
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [raw, setRaw] = useState('');
  const [rawError, setRawError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [attempted, setAttempted] = useState(false);
  // The fields the form does not show come from here: the stored job, or the raw JSON last
  // switched back from (so a field edited only in the JSON survives the form).
  const [baseJson, setBaseJson] = useState<Json>(() => base ?? {});

  const json = useMemo(() => jsonFromForm(form, baseJson), [form, baseJson]);

  // The server's errors of the last save (schedule, zone, parents), each with the value it was
  // about: kept while that value is unchanged, so fixing another field does not hide them.
  const [serverErrors, setServerErrors] = useState<Array<{ field: string; message: string; value: string }>>([]);

  // After a first save attempt, the schema re-checks on every change (field errors clear as fixed).
  useEffect(() => {
    if (!attempted || mode !== 'form') return;
    const kept: FieldErrors = {};
    for (const e of serverErrors) if (valueOf(json, e.field) === e.value) kept[e.field] ??= e.message;
    setErrors(byFormField(mergeErrors(clientErrors(json, form.kind), kept)));
  }, [json, form.kind, attempted, mode, serverErrors]);

  const set: SetField = (k, v) => setForm((f) => ({ ...f, [k]: v }));

  const switchMode = (m: 'form' | 'json') => {
    if (m === mode) return;
    if (m === 'json') {
      setRaw(JSON.stringify(json, null, 2));
      setRawError(null);
      setMode('json');
    } else {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON must be an object');
        setForm(formFromJson(parsed as Json));
        setBaseJson(parsed as Json);
        setRawError(null);
        setMode('form');
      } catch (e) {
        setRawError(`Cannot switch to the form: ${(e as Error).message}`);
      }
    }
  };

  const focusFirstError = (errs: FieldErrors) => {
    const first = inPageOrder(errs)[0]?.[0];
    if (!first) return;
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-field="${CSS.escape(first)}"]`)?.focus());
  };

  const save = async () => {
    setAttempted(true);
    setGeneral(null);
    let body: Json;
    if (mode === 'json') {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
        body = parsed as Json;
        setRawError(null);
      } catch (e) {
        setRawError(`Invalid JSON: ${(e as Error).message}`);
        return;
      }
    } else body = json;
    const kind = mode === 'json' ? kindOfJson(body) : form.kind;
    const endpoint = kind === 'dependent' ? 'dependency' : 'iso8601';
    if (editing && body.name !== name) {
      const e = { name: `is ${name} while editing (to copy the job under a new name, create a new job)` };
      setErrors(e);
      if (mode === 'json') setRawError(formatJobError({ field: 'name', message: e.name }));
      focusFirstError(e);
      return;
    }

    // 1. the schema, in the browser
    const local = clientErrors(body, kind);
    setSaving(true);
    try {
      // 2. the server's dry run, also when the schema already failed: the summary then names every
      // field at once (the schedule and the zone are only checked there)
      const server: FieldErrors = {};
      try {
        const v = await apiSend<ValidateResult>('POST', `/api/validate?kind=${endpoint}`, body);
        if (!v.ok) for (const e of v.errors) server[e.field] ??= e.message;
      } catch (e) {
        if (Object.keys(local).length === 0) throw e;
      }
      setServerErrors(Object.entries(server).map(([field, message]) => ({ field, message, value: valueOf(body, field) })));
      const all = mergeErrors(local, server);
      if (Object.keys(all).length) {
        const e = mode === 'json' ? all : byFormField(all);
        setErrors(e);
        if (mode === 'json') setRawError(Object.entries(all).map(([field, message]) => formatJobError({ field, message })).join('\n'));
        focusFirstError(e);
        return;
      }
      // 3. the Chronos endpoint
      await apiSend('POST', `/v1/scheduler/${endpoint}`, body);
      router.push(`/jobs/${enc(String(body.name))}`);
    } catch (e) {
      const named = namedFieldError(e);
      if (named) {
        const errs = mode === 'json' ? { [named.field]: named.message } : byFormField({ [named.field]: named.message });
        setErrors(errs);
        if (mode === 'json') setRawError(formatJobError(named));
        focusFirstError(errs);
      } else setGeneral(`Not saved: ${(e as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const errorList = inPageOrder(errors);
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      aria-label={editing ? `Edit ${name}` : 'New job'}
    >
      <PageHeader
        title={editing ? `Edit ${name}` : 'New job'}
        subtitle={editing ? 'Changes apply from the next run.' : 'A command, when to run it, and what it needs.'}
        actions={
          <>
          <div role="tablist" aria-label="Editor mode" className="inline-flex rounded-md border border-gray-300 p-0.5 dark:border-gray-700">
            {(['form', 'json'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                onClick={() => switchMode(m)}
                className={`rounded px-3 py-1 text-sm ${mode === m ? 'bg-gray-900 text-white dark:bg-gray-100 dark:text-gray-900' : 'text-gray-600 dark:text-gray-300'}`}
              >
                {m === 'form' ? 'Form' : 'JSON'}
              </button>
            ))}
          </div>
          <button type="submit" className="btn btn-primary" disabled={saving} aria-label={editing ? 'Save changes (top)' : 'Create job (top)'}>
            {saving ? 'Saving…' : editing ? 'Save' : 'Create'}
          </button>
          </>
        }
      />

      {errorList.length > 0 && mode === 'form' ? (
        <div role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300">
          <p className="font-medium">Not saved: fix {errorList.length === 1 ? 'this field' : `these ${errorList.length} fields`}.</p>
          <ul className="mt-1 list-disc pl-5">
            {errorList.map(([f, m]) => (
              <li key={f}>
                <a
                  href={`#f-${f}`}
                  className="font-medium underline"
                  onClick={(e) => {
                    e.preventDefault();
                    const el = document.querySelector<HTMLElement>(`[data-field="${CSS.escape(f)}"]`);
                    el?.scrollIntoView({ block: 'center' });
                    el?.focus();
                  }}
                >
                  {fieldLabel(f)}
                </a>
                : {m}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorMessage error={general} className="mb-4" />

      {mode === 'json' ? (
        <div className="card">
          <label htmlFor="raw-json" className="label">
            Chronos job JSON
          </label>
          <p className="hint mb-2">
            The body of POST /v1/scheduler/iso8601 (with <code>schedule</code>) or /v1/scheduler/dependency (with <code>parents</code>). Checked the same way as the form.
          </p>
          <textarea
            id="raw-json"
            data-field="job"
            className="input h-[28rem] font-mono text-xs"
            spellCheck={false}
            value={raw}
            aria-invalid={rawError ? true : undefined}
            aria-describedby={rawError ? 'raw-json-error' : undefined}
            onChange={(e) => setRaw(e.target.value)}
          />
          {rawError ? (
            <p id="raw-json-error" className="field-error whitespace-pre-wrap" role="alert">
              {rawError}
            </p>
          ) : null}
        </div>
      ) : (
        <FormFields form={form} set={set} errors={errors} editing={editing} jobName={name} json={json} />
      )}

      <div className="mt-6 flex items-center gap-2 border-t border-gray-200 py-3 dark:border-gray-800">
        <button type="submit" className="btn btn-primary" disabled={saving}>
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Create job'}
        </button>
        <Link href={editing ? `/jobs/${enc(name)}` : '/jobs'} className="btn">
          Cancel
        </Link>
        <span className="muted ml-2 text-xs">
          Saved with POST /v1/scheduler/{(mode === 'form' ? form.kind : kindOfRawJson(raw)) === 'dependent' ? 'dependency' : 'iso8601'}
        </span>
      </div>
    </form>
  );
}
