/**
 * Tells a write refused for its data from a database that is down: PostgreSQL's SQLSTATE classes
 * 22 (data exception: a NUL in text, a value out of range), 23 (integrity constraint violation)
 * and 54 (program limit exceeded: a value too large) mean the data itself was refused; the same
 * write fails again. Such errors leave the store as `StoreDataError` (scheduler/ports.ts), so the
 * worker can find the one bad item of a batch instead of retrying the whole batch forever.
 *
 * The code sits in different places: pg's `code`; Prisma's `meta.code` / `cause.originalCode`
 * for raw queries; PGlite's `code` under `cause`.
 */
import { StoreDataError } from '../../ports';

const DATA_CLASSES = new Set(['22', '23', '54']);

/** The SQLSTATE found on `e` or its causes, or null. */
export function sqlState(e: unknown, depth = 0): string | null {
  if (!e || typeof e !== 'object' || depth > 5) return null;
  const o = e as { code?: unknown; originalCode?: unknown; meta?: { code?: unknown }; cause?: unknown };
  for (const c of [o.code, o.originalCode, o.meta?.code]) {
    if (typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c)) return c;
  }
  return sqlState(o.cause, depth + 1);
}

/** `e` as a StoreDataError when the database refused the data; else `e` unchanged. */
export function asDataError(e: unknown): unknown {
  if (e instanceof StoreDataError) return e;
  const state = sqlState(e);
  if (state === null || !DATA_CLASSES.has(state.slice(0, 2))) return e;
  const message = e instanceof Error ? e.message.split('\n').filter(Boolean).pop() ?? e.message : String(e);
  return new StoreDataError(`the database refused the data (SQLSTATE ${state}): ${message}`, { cause: e });
}

/** Runs `fn`, rethrowing a refusal of its data as StoreDataError. */
export async function classifyingDataErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asDataError(e);
  }
}
