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
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { DateTime } from 'luxon';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { jobInputSchema } from '@/scheduler/api/job-schema';
import type { GraphData, JobDetail, JobPage, PreviewResult, ValidateResult } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend, ApiRequestError, useApi } from './api';
import { PreviewTable } from './job-detail-view';
import { useInitialNow } from './time';
import { ErrorMessage, Loading, PageHeader } from './ui';
import { jobDetailUrls, newJobSchedule, parentSearchUrl, previewUrl } from './urls';

const enc = encodeURIComponent;

/* ------------------------------------------------------------------ form model */

interface KV {
  key: string;
  value: string;
}
interface Volume {
  containerPath: string;
  hostPath: string;
  mode: string;
}
interface PortMapping {
  hostPort: string;
  containerPort: string;
  protocol: string;
}
export interface FormState {
  name: string;
  command: string;
  shell: boolean;
  kind: 'scheduled' | 'dependent';
  schedule: string;
  scheduleTimeZone: string;
  parents: string[];
  cpus: string;
  mem: string;
  disk: string;
  retries: string;
  owner: string;
  ownerName: string;
  description: string;
  concurrent: boolean;
  highPriority: boolean;
  disabled: boolean;
  softError: boolean;
  arguments: string[];
  env: KV[];
  useContainer: boolean;
  image: string;
  network: string;
  forcePullImage: boolean;
  parameters: KV[];
  volumes: Volume[];
  portMappings: PortMapping[];
}

type Json = Record<string, unknown>;

/** A new job's form; its schedule starts at the hour after `now` (the server's clock while hydrating). */
export function emptyForm(now = Date.now()): FormState {
  return {
    name: '',
    command: '',
    shell: true,
    kind: 'scheduled',
    schedule: newJobSchedule(now),
    scheduleTimeZone: '',
    parents: [],
    cpus: '0.1',
    mem: '128',
    disk: '256',
    retries: '2',
    owner: '',
    ownerName: '',
    description: '',
    concurrent: false,
    highPriority: false,
    disabled: false,
    softError: false,
    arguments: [],
    env: [],
    useContainer: false,
    image: '',
    network: 'HOST',
    forcePullImage: false,
    parameters: [],
    volumes: [],
    portMappings: [],
  };
}

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : d);
const bool = (v: unknown, d = false): boolean => (typeof v === 'boolean' ? v : d);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function formFromJson(j: Json): FormState {
  const c = (j.container && typeof j.container === 'object' ? j.container : null) as Json | null;
  const nets = arr(c?.networkInfos) as Json[];
  const parents = arr(j.parents).map((p) => str(p));
  return {
    name: str(j.name),
    command: str(j.command),
    shell: bool(j.shell, true),
    kind: Array.isArray(j.parents) && j.schedule === undefined ? 'dependent' : parents.length > 0 && !j.schedule ? 'dependent' : 'scheduled',
    schedule: str(j.schedule),
    scheduleTimeZone: str(j.scheduleTimeZone),
    parents,
    cpus: str(j.cpus, '0.1'),
    mem: str(j.mem, '128'),
    disk: str(j.disk, '256'),
    retries: str(j.retries, '2'),
    owner: str(j.owner),
    ownerName: str(j.ownerName),
    description: str(j.description),
    concurrent: bool(j.concurrent),
    highPriority: bool(j.highPriority),
    disabled: bool(j.disabled),
    softError: bool(j.softError),
    arguments: arr(j.arguments).map((a) => str(a)),
    env: (arr(j.environmentVariables) as Json[]).map((e) => ({ key: str(e?.name), value: str(e?.value) })),
    useContainer: !!c && str(c.image).trim() !== '',
    image: str(c?.image),
    network: str(c?.network, 'HOST') || 'HOST',
    forcePullImage: bool(c?.forcePullImage),
    parameters: (arr(c?.parameters) as Json[]).map((p) => ({ key: str(p?.key), value: str(p?.value) })),
    volumes: (arr(c?.volumes) as Json[]).map((v) => ({ containerPath: str(v?.containerPath), hostPath: str(v?.hostPath), mode: str(v?.mode, 'RW') || 'RW' })),
    portMappings: nets.flatMap((n) => (arr(n?.portMappings) as Json[]).map((p) => ({ hostPort: str(p?.hostPort), containerPort: str(p?.containerPort), protocol: str(p?.protocol, 'tcp') || 'tcp' }))),
  };
}

