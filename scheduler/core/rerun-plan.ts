/**
 * "Rerun failed and downstream" for one due instant (the run page and the pipeline grid): which
 * failed jobs are rerun directly and which jobs follow them. Pure.
 *
 * A failed job whose own ancestors also failed at that instant is not rerun directly: it runs again
 * when its rerun parents succeed, like every other downstream job (the dependency rule of dag.ts
 * fires a child once each of its parents has succeeded since its last run). Disabled jobs never
 * run; they are listed apart so the confirmation can say so.
 *
 * The jobs downstream of a rerun are for the rerun's instant (the old night), not the moment they
 * run: a child's `intendedDue` is its parent's (worker-context.ts), and the grid places runs by it.
 */
import type { DependencyGraph } from './dag';

export interface RerunPlan {
  /** Failed jobs rerun now (a new attempt at their due instant), parents before children. */
  rerun: string[];
  /** Jobs downstream of those, run by the dependency rule as their parents succeed, parents first. */
  downstream: string[];
  /** Downstream jobs that are disabled: they will not run. */
  disabled: string[];
}

type Graph = Pick<DependencyGraph, 'has' | 'parentsOf' | 'descendants'>;

export function rerunPlan(graph: Graph, failed: Iterable<string>, isDisabled: (name: string) => boolean): RerunPlan {
  const failedSet = new Set(failed);
  // Everything downstream of any failed job of the set.
  const below = new Set<string>();
  for (const f of failedSet) for (const d of graph.has(f) ? graph.descendants(f) : []) below.add(d);
  const rerun = [...failedSet].filter((f) => !below.has(f));
  const downstream = [...below].filter((n) => !isDisabled(n));
  const disabled = [...below].filter((n) => isDisabled(n));
  return { rerun: parentsFirst(graph, rerun), downstream: parentsFirst(graph, downstream), disabled: parentsFirst(graph, disabled) };
}

/** `names` ordered so a job comes after its parents among them (ties: by name). */
export function parentsFirst(graph: Pick<DependencyGraph, 'parentsOf'>, names: readonly string[]): string[] {
  const set = new Set(names);
  const depth = new Map<string, number>();
  const depthOf = (n: string, seen: Set<string>): number => {
    const known = depth.get(n);
    if (known !== undefined) return known;
    if (seen.has(n)) return 0; // a cycle cannot be stored; stay total anyway
    seen.add(n);
    let d = 0;
    for (const p of graph.parentsOf(n)) if (set.has(p)) d = Math.max(d, depthOf(p, seen) + 1);
    depth.set(n, d);
    return d;
  };
  for (const n of set) depthOf(n, new Set());
  return [...set].sort((a, b) => depth.get(a)! - depth.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
}

