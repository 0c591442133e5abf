/**
 * The editor's errors, by field. The API names a field by its dotted path (`cpus`,
 * `container.volumes[1].mode`; scheduler/api/job-schema.ts `fieldOfPath` writes these names and
 * `splitFieldMessage` reads them back out of a Chronos message); the form shows each error next
 * to the widget that holds that field (`formFieldOf`), the JSON mode under the text.
 */
import { fieldOfPath, jobInputSchema, splitFieldMessage } from '@/scheduler/api/job-schema';
import { ApiRequestError } from '../api';
import { arr, type JobKind, type Json } from './form-model';

/** Messages by field name (API paths, or form fields after `byFormField`). */
export type FieldErrors = Record<string, string>;

/** The form's fields in page order, with the label a person sees (the error summary's words and order). */
const FORM_FIELDS: Array<[string, string]> = [
  ['name', 'Name'],
  ['command', 'Command'],
  ['description', 'Description'],
  ['owner', 'Owner (emails)'],
  ['ownerName', 'Owner name'],
  ['schedule', 'Schedule'],
  ['scheduleTimeZone', 'Time zone'],
  ['parents', 'Parents'],
  ['arguments', 'Arguments'],
  ['env', 'Environment variables'],
  ['image', 'Image'],
  ['network', 'Network'],
  ['parameters', 'Docker parameters'],
  ['volumes', 'Volumes'],
  ['portMappings', 'Port mappings'],
  ['cpus', 'CPUs'],
  ['mem', 'Mem (MB)'],
  ['disk', 'Disk (MB)'],
  ['retries', 'Retries'],
  ['concurrencyPolicy', 'When a run is still going'],
  ['jitter', 'Jitter'],
];
const ORDER = new Map(FORM_FIELDS.map(([f], i) => [f, i]));
const LABELS = new Map(FORM_FIELDS);

/** The label of a form field ("Time zone" for scheduleTimeZone); the name itself when it has none. */
export const fieldLabel = (field: string): string => LABELS.get(field) ?? field;

/** The errors in the order their fields appear on the page (unknown fields last, as reported). */
export function inPageOrder(errors: FieldErrors): Array<[string, string]> {
  const rank = (f: string) => ORDER.get(f) ?? FORM_FIELDS.length;
  return Object.entries(errors).sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** Both sets of errors, the first message of a field kept (the browser's schema, then the server's). */
export function mergeErrors(first: FieldErrors, second: FieldErrors): FieldErrors {
  return { ...second, ...first };
}

/** Every schema issue, by field (first message per field): the API's own zod schema. */
export function clientErrors(json: unknown, kind: JobKind): FieldErrors {
  const errors: FieldErrors = {};
  const r = jobInputSchema.safeParse(json);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const f = fieldOfPath(issue.path);
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

/** The errors by form field: a message reported for a nested path says which (`volumes[1].mode: …`). */
export function byFormField(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [f, m] of Object.entries(errors)) {
    const k = formFieldOf(f);
    const text = k === f ? m : `${f}: ${m}`;
    out[k] = out[k] ? `${out[k]}; ${text}` : text;
  }
  return out;
}

/**
 * The field a refused request names, with the message without it: the `field` of a UI API error,
 * else the `field: reason` a Chronos endpoint's message starts with. Null when it names none.
 */
export function namedFieldError(e: unknown): { field: string; message: string } | null {
  if (!(e instanceof ApiRequestError)) return null;
  if (e.field) return { field: e.field, message: e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message };
  const split = splitFieldMessage(e.message);
  return split.field === null ? null : { field: split.field, message: split.message };
}
