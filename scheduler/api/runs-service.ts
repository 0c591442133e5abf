/**
 * The runs pages: GET /api/runs (filters and cursor pages) and GET /api/runs/timeline (the runs a
 * time window draws, in the compact encoding of `RunTimelinePage`).
 */
import { formatTaskId } from '../core/taskid';
import type { Run, RunState } from '../core/types';
import { LATE_QUEUE_MS, type Clock, type Store } from '../ports';
import { runRow } from './run-row';
import { instantParam, intParam, param, UiFieldError, type Params } from './ui-query';
import type { RunPage, RunRow, RunTimelinePage, RunTimelineTuple } from './ui-types';

/** Most runs one GET /api/runs answers (the store's RUN_PAGE_MAX_LIMIT). */
export const RUNS_PAGE_MAX_LIMIT = 10_000;
/** GET /api/runs/timeline: runs scanned per request at most (a busy night at 10,000 jobs is ~12,000). */
export const TIMELINE_MAX_LIMIT = 20_000;
/** The timeline also reads runs due this long before its window, for those still going when it starts. */
export const TIMELINE_LOOKBACK_MS = 6 * 3_600_000;

const ALL_RUN_STATES: ReadonlySet<string> = new Set<RunState>([
  'QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED',
]);

/** Runs as GET /api/runs/timeline sends them (ui-types.ts RunTimelinePage). */
export function encodeTimeline(runs: readonly RunRow[], nextCursor: string | null): RunTimelinePage {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (v: string | null): number => {
    if (v === null) return -1;
    let i = index.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      index.set(v, i);
    }
    return i;
  };
  const after = (t: number | null, due: number) => (t === null ? null : t - due);
  const tuples = runs.map((r): RunTimelineTuple => [
    r.id,
    ref(r.jobName),
    r.due,
    r.attempt,
    ref(r.trigger),
    ref(r.state),
    r.queuedAt - r.due,
    after(r.launchedAt, r.due),
    after(r.startedAt, r.due),
    after(r.finishedAt, r.due),
    ref(r.host),
    ref(r.agentId),
    ref(r.message),
    ref(r.reason),
    ref(r.arguments),
    r.taskId === formatTaskId(r.due, r.attempt, r.jobName, r.arguments) ? 0 : r.taskId,
    r.intendedDue ?? null,
  ]);
  return { strings, runs: tuples, nextCursor };
}

/** `state=A,B`: upper-cased, each a run state. */
function statesParam(p: Params): RunState[] | undefined {
  const states = param(p, 'state')?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const s of states ?? []) if (!ALL_RUN_STATES.has(s)) throw new UiFieldError('state', `unknown run state '${s}'`);
  return states?.length ? (states as RunState[]) : undefined;
}

/** The store's "bad cursor" becomes a 400 naming the field. */
function cursorError(e: unknown): unknown {
  return e instanceof Error && /cursor/.test(e.message) ? new UiFieldError('cursor', 'invalid cursor') : e;
}

export interface RunsServiceDeps {
  store: Store;
  clock: Clock;
}

export class RunsService {
  constructor(private readonly deps: RunsServiceDeps) {}

  async runs(p: Params): Promise<RunPage> {
    const states = statesParam(p);
    // up to 10,000 a page: the timeline reads a whole night (8,000 runs at 10k jobs) in two requests
    const limit = intParam(p, 'limit', 1, RUNS_PAGE_MAX_LIMIT);
    try {
      const page = await this.deps.store.runs.list({
        jobName: param(p, 'job'),
        states,
        from: instantParam(p, 'from'),
        to: instantParam(p, 'to'),
        limit: limit ?? 100,
        cursor: param(p, 'cursor'),
      });
      return { runs: page.runs.map(runRow), nextCursor: page.nextCursor };
    } catch (e) {
      throw cursorError(e);
    }
  }

  /**
   * The runs a timeline of [from, to) draws (to absent: until now), newest due first: due in the
   * window or up to TIMELINE_LOOKBACK_MS before it, without those that ended before `from` (a
   * run due earlier shows only while it still goes). `limit` (default 1,000) bounds the runs read;
   * `nextCursor` continues after them. The first page also has the runs queued then for an
   * instant long before (a backfill, a rerun of an old night: RunStore.queuedLate), drawn when
   * they ran.
   */
  async timeline(p: Params): Promise<RunTimelinePage> {
    const states = statesParam(p);
    const from = instantParam(p, 'from');
    if (from === undefined) throw new UiFieldError('from', 'from is required (the start of the window)');
    const to = instantParam(p, 'to');
    const limit = intParam(p, 'limit', 1, TIMELINE_MAX_LIMIT) ?? 1000;
    const now = this.deps.clock.now();
    const kept: RunRow[] = [];
    let cursor = param(p, 'cursor') ?? null;
    let read = 0;
    const keep = (run: Run) => {
      // the span the timeline draws: queued → launched → finished (now while going)
      const launched = run.startedAt ?? run.launchedAt;
      const end = Math.max(launched ?? -Infinity, run.finishedAt ?? now);
      const start = Math.min(run.queuedAt, launched ?? run.queuedAt);
      if (end >= from && (to === undefined || start < to)) kept.push(runRow(run));
    };
    const lateFrom = from - TIMELINE_LOOKBACK_MS;
    // what queuedLate reads: sent with the first page only, so not again by due
    const late = (r: Run) => r.queuedAt - r.due > LATE_QUEUE_MS && r.queuedAt >= lateFrom && (to === undefined || r.queuedAt < to);
    try {
      if (cursor === null) {
        const runs = await this.deps.store.runs.queuedLate({ from: lateFrom, to, jobName: param(p, 'job'), states, limit });
        runs.forEach(keep);
        read += runs.length;
      }
      do {
        const page = await this.deps.store.runs.list({
          jobName: param(p, 'job'),
          states,
          from: from - TIMELINE_LOOKBACK_MS,
          to,
          limit: Math.min(RUNS_PAGE_MAX_LIMIT, limit - read),
          cursor: cursor ?? undefined,
        });
        read += page.runs.length;
        cursor = page.nextCursor;
        for (const run of page.runs) if (!late(run)) keep(run);
      } while (cursor !== null && read < limit);
    } catch (e) {
      throw cursorError(e);
    }
    return encodeTimeline(kept, cursor);
  }
}