/** A number when the text is numeric, the text itself otherwise (so the schema can name it), or absent. */
const num = (s: string): number | string | undefined => {
  const t = s.trim();
  if (t === '') return undefined;
  return Number.isFinite(Number(t)) ? Number(t) : t;
};

/** The Chronos JSON of the form, on top of `base` (the stored job, so hidden fields survive). */
export function jsonFromForm(f: FormState, base: Json = {}): Json {
  const out: Json = { ...base };
  delete out.schedule;
  delete out.parents;
  delete out.scheduleTimeZone;
  Object.assign(out, {
    name: f.name.trim(),
    command: f.command,
    shell: f.shell,
    owner: f.owner.trim(),
    ownerName: f.ownerName.trim(),
    description: f.description,
    concurrent: f.concurrent,
    highPriority: f.highPriority,
    disabled: f.disabled,
    softError: f.softError,
    arguments: f.arguments.filter((a) => a !== ''),
    environmentVariables: f.env.filter((e) => e.key !== '' || e.value !== '').map((e) => ({ name: e.key, value: e.value })),
  });
  for (const k of ['cpus', 'mem', 'disk', 'retries'] as const) {
    const v = num(f[k]);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  if (f.kind === 'scheduled') {
    out.schedule = f.schedule.trim();
    if (f.scheduleTimeZone.trim()) out.scheduleTimeZone = f.scheduleTimeZone.trim();
  } else {
    out.parents = f.parents;
  }
  if (f.useContainer) {
    const baseC = (base.container && typeof base.container === 'object' ? base.container : {}) as Json;
    const baseNets = arr(baseC.networkInfos) as Json[];
    const mappings = f.portMappings
      .filter((p) => p.hostPort !== '' || p.containerPort !== '')
      .map((p) => ({ hostPort: num(p.hostPort) ?? '', containerPort: num(p.containerPort) ?? '', ...(p.protocol ? { protocol: p.protocol } : {}) }));
    const networkInfos = mappings.length
      ? [{ ...(baseNets[0] ?? {}), portMappings: mappings }, ...baseNets.slice(1)]
      : baseNets.map((n) => ({ ...n, portMappings: [] }));
    out.container = {
      ...baseC,
      type: str(baseC.type, 'DOCKER') || 'DOCKER',
      image: f.image.trim(),
      network: f.network,
      forcePullImage: f.forcePullImage,
      parameters: f.parameters.filter((p) => p.key !== '' || p.value !== '').map((p) => ({ key: p.key, value: p.value })),
      volumes: f.volumes
        .filter((v) => v.containerPath !== '' || v.hostPath !== '')
        .map((v) => ({ containerPath: v.containerPath, ...(v.hostPath ? { hostPath: v.hostPath } : {}), mode: v.mode || 'RW' })),
      networkInfos,
    };
  } else delete out.container;
  return out;
}

/* ------------------------------------------------------------------ validation */

export type FieldErrors = Record<string, string>;

const pathToField = (path: readonly PropertyKey[]): string => {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? 'job' : out;
};

/** Every schema issue, by field (first message per field): the API's own zod schema. */
export function clientErrors(json: unknown, kind: 'scheduled' | 'dependent'): FieldErrors {
  const errors: FieldErrors = {};
  const r = jobInputSchema.safeParse(json);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const f = pathToField(issue.path);
      if (!(f in errors)) errors[f] = issue.message;
    }
  }
  const j = json as Json;
  if (kind === 'scheduled' && typeof j.schedule === 'string' && j.schedule.trim() === '') errors.schedule ??= 'is required for a scheduled job';
  if (kind === 'dependent' && arr(j.parents).length === 0) errors.parents ??= 'pick at least one parent';
  if (typeof j.command === 'string' && j.command.trim() === '' && !j.container) errors.command ??= 'is required (the shell command to run)';
  return errors;
}

