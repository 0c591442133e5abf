/**
 * RunStore.unfinishedSince: the unfinished runs for a follower (runtime/standby-runs.ts), reading
 * whole only the rows written since its last read.
 *
 * Every row version carries the id of the transaction that wrote it (the system column `xmin`; an
 * update writes a new version, a HOT one included). A reader that remembers the oldest transaction
 * still running when it last read (pg_snapshot_xmin, the cursor) finds every version committed
 * since by `xmin` at or after it: a transaction below it had ended before that read, so its write
 * was seen then (the jobs' change_xid works the same way, job-store.ts `changes`). No column and
 * no index is added to runs: status updates stay HOT updates (migration 20261207170000).
 *
 * One statement (one snapshot) walks runs_unfinished_idx as listActive does and answers, in
 * listActive's order, the id alone of a run not written since the cursor, the whole run of any
 * other: at 10,000 runs RUNNING the answer is ~10,000 short ids when nothing changed, against
 * 0.4-0.9 s of the new leader's takeover to read and parse every run. A run that ended, or was
 * deleted, is simply absent. `xmin` is 32 bits and wraps: it is compared with the cursor modulo
 * 2^32 (a version at most 2^31 transactions after it is new), and a cursor older than
 * CURSOR_SAFE_MS is not used (every run is read whole), far less than 2^31 transactions here. A
 * version taken for new that is not (a frozen or very old row) is only read again.
 */
import type { Run } from '../../core/types';
import type { UnfinishedRuns } from '../../ports';
import { Prisma } from './generated/client';
import { ACTIVE_RUN_STATES, RUN_TUPLE, fromTuple, type Db, type RunTuple } from './sql';

/** A cursor older than this is not used: every unfinished run is read whole. */
export const CURSOR_SAFE_MS = 3_600_000;

const XID_SPAN = 4_294_967_296; // 2^32
const XID_HALF = 2_147_483_648; // 2^31

/** The transaction id a cursor starts from; 0 (read every run whole) for none, a bad or an old one. */
function parseCursor(cursor: string | null, nowMs: number): number {
  const m = cursor ? /^(\d{1,19})@(\d{1,16})$/.exec(cursor) : null;
  if (!m || nowMs - Number(m[2]) > CURSOR_SAFE_MS) return 0;
  const xid = Number(m[1]);
  return Number.isSafeInteger(xid) ? xid : 0;
}

export async function unfinishedSince(db: Db, cursor: string | null, held: ReadonlyMap<string, Run>, nowMs: number = Date.now()): Promise<UnfinishedRuns> {
  const since = parseCursor(cursor, nowMs);
  // written at or after the cursor's transaction, modulo 2^32 (xmin is the 32-bit xid)
  const changed = since > 0 ? Prisma.raw(`(r."xmin"::text::bigint - ${since % XID_SPAN} + ${XID_SPAN}) % ${XID_SPAN} < ${XID_HALF}`) : Prisma.raw('true');
  const [row] = await db.$queryRaw<{ x: string; j: string }[]>`
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x,
           coalesce(json_agg(CASE WHEN ${changed} THEN ${RUN_TUPLE} ELSE to_json(r."id"::text) END ORDER BY r."due", r."id"), '[]')::text AS j
      FROM "runs" AS r WHERE r."finished_at" IS NULL AND r."state" = ANY(${ACTIVE_RUN_STATES}::text[])`;
  const items = JSON.parse(row!.j) as Array<string | RunTuple>;
  const runs: Run[] = new Array(items.length);
  let read = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (typeof item !== 'string') {
      runs[i] = fromTuple(item);
      read++;
      continue;
    }
    const kept = held.get(item);
    // unchanged since a read that did not hold it (the caller's map is not that read's): read all
    if (!kept) return unfinishedSince(db, null, held, nowMs);
    runs[i] = kept;
  }
  return { runs, read, cursor: `${row!.x}@${nowMs}` };
}
