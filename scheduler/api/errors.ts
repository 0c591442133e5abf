/**
 * The one error type of the API layer, with a closed set of codes.
 *
 * Chronos answers every client mistake with 400 (even "not found") and everything else with 500,
 * always as `{"message": ..., "status": "<reason phrase>"}`. We keep that body and those statuses,
 * but never put a stack trace in the message (Chronos does for `require` failures).
 */

export type ApiErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'internal'
  | 'unauthorized';

/** HTTP status of each code. `not_found` is 400, as in Chronos (it never answers 404). */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  bad_request: 400,
  not_found: 400,
  unauthorized: 401,
  conflict: 409,
  internal: 500,
  unavailable: 503,
};

/** Reason phrase written in the Chronos body's `status` field. */
const REASON_PHRASE: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Marks an ApiError whatever copy of this module made it: Next.js bundles the worker (started by
 * instrumentation.ts) and the route handlers separately, so the service that throws and the
 * handler that catches may hold different ApiError classes; `instanceof` checks this brand.
 */
const API_ERROR = Symbol.for('sisyphus.ApiError');

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly [API_ERROR] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[API_ERROR] === true;
  }

  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
  }

  get httpStatus(): number {
    return API_ERROR_STATUS[this.code];
  }

  static badRequest(message: string): ApiError {
    return new ApiError('bad_request', message);
  }
  static notFound(message: string): ApiError {
    return new ApiError('not_found', message);
  }
  static conflict(message: string): ApiError {
    return new ApiError('conflict', message);
  }
  static unavailable(message: string): ApiError {
    return new ApiError('unavailable', message);
  }
  static internal(message: string, cause?: unknown): ApiError {
    return new ApiError('internal', message, { cause });
  }
  static unauthorized(message = 'Unauthorized'): ApiError {
    return new ApiError('unauthorized', message);
  }

  /** Any thrown value as an ApiError: ApiErrors pass through, anything else is `internal`. */
  static from(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    if (e instanceof Error) return new ApiError('internal', e.message || e.name, { cause: e });
    return new ApiError('internal', typeof e === 'string' ? e : 'Internal error', { cause: e });
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

export interface ChronosErrorBody {
  message: string;
  status: string;
}

/** The Chronos error body for any thrown value (no stack trace, ever). */
export function toChronosBody(e: unknown): ChronosErrorBody {
  const a = ApiError.from(e);
  return { message: a.message, status: REASON_PHRASE[a.httpStatus] ?? 'Internal Server Error' };
}