/** Which form field shows an error reported for `field` (dotted API path). */
function formFieldOf(field: string): string {
  if (field === 'environmentVariables' || field.startsWith('environmentVariables[')) return 'env';
  if (field.startsWith('container.parameters')) return 'parameters';
  if (field.startsWith('container.volumes')) return 'volumes';
  if (field.startsWith('container.networkInfos')) return 'portMappings';
  if (field.startsWith('container')) return 'image';
  if (field.startsWith('arguments')) return 'arguments';
  if (field.startsWith('parents')) return 'parents';
  return field.replace(/\[.*$/, '').split('.')[0];
}

function byFormField(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [f, m] of Object.entries(errors)) {
    const k = formFieldOf(f);
    const text = k === f ? m : `${f}: ${m}`;
    out[k] = out[k] ? `${out[k]}; ${text}` : text;
  }
  return out;
}

/* ------------------------------------------------------------------ the editor */

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
  const kindOf = (j: Json): 'scheduled' | 'dependent' => (Array.isArray(j.parents) && (j.schedule === undefined || j.schedule === '') ? 'dependent' : 'scheduled');

  // After a first save attempt, the schema re-checks on every change (field errors clear as fixed).
  useEffect(() => {
    if (!attempted || mode !== 'form') return;
    setErrors(byFormField(clientErrors(json, form.kind)));
  }, [json, form.kind, attempted, mode]);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

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
    const first = Object.keys(errs)[0];
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
    const kind = mode === 'json' ? kindOf(body) : form.kind;
    const endpoint = kind === 'dependent' ? 'dependency' : 'iso8601';
    if (editing && body.name !== name) {
      const e = { name: `is ${name} while editing (to copy the job under a new name, create a new job)` };
      setErrors(e);
      if (mode === 'json') setRawError(`name: ${e.name}`);
      focusFirstError(e);
      return;
    }

    // 1. the schema, in the browser
    const local = clientErrors(body, kind);
    if (Object.keys(local).length) {
      const e = mode === 'json' ? local : byFormField(local);
      setErrors(e);
      if (mode === 'json') setRawError(Object.entries(local).map(([f, m]) => `${f}: ${m}`).join('\n'));
      focusFirstError(e);
      return;
    }
    setSaving(true);
    try {
      // 2. the server's dry run
      const v = await apiSend<ValidateResult>('POST', `/api/validate?kind=${endpoint}`, body);
      if (!v.ok) {
        const all: FieldErrors = {};
        for (const e of v.errors) all[e.field] ??= e.message;
        const e = mode === 'json' ? all : byFormField(all);
        setErrors(e);
        if (mode === 'json') setRawError(v.errors.map((x) => `${x.field}: ${x.message}`).join('\n'));
        focusFirstError(e);
        return;
      }
      // 3. the Chronos endpoint
      await apiSend('POST', `/v1/scheduler/${endpoint}`, body);
      router.push(`/jobs/${enc(String(body.name))}`);
    } catch (e) {
      if (e instanceof ApiRequestError && e.field) {
        const msg = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
        const errs = mode === 'json' ? { [e.field]: msg } : byFormField({ [e.field]: msg });
        setErrors(errs);
        if (mode === 'json') setRawError(`${e.field}: ${msg}`);
        focusFirstError(errs);
      } else setGeneral(`Not saved: ${(e as Error).message}`);
    } finally {
      setSaving(false);
    }
  };

  const errorList = Object.entries(errors);
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
                <button type="button" className="underline" onClick={() => document.querySelector<HTMLElement>(`[data-field="${CSS.escape(f)}"]`)?.focus()}>
                  {f}
                </button>
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
          Saved with POST /v1/scheduler/{(mode === 'form' ? form.kind : rawKind(raw)) === 'dependent' ? 'dependency' : 'iso8601'}
        </span>
      </div>
    </form>
  );
}

/** The kind the raw JSON would be saved as (scheduled while it does not parse). */
function rawKind(raw: string): 'scheduled' | 'dependent' {
  try {
    const j = JSON.parse(raw) as Json;
    return j && Array.isArray(j.parents) && (j.schedule === undefined || j.schedule === '') ? 'dependent' : 'scheduled';
  } catch {
    return 'scheduled';
  }
}

/* ------------------------------------------------------------------ fields */

