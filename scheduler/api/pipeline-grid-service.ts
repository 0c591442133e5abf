/**
 * GET /api/grid: the pipeline grid. Jobs as rows (a pipeline: the jobs connected to one job by
 * dependencies; or every job whose name starts with a prefix; or of an owner), parents before
 * children; the last N scheduled instants as columns (the due instants of the group's scheduled
 * runs, e.g. nights), oldest first. A cell is the job's newest run (last queued) due in that
 * column's span (from its instant to the next column's): a dependent job's run, fired when its
 * parents finished, falls in the night that fired it, and so do the retries and the runs
 * downstream of a rerun of that night (placed by the instant they are for, `intendedDue`).
 */
import { DependencyGraph } from '../core/dag';
import { parentsFirst } from '../core/rerun-plan';
import type { Run } from '../core/types';
import type { Store } from '../ports';
import { ApiError } from './errors';
import type { JobsSnapshot } from './jobs-snapshot';
import { intParam, param, UiFieldError, type Params } from './ui-query';
import type { GridCell, PipelineGrid } from './ui-types';

/** Most rows a grid shows (the rest are counted in `omittedJobs`). */
export const GRID_MAX_JOBS = 500;
export const GRID_MAX_COLUMNS = 60;
/** Pipelines offered in the grid's picker. */
const PIPELINES_LISTED = 50;
/** Most runs one grid reads (newest first). */
const GRID_MAX_RUNS = 10_000;

export interface PipelineGridServiceDeps {
  store: Store;
  snapshot: JobsSnapshot;
}

/** Index of the last column at or before `due` (-1: before the first). `columns` ascending. */
export function columnOf(columns: readonly number[], due: number): number {
  let lo = 0;
  let hi = columns.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (columns[mid] <= due) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export class PipelineGridService {
  constructor(private readonly deps: PipelineGridServiceDeps) {}

  async grid(p: Params): Promise<PipelineGrid> {
    const n = intParam(p, 'n', 1, GRID_MAX_COLUMNS) ?? 14;
    const job = param(p, 'job');
    const prefix = param(p, 'prefix');
    const owner = param(p, 'owner')?.toLowerCase();
    if ([job, prefix, owner].filter((v) => v !== undefined && v !== '').length > 1) {
      throw new UiFieldError('job', 'give one of job (its pipeline), prefix or owner');
    }
    const snap = await this.deps.snapshot.get();
    const { graph } = DependencyGraph.fromJobs(snap.entries.map((e) => e.job));
    const names = graph.names().sort();
    const all = componentsBySize(graph, names);
    const listed = all.slice(0, PIPELINES_LISTED);

    let members: string[];
    let group: PipelineGrid['group'];
    if (prefix) {
      members = snap.entries.filter((e) => e.job.name.startsWith(prefix)).map((e) => e.job.name);
      group = { by: 'prefix', value: prefix };
    } else if (owner) {
      const ownedBy = (o: string) => o.split(/[,\s]+/).includes(owner) || o === owner;
      members = snap.entries.filter((e) => ownedBy((e.job.owner ?? '').toLowerCase())).map((e) => e.job.name);
      group = { by: 'owner', value: owner };
    } else {
      const start = job ?? all[0]?.[0] ?? names[0];
      if (start !== undefined && !graph.has(start)) throw ApiError.notFound(`job '${start}' not found`);
      members = start === undefined ? [] : componentOf(graph, start);
      group = { by: 'pipeline', value: start ?? '' };
    }
    const ordered = parentsFirst(graph, members);
    const rows = ordered.slice(0, GRID_MAX_JOBS);

    // columns: the due instants of the group's scheduled jobs (all jobs' when none is scheduled),
    // from their latest runs; retries (due after their failure) and reruns are later attempts: they
    // fall in their first attempt's column and make none
    const scheduled = rows.filter((r) => !snap.byName.get(r)?.job.parents);
    const makers = scheduled.length ? scheduled : rows;
    const recent = makers.length ? await this.deps.store.runs.list({ jobNames: makers, limit: Math.min(GRID_MAX_RUNS, makers.length * n * 4) }) : { runs: [] };
    const dues = new Set<number>();
    for (const r of recent.runs) if (r.trigger !== 'retry' && !(r.trigger === 'manual' && r.attempt > 0)) dues.add(r.due);
    const columns = [...dues].sort((a, b) => a - b).slice(-n);
    // then every row's runs since the first column, in one read
    const runsOf = new Map<string, Run[]>(rows.map((r) => [r, []]));
    if (columns.length) {
      const page = await this.deps.store.runs.list({ jobNames: rows, from: columns[0], limit: GRID_MAX_RUNS });
      for (const r of page.runs) runsOf.get(r.jobName)?.push(r);
    }

    const cells: Array<Array<GridCell | null>> = rows.map((name) => {
      const row: Array<GridCell | null> = columns.map(() => null);
      const attempts = columns.map(() => 0);
      const latest: Array<Run | null> = columns.map(() => null);
      for (const r of runsOf.get(name) ?? []) {
        // the instant the run is for: a retry's, or a run downstream of a rerun, is its night's
        const c = columnOf(columns, r.intendedDue ?? r.due);
        if (c < 0) continue;
        attempts[c]++;
        const cur = row[c];
        // the newest queued: a later attempt, a retry, or a run downstream of a rerun of that night
        if (!cur || Number(r.id) > Number(latest[c]!.id)) {
          row[c] = { taskId: r.taskId, state: r.state, due: r.due, attempt: r.attempt, attempts: 0 };
          latest[c] = r;
        }
      }
      row.forEach((cell, c) => {
        if (cell) cell.attempts = attempts[c];
      });
      return row;
    });
    return {
      group,
      columns,
      jobs: rows.map((name) => {
        const e = snap.byName.get(name)!;
        return { name, kind: e.kind, disabled: e.job.disabled, parents: graph.parentsOf(name) };
      }),
      cells,
      omittedJobs: ordered.length - rows.length,
      pipelines: listed.map((c) => ({ job: c[0], size: c.length })),
    };
  }
}

/** The jobs connected to `start` by dependencies (either way), `start` included. */
function componentOf(graph: DependencyGraph, start: string): string[] {
  const seen = new Set([start]);
  const out = [start];
  for (let i = 0; i < out.length; i++) {
    for (const m of [...graph.parentsOf(out[i]), ...graph.childrenOf(out[i])]) {
      if (!seen.has(m)) {
        seen.add(m);
        out.push(m);
      }
    }
  }
  return out;
}

/** Pipelines of two or more jobs, largest first, each in name order. */
function componentsBySize(graph: DependencyGraph, names: readonly string[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const n of names) {
    if (seen.has(n) || (graph.parentsOf(n).length === 0 && graph.childrenOf(n).length === 0)) continue;
    const c = componentOf(graph, n);
    for (const m of c) seen.add(m);
    out.push(c.sort());
  }
  return out.sort((a, b) => b.length - a.length || (a[0] < b[0] ? -1 : 1));
}
