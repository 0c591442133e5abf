/**
 * Query parameters of the UI's JSON API (`/api/…?…`), read and checked: a bad value is a
 * `UiFieldError`, a 400 that names the parameter (ui-http.ts writes it as `{ error, field }`).
 */
import { LATEST_INSTANT } from '../core/iso8601';
import { ApiError } from './errors';

/** A 400 that names the request field at fault. */
export class UiFieldError extends ApiError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('bad_request', message);
  }
}

/** A request's query: URLSearchParams, or plain strings (a page's searchParams, a bulk query). */
export type Params = URLSearchParams | Record<string, string | undefined | null>;

/** The trimmed value; undefined when absent or blank. */
export const param = (p: Params, k: string): string | undefined => {
  const v = p instanceof URLSearchParams ? p.get(k) : p[k];
  return v === null || v === undefined || v.trim() === '' ? undefined : v.trim();
};

export function intParam(p: Params, k: string, min: number, max: number): number | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UiFieldError(k, `${k} must be an integer from ${min} to ${max}, got '${v}'`);
  }
  return Number(v);
}

/** A comma-separated list, each item one of `allowed`. */
export function listParam<T extends string>(p: Params, k: string, allowed: readonly T[]): T[] | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) {
    if (!(allowed as readonly string[]).includes(i)) throw new UiFieldError(k, `${k} must be one of ${allowed.join(', ')}, got '${i}'`);
  }
  return items as T[];
}

export function oneOf<T extends string>(p: Params, k: string, allowed: readonly T[]): T | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UiFieldError(k, `${k} must be one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

/** An instant query value: epoch ms or an ISO date-time. */
export function instantParam(p: Params, k: string): number | undefined {
  const v = param(p, k);
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (Number.isNaN(t)) throw new UiFieldError(k, `${k} must be epoch milliseconds or an ISO date-time, got '${v}'`);
  if (!(t >= 0 && t <= LATEST_INSTANT)) throw new UiFieldError(k, `${k} must be between 1970 and the end of 9999, got '${v}'`);
  return t;
}