function Field({
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

function Check({ label, checked, onChange, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; hint?: string }) {
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

function FormFields({
  form,
  set,
  errors,
  editing,
  jobName,
  json,
}: {
  form: FormState;
  set: <K extends keyof FormState>(k: K, v: FormState[K]) => void;
  errors: FieldErrors;
  editing: boolean;
  jobName?: string;
  json: Json;
}) {
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="space-y-6 lg:col-span-2">
        <fieldset className="card space-y-4">
          <legend className="sr-only">Basics</legend>
          <h2 className="card-title">Basics</h2>
          <Field label="Name" field="name" errors={errors} hint={editing ? 'The name cannot change.' : 'Letters, digits, _ . and - only.'}>
            {(p) => <input {...p} className="input font-mono" value={form.name} readOnly={editing} onChange={(e) => set('name', e.target.value)} autoComplete="off" />}
          </Field>
          <Field label="Command" field="command" errors={errors} hint={form.shell ? 'Run by /bin/sh -c.' : 'Run directly, with the arguments below.'}>
            {(p) => <textarea {...p} className="input h-20 font-mono text-xs" value={form.command} onChange={(e) => set('command', e.target.value)} spellCheck={false} />}
          </Field>
          <Check label="Run through a shell" checked={form.shell} onChange={(v) => set('shell', v)} />
          <Field label="Description" field="description" errors={errors}>
            {(p) => <input {...p} className="input" value={form.description} onChange={(e) => set('description', e.target.value)} />}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Owner (emails)" field="owner" errors={errors} hint="Notified on failure; comma separated.">
              {(p) => <input {...p} className="input" value={form.owner} onChange={(e) => set('owner', e.target.value)} />}
            </Field>
            <Field label="Owner name" field="ownerName" errors={errors}>
              {(p) => <input {...p} className="input" value={form.ownerName} onChange={(e) => set('ownerName', e.target.value)} />}
            </Field>
          </div>
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">When</legend>
          <h2 className="card-title">When it runs</h2>
          <div role="radiogroup" aria-label="Job type" className="flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="kind" checked={form.kind === 'scheduled'} onChange={() => set('kind', 'scheduled')} />
              On a schedule
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="kind" checked={form.kind === 'dependent'} onChange={() => set('kind', 'dependent')} />
              After other jobs (dependent)
            </label>
          </div>
          {form.kind === 'scheduled' ? (
            <ScheduleBuilder form={form} set={set} errors={errors} />
          ) : (
            <ParentPicker parents={form.parents} onChange={(p) => set('parents', p)} errors={errors} jobName={jobName ?? form.name} json={json} />
          )}
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">Arguments and environment</legend>
          <h2 className="card-title">Arguments and environment</h2>
          <ListEditor
            label="Arguments"
            field="arguments"
            errors={errors}
            items={form.arguments}
            empty=""
            onChange={(v) => set('arguments', v)}
            render={(item, update, i) => <input className="input font-mono" aria-label={`Argument ${i + 1}`} value={item} onChange={(e) => update(e.target.value)} />}
          />
          <ListEditor
            label="Environment variables"
            field="env"
            errors={errors}
            items={form.env}
            empty={{ key: '', value: '' }}
            onChange={(v) => set('env', v)}
            render={(item, update, i) => (
              <div className="grid flex-1 grid-cols-2 gap-2">
                <input className="input font-mono" aria-label={`Variable ${i + 1} name`} placeholder="NAME" value={item.key} onChange={(e) => update({ ...item, key: e.target.value })} />
                <input className="input font-mono" aria-label={`Variable ${i + 1} value`} placeholder="value" value={item.value} onChange={(e) => update({ ...item, value: e.target.value })} />
              </div>
            )}
          />
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">Docker container</legend>
          <h2 className="card-title">Docker container</h2>
          <Check label="Run in a Docker container" checked={form.useContainer} onChange={(v) => set('useContainer', v)} />
          {form.useContainer ? (
            <>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label="Image" field="image" errors={errors}>
                  {(p) => <input {...p} className="input font-mono" placeholder="alpine:3.20" value={form.image} onChange={(e) => set('image', e.target.value)} />}
                </Field>
                <Field label="Network" field="network" errors={errors}>
                  {(p) => (
                    <select {...p} className="input" value={form.network} onChange={(e) => set('network', e.target.value)}>
                      <option value="HOST">HOST</option>
                      <option value="BRIDGE">BRIDGE</option>
                      <option value="USER">USER</option>
                    </select>
                  )}
                </Field>
              </div>
              <Check label="Force pull the image" checked={form.forcePullImage} onChange={(v) => set('forcePullImage', v)} />
              <ListEditor
                label="Docker parameters"
                field="parameters"
                errors={errors}
                items={form.parameters}
                empty={{ key: '', value: '' }}
                onChange={(v) => set('parameters', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-2 gap-2">
                    <input className="input font-mono" aria-label={`Parameter ${i + 1} key`} placeholder="key" value={item.key} onChange={(e) => update({ ...item, key: e.target.value })} />
                    <input className="input font-mono" aria-label={`Parameter ${i + 1} value`} placeholder="value" value={item.value} onChange={(e) => update({ ...item, value: e.target.value })} />
                  </div>
                )}
              />
              <ListEditor
                label="Volumes"
                field="volumes"
                errors={errors}
                items={form.volumes}
                empty={{ containerPath: '', hostPath: '', mode: 'RW' }}
                onChange={(v) => set('volumes', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-[1fr_1fr_5rem] gap-2">
                    <input className="input font-mono" aria-label={`Volume ${i + 1} container path`} placeholder="/container/path" value={item.containerPath} onChange={(e) => update({ ...item, containerPath: e.target.value })} />
                    <input className="input font-mono" aria-label={`Volume ${i + 1} host path`} placeholder="/host/path" value={item.hostPath} onChange={(e) => update({ ...item, hostPath: e.target.value })} />
                    <select className="input" aria-label={`Volume ${i + 1} mode`} value={item.mode} onChange={(e) => update({ ...item, mode: e.target.value })}>
                      <option value="RW">RW</option>
                      <option value="RO">RO</option>
                    </select>
                  </div>
                )}
              />
              <ListEditor
                label="Port mappings"
                field="portMappings"
                errors={errors}
                items={form.portMappings}
                empty={{ hostPort: '', containerPort: '', protocol: 'tcp' }}
                onChange={(v) => set('portMappings', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-[1fr_1fr_5rem] gap-2">
                    <input className="input font-mono" inputMode="numeric" aria-label={`Mapping ${i + 1} host port`} placeholder="host port" value={item.hostPort} onChange={(e) => update({ ...item, hostPort: e.target.value })} />
                    <input className="input font-mono" inputMode="numeric" aria-label={`Mapping ${i + 1} container port`} placeholder="container port" value={item.containerPort} onChange={(e) => update({ ...item, containerPort: e.target.value })} />
                    <select className="input" aria-label={`Mapping ${i + 1} protocol`} value={item.protocol} onChange={(e) => update({ ...item, protocol: e.target.value })}>
                      <option value="tcp">tcp</option>
                      <option value="udp">udp</option>
                    </select>
                  </div>
                )}
              />
            </>
          ) : (
            <p className="hint">Without a container the command runs in the Mesos sandbox with the agent&apos;s default executor.</p>
          )}
        </fieldset>
      </div>

      <div className="space-y-6">
        <fieldset className="card space-y-4">
          <legend className="sr-only">Resources</legend>
          <h2 className="card-title">Resources</h2>
          <div className="grid grid-cols-3 gap-3">
            <Field label="CPUs" field="cpus" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} />}
            </Field>
            <Field label="Mem (MB)" field="mem" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.mem} onChange={(e) => set('mem', e.target.value)} />}
            </Field>
            <Field label="Disk (MB)" field="disk" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.disk} onChange={(e) => set('disk', e.target.value)} />}
            </Field>
          </div>
          <Field label="Retries" field="retries" errors={errors} hint="Extra attempts after a failure.">
            {(p) => <input {...p} className="input w-24" inputMode="numeric" value={form.retries} onChange={(e) => set('retries', e.target.value)} />}
          </Field>
        </fieldset>
        <fieldset className="card space-y-3">
          <legend className="sr-only">Behaviour</legend>
          <h2 className="card-title">Behaviour</h2>
          <Check label="Concurrent" hint="Allow a new run while one is still going." checked={form.concurrent} onChange={(v) => set('concurrent', v)} />
          <Check label="High priority" hint="Launched before other queued runs." checked={form.highPriority} onChange={(v) => set('highPriority', v)} />
          <Check label="Soft error" hint="A failure does not disable the job after repeated errors." checked={form.softError} onChange={(v) => set('softError', v)} />
          <Check label="Disabled" hint="Kept, but not scheduled." checked={form.disabled} onChange={(v) => set('disabled', v)} />
        </fieldset>
        <details className="card text-xs">
          <summary className="cursor-pointer text-sm font-medium">JSON that will be sent</summary>
          <pre className="mt-2 max-h-80 overflow-auto font-mono">{JSON.stringify(json, null, 2)}</pre>
        </details>
      </div>
    </div>
  );
}

