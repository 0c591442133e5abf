/**
 * RunStore.listActiveKeeping: the unfinished runs for a follower (runtime/standby-runs.ts), reading
 * whole only the runs written since it read them.
 *
 * A run's version is the id of the transaction that wrote its row version (the system column
 * `xmin`: every update writes a new row version, a HOT one included; a write rolled back leaves the
 * old version visible, with its old xmin). The holder sends the id and version of each run it
 * holds, as two comma-separated texts (10,000 ids as a text[] parameter took longer through Prisma
 * than reading every run whole). One statement (one snapshot, as listActive's) walks
 * runs_unfinished_idx, joins them, and answers, in listActive's order, the id alone of a run held
 * in the version it has now, the version and whole run of any other: at 10,000 runs RUNNING and
 * nothing written since, 35 ms against listActive's 95 here (load 5.7; a new leader's takeover
 * spent 0.4-0.9 s reading every run at load 12). A run that ended, or was deleted, is absent. No
 * column and no index is added to runs: status updates stay HOT (migration 20261207170000).
 *
 * `xmin` is 32 bits: a run held in version v and written again exactly a multiple of 2^32
 * transactions later would read as unchanged. The holder reads every run whole again after
 * FULL_READ_MS (standby-runs.ts), far less than 2^32 transactions here.
 */
import type { Run } from '../../core/types';
import type { HeldRuns, UnfinishedRuns } from '../../ports';
import { ACTIVE_RUN_STATES, RUN_TUPLE, fromTuple, type Db, type RunTuple } from './sql';

export async function listActiveKeeping(db: Db, held: HeldRuns | null): Promise<UnfinishedRuns> {
  const ids: string[] = [];
  const xids: string[] = [];
  if (held) {
    for (const [id, v] of held.versions) {
      if (!held.runs.has(id)) continue;
      ids.push(id);
      xids.push(v);
    }
  }
  const [row] = await db.$queryRaw<{ j: string }[]>`
    WITH h AS (SELECT * FROM unnest(string_to_array(${ids.join(',')}, ',')::bigint[], string_to_array(${xids.join(',')}, ',')::bigint[]) AS h(id, v))
    SELECT coalesce(json_agg(CASE WHEN h.v = r."xmin"::text::bigint THEN to_json(r."id"::text)
                                  ELSE json_build_array(r."xmin"::text, ${RUN_TUPLE}) END ORDER BY r."due", r."id"), '[]')::text AS j
      FROM "runs" AS r LEFT JOIN h ON h.id = r."id"
     WHERE r."finished_at" IS NULL AND r."state" = ANY(${ACTIVE_RUN_STATES}::text[])`;
  const items = JSON.parse(row!.j) as Array<string | [string, RunTuple]>;
  const runs: Run[] = new Array(items.length);
  const versions = new Map<string, string>();
  let read = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (typeof item === 'string') {
      runs[i] = held!.runs.get(item)!; // sent only for an id it holds
      versions.set(item, held!.versions.get(item)!);
    } else {
      const run = (runs[i] = fromTuple(item[1]));
      versions.set(run.id, item[0]);
      read++;
    }
  }
  return { runs, versions, read };
}
