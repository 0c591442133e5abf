/**
 * What the Chronos route handlers read from a request before calling the service: the JSON body,
 * integer query parameters, and names and task ids taken from the path (text PostgreSQL cannot
 * store is a 400 naming it, never a database error).
 */
import { textProblem } from '../core/text';
import { ApiError } from './errors';

/**
 * Parse a request body as JSON: malformed JSON is a 400 naming the problem (an empty body too).
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw ApiError.badRequest('Malformed JSON body: the request body is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw ApiError.badRequest(`Malformed JSON body: ${why}`);
  }
}

/** A query parameter that must be a non-negative integer; null/"" means absent. */
export function parseNonNegativeInt(name: string, raw: string | null | undefined): number | undefined {
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  const t = raw.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw ApiError.badRequest(`${name} must be a non-negative integer, got '${raw}'`);
  }
  return Number(t);
}

/** A job name from a request path: a 400 when it holds text the store cannot take (a NUL, an unpaired surrogate). */
export function checkPathName(name: string): void {
  const why = textProblem(name);
  if (why !== null) throw ApiError.badRequest(`job name in the path ${why}`);
}

/** A task id from a request path, checked as names are. */
export function checkTaskIdText(taskId: string): void {
  const why = textProblem(taskId);
  if (why !== null) throw ApiError.badRequest(`task id in the path ${why}`);
}