function ListEditor<T>({
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

/* ------------------------------------------------------------------ schedule builder */

const PERIODS: Array<[string, string]> = [
  ['PT1M', 'every minute'],
  ['PT5M', 'every 5 minutes'],
  ['PT15M', 'every 15 minutes'],
  ['PT30M', 'every 30 minutes'],
  ['PT1H', 'every hour'],
  ['PT6H', 'every 6 hours'],
  ['PT12H', 'every 12 hours'],
  ['P1D', 'every day'],
  ['P1W', 'every week'],
  ['P1M', 'every month'],
];
const CRON_PRESETS: Array<[string, string]> = [
  ['*/15 * * * *', 'every 15 minutes'],
  ['0 * * * *', 'hourly'],
  ['0 2 * * *', 'daily at 02:00'],
  ['0 9 * * 1-5', 'weekdays at 09:00'],
  ['0 0 1 * *', 'monthly on the 1st'],
];
const ZONES = ['', 'UTC', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];

interface IsoParts {
  repeat: string;
  start: string;
  period: string;
}
function parseIso(s: string): IsoParts | null {
  const m = /^R(\d*)\/([^/]*)\/(P.*)$/.exec(s.trim());
  return m ? { repeat: m[1], start: m[2], period: m[3] } : null;
}
const isCron = (s: string) => /^\S+(\s+\S+){4}$/.test(s.trim()) && !s.trim().startsWith('R');

/** The start as a datetime-local value: its wall time in the zone (with a zone) or in UTC. */
function startToLocal(start: string, zone: string): string {
  if (!start) return '';
  const dt = DateTime.fromISO(start, { setZone: true });
  if (!dt.isValid) return '';
  const wall = zone ? dt : dt.toUTC();
  return wall.toFormat("yyyy-MM-dd'T'HH:mm");
}
function localToStart(local: string, zone: string): string {
  if (!local) return '';
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  return zone ? withSeconds : `${withSeconds}Z`;
}

function ScheduleBuilder({ form, set, errors }: { form: FormState; set: <K extends keyof FormState>(k: K, v: FormState[K]) => void; errors: FieldErrors }) {
  const cron = isCron(form.schedule);
  const iso = parseIso(form.schedule);
  const [customPeriod, setCustomPeriod] = useState(() => !!iso && !PERIODS.some(([p]) => p === iso.period));
  const zoneListId = useId();

  const writeIso = (patch: Partial<IsoParts>) => {
    const cur = iso ?? { repeat: '', start: '', period: 'P1D' };
    const next = { ...cur, ...patch };
    set('schedule', `R${next.repeat}/${next.start}/${next.period}`);
  };

  return (
    <div className="space-y-4">
      <div role="radiogroup" aria-label="Schedule kind" className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="radio" name="schedule-kind" checked={!cron} onChange={() => set('schedule', newJobSchedule(Date.now()))} />
          Repeating interval (ISO 8601)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="schedule-kind" checked={cron} onChange={() => set('schedule', '0 2 * * *')} />
          Cron
        </label>
      </div>

      {cron ? (
        <div className="flex flex-wrap gap-2">
          {CRON_PRESETS.map(([expr, label]) => (
            <button key={expr} type="button" className={`btn btn-sm ${form.schedule.trim() === expr ? 'btn-primary' : ''}`} onClick={() => set('schedule', expr)}>
              {label}
            </button>
          ))}
        </div>
      ) : iso ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <div>
            <label htmlFor="sb-repeat" className="label">
              Repetitions
            </label>
            <input
              id="sb-repeat"
              className="input"
              inputMode="numeric"
              placeholder="forever"
              value={iso.repeat}
              onChange={(e) => writeIso({ repeat: e.target.value.replace(/\D/g, '') })}
            />
            <p className="hint">Empty: forever.</p>
          </div>
          <div>
            <label htmlFor="sb-start" className="label">
              Start ({form.scheduleTimeZone || 'UTC'})
            </label>
            <input
              id="sb-start"
              type="datetime-local"
              className="input"
              value={startToLocal(iso.start, form.scheduleTimeZone)}
              onChange={(e) => writeIso({ start: localToStart(e.target.value, form.scheduleTimeZone) })}
            />
            <label className="mt-1 flex items-center gap-1.5 text-xs">
              <input type="checkbox" checked={iso.start === ''} onChange={(e) => writeIso({ start: e.target.checked ? '' : localToStart(DateTime.utc().plus({ hours: 1 }).startOf('hour').toFormat("yyyy-MM-dd'T'HH:mm"), form.scheduleTimeZone) })} />
              start now
            </label>
          </div>
          <div>
            <label htmlFor="sb-period" className="label">
              Period
            </label>
            <select
              id="sb-period"
              className="input"
              value={customPeriod ? 'custom' : iso.period}
              onChange={(e) => {
                if (e.target.value === 'custom') setCustomPeriod(true);
                else {
                  setCustomPeriod(false);
                  writeIso({ period: e.target.value });
                }
              }}
            >
              {PERIODS.map(([p, l]) => (
                <option key={p} value={p}>
                  {l} ({p})
                </option>
              ))}
              <option value="custom">custom…</option>
            </select>
            {customPeriod ? (
              <input aria-label="Custom period (ISO 8601 duration)" className="input mt-1 font-mono" placeholder="PT90M" value={iso.period} onChange={(e) => writeIso({ period: e.target.value.toUpperCase() })} />
            ) : null}
          </div>
        </div>
      ) : null}

      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <Field label="Schedule" field="schedule" errors={errors} hint={cron ? 'minute hour day-of-month month day-of-week, in the time zone' : 'R[n]/start/period, e.g. R/2026-01-01T02:00:00Z/P1D'}>
          {(p) => <input {...p} className="input font-mono" value={form.schedule} onChange={(e) => set('schedule', e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Time zone" field="scheduleTimeZone" errors={errors} hint="Empty: UTC. Daylight saving is applied.">
          {(p) => (
            <>
              <input {...p} list={zoneListId} className="input" placeholder="UTC" value={form.scheduleTimeZone} onChange={(e) => set('scheduleTimeZone', e.target.value)} />
              <datalist id={zoneListId}>
                {ZONES.filter(Boolean).map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <SchedulePreview schedule={form.schedule} zone={form.scheduleTimeZone} />
    </div>
  );
}

function SchedulePreview({ schedule, zone }: { schedule: string; zone: string }) {
  const [debounced, setDebounced] = useState({ schedule, zone });
  useEffect(() => {
    const t = setTimeout(() => setDebounced({ schedule, zone }), 300);
    return () => clearTimeout(t);
  }, [schedule, zone]);
  const url = debounced.schedule.trim() ? previewUrl(debounced.schedule, debounced.zone) : null;
  const { data, error } = useApi<PreviewResult>(url);
  return (
    <div aria-live="polite" className="rounded-md border border-gray-200 p-3 dark:border-gray-800" data-testid="schedule-preview">
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-gray-500 uppercase dark:text-gray-400">Preview</h3>
      {!url ? (
        <p className="muted text-sm">Enter a schedule to see its next runs.</p>
      ) : error ? (
        <p className="field-error">{error.message}</p>
      ) : !data ? (
        <p className="muted text-sm">Computing…</p>
      ) : data.ok ? (
        <>
          <p className="text-sm font-medium">{data.description}</p>
          {data.runs.length ? <PreviewTable runs={data.runs} zone={zone} /> : <p className="muted text-sm">It never runs.</p>}
        </>
      ) : (
        <p className="field-error">
          {data.field}: {data.error}
        </p>
      )}
    </div>
  );
}

/* ------------------------------------------------------------------ parent picker */

function ParentPicker({ parents, onChange, errors, jobName, json }: { parents: string[]; onChange: (p: string[]) => void; errors: FieldErrors; jobName: string; json: Json }) {
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  const listId = useId();
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q), 200);
    return () => clearTimeout(t);
  }, [q]);
  const results = useApi<JobPage>(parentSearchUrl(debounced));
  // The job's descendants: picking one as a parent would close a cycle.
  const graph = useApi<GraphData>(jobName ? `/api/graph?focus=${enc(jobName)}` : null);
  const descendants = useMemo(() => {
    const out = new Set<string>();
    if (!graph.data || !jobName) return out;
    const children = new Map<string, string[]>();
    for (const e of graph.data.edges) children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
    const stack = [jobName];
    while (stack.length) {
      const n = stack.pop()!;
      for (const c of children.get(n) ?? []) if (!out.has(c)) (out.add(c), stack.push(c));
    }
    return out;
  }, [graph.data, jobName]);

  const add = useCallback(
    async (p: string) => {
      setRefusal(null);
      if (parents.includes(p)) return;
      if (p === jobName) {
        setRefusal(`${p} cannot be its own parent.`);
        return;
      }
      if (descendants.has(p)) {
        setRefusal(`${p} depends on ${jobName}: making it a parent would create a cycle.`);
        return;
      }
      // The server names the cycle when there is one.
      setChecking(p);
      try {
        if (jobName) {
          const body = { ...json, name: jobName, parents: [...parents, p] };
          delete (body as Json).schedule;
          const v = await apiSend<ValidateResult>('POST', '/api/validate?kind=dependency', body);
          const cycle = !v.ok ? v.errors.find((e) => e.field === 'parents' && /cycle/i.test(e.message)) : undefined;
          if (cycle) {
            setRefusal(`Refused ${p}: ${cycle.message}`);
            return;
          }
        }
        onChange([...parents, p]);
        setQ('');
      } catch (e) {
        setRefusal((e as Error).message);
      } finally {
        setChecking(null);
      }
    },
    [parents, jobName, descendants, json, onChange],
  );

  const inputRef = useRef<HTMLInputElement>(null);
  const options = (results.data?.jobs ?? []).filter((j) => !parents.includes(j.name));
  return (
    <div className="space-y-3">
      <div>
        <span className="label">Parents</span>
        <div className="flex flex-wrap gap-2" aria-label="Chosen parents" role="list">
          {parents.length === 0 ? <span className="muted text-sm">None yet: search below.</span> : null}
          {parents.map((p) => (
            <span key={p} role="listitem" className="inline-flex items-center gap-1 rounded-full bg-sky-100 px-2.5 py-1 font-mono text-xs text-sky-900 dark:bg-sky-900/50 dark:text-sky-100">
              {p}
              <button type="button" aria-label={`Remove parent ${p}`} className="ml-1 rounded-full px-1 hover:bg-sky-200 dark:hover:bg-sky-800" onClick={() => onChange(parents.filter((x) => x !== p))}>
                ✕
              </button>
            </span>
          ))}
        </div>
        {errors.parents ? <p className="field-error">{errors.parents}</p> : null}
      </div>
      <div>
        <label htmlFor="parent-search" className="label">
          Add a parent
        </label>
        <input
          ref={inputRef}
          id="parent-search"
          data-field="parents"
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          className="input"
          placeholder="Search jobs by name…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              // The job named exactly as typed, else the first match (the list may lag the typing).
              const exact = options.find((o) => o.name === q.trim());
              const pick = exact ?? (debounced === q ? options[0] : undefined);
              if (pick) void add(pick.name);
            }
          }}
        />
        {refusal ? (
          <p role="alert" className="field-error">
            {refusal}
          </p>
        ) : null}
        <ul id={listId} role="listbox" aria-label="Matching jobs" className="mt-2 max-h-56 divide-y divide-gray-100 overflow-auto rounded-md border border-gray-200 text-sm dark:divide-gray-800 dark:border-gray-800">
          {results.error ? <li className="field-error px-3 py-2">{results.error.message}</li> : null}
          {options.length === 0 && results.data ? <li className="muted px-3 py-2">No other job matches.</li> : null}
          {options.map((j) => {
            const cyclic = j.name === jobName || descendants.has(j.name);
            return (
              <li key={j.name} role="option" aria-selected={false} aria-disabled={cyclic}>
                <button
                  type="button"
                  disabled={checking !== null}
                  aria-disabled={cyclic || undefined}
                  title={cyclic ? `${j.name} depends on ${jobName}: it cannot be a parent` : undefined}
                  onClick={() => void add(j.name)}
                  className="flex w-full items-center justify-between gap-2 px-3 py-1.5 text-left hover:bg-gray-50 disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60 dark:hover:bg-gray-800"
                >
                  <span className="font-mono">{j.name}</span>
                  <span className="muted text-xs">{cyclic ? 'would create a cycle' : checking === j.name ? 'checking…' : j.kind === 'dependent' ? `after ${j.parents.join(', ')}` : j.schedule}</span>
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
