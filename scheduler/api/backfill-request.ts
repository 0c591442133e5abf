/**
 * The body of POST /api/jobs/{name}/backfill, checked field by field: each mistake is a 400 naming
 * the field (UiFieldError), before anything is read or stored.
 *
 *   from, to     ISO 8601 instants with a zone or offset (2026-11-01T00:00:00Z); 1970 ≤ from ≤ to ≤ now
 *   downstream   boolean, default false: also run every enabled job below, for the same instant
 *   concurrency  whole number from 1 to 100, default 1: instants in progress at once
 *   force        boolean, default false: run instants again that already have a run
 *   dryRun       boolean, default false: answer the plan, start nothing
 */
import { DateTime } from 'luxon';
import type { Instant } from '../core/types';
import { UiFieldError } from './ui-query';

export const BACKFILL_MAX_CONCURRENCY = 100;

export interface BackfillRequest {
  from: Instant;
  to: Instant;
  downstream: boolean;
  concurrency: number;
  force: boolean;
  dryRun: boolean;
}

function instant(body: Record<string, unknown>, field: 'from' | 'to'): Instant {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw new UiFieldError(field, `${field} is required: an ISO 8601 instant such as 2026-11-01T00:00:00Z`);
  if (typeof v !== 'string') throw new UiFieldError(field, `${field} must be an ISO 8601 instant (a string such as 2026-11-01T00:00:00Z)`);
  const d = DateTime.fromISO(v, { setZone: true });
  if (!d.isValid || !/(Z|[+-]\d\d(:?\d\d)?)$/i.test(v.trim())) {
    throw new UiFieldError(field, `${field} must be an ISO 8601 instant with a zone or offset, such as 2026-11-01T00:00:00Z (got ${JSON.stringify(v.slice(0, 60))})`);
  }
  return d.toMillis();
}

function flag(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new UiFieldError(field, `${field} must be true or false`);
  return v;
}

export function parseBackfillRequest(body: unknown, now: Instant): BackfillRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UiFieldError('body', 'the body must be a JSON object with from and to');
  const b = body as Record<string, unknown>;
  const from = instant(b, 'from');
  const to = instant(b, 'to');
  if (from < 0) throw new UiFieldError('from', `from (${JSON.stringify(b.from)}) is before 1970-01-01T00:00:00Z, the earliest instant Sisyphus schedules`);
  if (from > to) throw new UiFieldError('from', `from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`);
  if (to > now) throw new UiFieldError('to', `to (${new Date(to).toISOString()}) is in the future: a backfill runs past instants only (now is ${new Date(now).toISOString()})`);
  let concurrency = 1;
  if (b.concurrency !== undefined && b.concurrency !== null) {
    const c = b.concurrency;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > BACKFILL_MAX_CONCURRENCY) {
      throw new UiFieldError('concurrency', `concurrency must be a whole number from 1 to ${BACKFILL_MAX_CONCURRENCY} (instants in progress at once)`);
    }
    concurrency = c;
  }
  return { from, to, downstream: flag(b, 'downstream'), concurrency, force: flag(b, 'force'), dryRun: flag(b, 'dryRun') };
}
