/**
 * The job dependency graph (shared/reference/chronos.md §4). Pure: no clock, no I/O.
 *
 * Vertices are job names, edges go parent → child. A scheduled job is a vertex without parents;
 * a dependency job has at least one parent. Each edge carries an invocation counter used by the
 * multi-parent trigger rule:
 * - a child with one parent is enqueued every time that parent finishes;
 * - a child with several parents: the counter on (parent → child) is incremented, and the child is
 *   enqueued when that counter equals the minimum counter over all of the child's parent edges;
 * - a child's counters reset to 0 when one of its tasks reports STAGING, STARTING or RUNNING;
 * - counters are updated for disabled children too, but disabled children are never returned;
 * - a final failure fires children only when the parent has `softError`.
 *
 * Unlike Chronos (#811) the counters can be exported (`counters()`) and imported
 * (`fromJobs(jobs, counters)` / `importCounters`) so a restart keeps partly satisfied parents.
 */
import type { Job, Result, RunState } from './types';
import { err, ok } from './types';
import type { LastState } from './last-state';
import { SeqHeap } from './seq-heap';

/* ------------------------------------------------------------------ errors and data */

export type DagError =
  | { kind: 'cycle'; cycle: string[]; message: string }
  | { kind: 'self-parent'; name: string; message: string }
  | { kind: 'unknown-parents'; names: string[]; message: string }
  | { kind: 'duplicate'; name: string; message: string }
  | { kind: 'not-found'; name: string; message: string };

/** One edge counter as plain data, for persistence. */
export interface EdgeCount {
  child: string;
  parent: string;
  count: number;
}

export type TriggerOutcome = 'success' | 'failure';

export interface TriggerOptions {
  /** The finishing parent's softError: a failure fires children only when it is true. */
  softError?: boolean;
  /** Disabled children are skipped (their counters still move). */
  isDisabled?: (child: string) => boolean;
}

/** Some children's counters as they were (null: none), from `saveCounters`. */
/** A graph built from stored jobs, and the jobs whose edges it refused (fromJobs). */
export type BuiltGraph = { graph: DependencyGraph; rejected: Array<{ name: string; error: DagError }> };

export type CounterSnapshot = Map<string, Map<string, number> | null>;

/** Task states that reset a child's counters. */
const STARTED_STATES: ReadonlySet<RunState> = new Set<RunState>(['STAGING', 'STARTING', 'RUNNING']);

interface Vertex {
  seq: number;
  parents: string[];
  children: string[];
}

/**
 * The empty parent or child list every vertex without one shares (most jobs have neither: two
 * arrays of their own cost 6.4 MiB at 100,000 jobs). Frozen: it is replaced, never changed.
 */
const NONE: string[] = Object.freeze([]) as unknown as string[];

const dedupe = (xs: readonly string[]): string[] => [...new Set(xs)];
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x) => b.includes(x));

/* ------------------------------------------------------------------ the graph */

export class DependencyGraph {
  private readonly vertices = new Map<string, Vertex>();
  /** child → parent → count (absent = 0). */
  private readonly counts = new Map<string, Map<string, number>>();
  private nextSeq = 0;

  /**
   * A graph of every job, with persisted counters. Tolerant of bad stored data: a job whose
   * parents are unknown or would close a cycle keeps its vertex but gets no edges, and is listed
   * in `rejected` (Chronos drops such jobs from its graph; #815).
   */
  static fromJobs(jobs: Iterable<Pick<Job, 'name' | 'parents'>>, counters: Iterable<EdgeCount> = []): BuiltGraph {
    const steps = DependencyGraph.fromJobsInSteps(jobs, counters, Infinity);
    let r = steps.next();
    while (!r.done) r = steps.next();
    return r.value;
  }

  /**
   * fromJobs a few jobs at a time (yields after every `chunk`): a large graph over several
   * event-loop turns (warm-graph.ts). A job without parents is a bare vertex (what addJob(name)
   * makes, without its checks of an empty parent list: at a million jobs they were two temporary
   * sets and three arrays per job); a job with parents then gets them as setParents gives them.
   */
  static *fromJobsInSteps(jobs: Iterable<Pick<Job, 'name' | 'parents'>>, counters: Iterable<EdgeCount> = [], chunk = 1): Generator<void, BuiltGraph> {
    const graph = new DependencyGraph();
    const list = Array.isArray(jobs) ? (jobs as Array<Pick<Job, 'name' | 'parents'>>) : [...jobs];
    const rejected: BuiltGraph['rejected'] = [];
    const vertices = graph.vertices;
    // the jobs whose vertex is another job's of the same name (their parents are not linked)
    const duplicates = new Set<number>();
    let step = 0;
    for (let i = 0; i < list.length; i++) {
      const name = list[i].name;
      if (vertices.has(name)) {
        duplicates.add(i);
        rejected.push({ name, error: { kind: 'duplicate', name, message: `duplicate job: ${name}` } });
      } else {
        vertices.set(name, { seq: graph.nextSeq++, parents: NONE, children: NONE });
      }
      if (++step >= chunk) {
        step = 0;
        yield;
      }
    }
    for (let i = 0; i < list.length; i++) {
      const j = list[i];
      if (!j.parents || j.parents.length === 0 || (duplicates.size > 0 && duplicates.has(i))) continue;
      // the vertex has no parents yet and no counters: setParents comes down to check and link
      const ps = j.parents.length === 1 ? j.parents : dedupe(j.parents);
      const r = graph.checkParents(j.name, ps);
      if (r.ok) graph.link(j.name, ps);
      else rejected.push({ name: j.name, error: r.error });
      if (++step >= chunk) {
        step = 0;
        yield;
      }
    }
    graph.importCounters(counters);
    return { graph, rejected };
  }

  /* ---------- reading */

  has(name: string): boolean {
    return this.vertices.has(name);
  }

  get size(): number {
    return this.vertices.size;
  }

  /** Every job name, in insertion order. */
  names(): string[] {
    return [...this.vertices.keys()];
  }

  parentsOf(name: string): string[] {
    return [...(this.vertices.get(name)?.parents ?? [])];
  }

  childrenOf(name: string): string[] {
    return [...(this.vertices.get(name)?.children ?? [])];
  }

  /** Every transitive parent, nearest first. */
  ancestors(name: string): string[] {
    return this.walk(name, (v) => v.parents);
  }

  /** Every transitive child, nearest first. */
  descendants(name: string): string[] {
    return this.walk(name, (v) => v.children);
  }

  /**
   * Parents before children; among jobs free to go next, the earliest added first (so a graph
   * built in a valid order keeps that order).
   */
  topologicalOrder(): string[] {
    const indegree = new Map<string, number>();
    for (const [n, v] of this.vertices) indegree.set(n, v.parents.length);
    const heap = new SeqHeap();
    for (const [n, v] of this.vertices) if (v.parents.length === 0) heap.push(v.seq, n);
    const out: string[] = [];
    while (heap.size > 0) {
      const n = heap.pop();
      out.push(n);
      for (const c of this.vertices.get(n)!.children) {
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d === 0) heap.push(this.vertices.get(c)!.seq, c);
      }
    }
    return out;
  }

  /* ---------- changing */

  /** Check a parent set for `name` without changing anything. */
  validateParents(name: string, parents: readonly string[]): Result<void, DagError> {
    return this.checkParents(name, dedupe(parents));
  }

  /** validateParents of a list without repeats. */
  private checkParents(name: string, ps: readonly string[]): Result<void, DagError> {
    if (ps.includes(name)) {
      return err({ kind: 'self-parent', name, message: `self-parent: ${name}` });
    }
    const unknown = ps.filter((p) => !this.vertices.has(p));
    if (unknown.length > 0) {
      return err({
        kind: 'unknown-parents',
        names: unknown,
        message: `unknown parent${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      });
    }
    if (this.vertices.has(name)) {
      for (const p of ps) {
        const path = this.pathDown(name, p);
        if (path) {
          const cycle = [...path, name];
          return err({ kind: 'cycle', cycle, message: `cycle: ${cycle.join(' -> ')}` });
        }
      }
    }
    return ok(undefined);
  }

  /** Add a job; `parents` empty or absent for a scheduled job. */
  addJob(name: string, parents: readonly string[] = []): Result<void, DagError> {
    if (this.vertices.has(name)) {
      return err({ kind: 'duplicate', name, message: `duplicate job: ${name}` });
    }
    const v = this.validateParents(name, parents);
    if (!v.ok) return v;
    this.vertices.set(name, { seq: this.nextSeq++, parents: NONE, children: NONE });
    this.link(name, dedupe(parents));
    return ok(undefined);
  }

  /**
   * Replace a job's parents ([] makes it a scheduled job). When the set changes, the job's
   * edge counters reset; an unchanged set keeps them.
   */
  setParents(name: string, parents: readonly string[]): Result<void, DagError> {
    const v = this.vertices.get(name);
    if (!v) return err({ kind: 'not-found', name, message: `unknown job: ${name}` });
    const ps = dedupe(parents);
    if (sameSet(v.parents, ps)) return ok(undefined);
    const check = this.validateParents(name, ps);
    if (!check.ok) return check;
    this.unlinkParents(name);
    this.link(name, ps);
    this.counts.delete(name);
    return ok(undefined);
  }

  /** addJob or setParents, whichever applies. */
  upsertJob(name: string, parents: readonly string[] = []): Result<void, DagError> {
    return this.vertices.has(name) ? this.setParents(name, parents) : this.addJob(name, parents);
  }

  /**
   * Remove a job and rewire its children as Chronos does:
   * - a dependency job P (has parents): each child gets (child.parents − P) ∪ P.parents;
   * - a scheduled job S (no parents): each child loses all its parents (it becomes a scheduled
   *   job; `convertChildrenOnDelete` gives it S's schedule).
   * Affected children's counters reset. Returns the children whose parents changed.
   */
  removeJob(name: string): Result<string[], DagError> {
    const v = this.vertices.get(name);
    if (!v) return err({ kind: 'not-found', name, message: `unknown job: ${name}` });
    const grandParents = [...v.parents];
    const children = [...v.children];
    for (const c of children) {
      const cv = this.vertices.get(c)!;
      const next =
        grandParents.length > 0
          ? dedupe([...cv.parents.filter((p) => p !== name), ...grandParents])
          : [];
      this.unlinkParents(c);
      this.link(c, next);
      this.counts.delete(c);
    }
    this.unlinkParents(name);
    this.vertices.delete(name);
    this.counts.delete(name);
    return ok(children);
  }

  /* ---------- triggering */

  /**
   * A parent finished (a success, a job marked successful, or a final failure): returns the
   * children to enqueue, in the order they were linked, and moves the edge counters.
   */
  trigger(parent: string, outcome: TriggerOutcome, opts: TriggerOptions = {}): string[] {
    const v = this.vertices.get(parent);
    if (!v) return [];
    if (outcome === 'failure' && !opts.softError) return [];
    const out: string[] = [];
    for (const child of v.children) {
      const cv = this.vertices.get(child)!;
      let fire: boolean;
      if (cv.parents.length === 1) {
        fire = true;
      } else {
        let m = this.counts.get(child);
        if (!m) this.counts.set(child, (m = new Map()));
        const count = (m.get(parent) ?? 0) + 1;
        m.set(parent, count);
        const min = Math.min(...cv.parents.map((p) => m!.get(p) ?? 0));
        fire = count === min;
      }
      if (fire && !(opts.isDisabled?.(child) ?? false)) out.push(child);
    }
    return out;
  }

  /** A task of `child` changed state: STAGING, STARTING or RUNNING reset its counters. */
  onTaskState(child: string, state: RunState): void {
    if (STARTED_STATES.has(state)) this.resetCounters(child);
  }

  resetCounters(child: string): void {
    this.counts.delete(child);
  }

  /** Non-zero counters as plain data, ordered by child then parent link order. */
  counters(): EdgeCount[] {
    const out: EdgeCount[] = [];
    for (const [child, v] of this.vertices) {
      const m = this.counts.get(child);
      if (!m) continue;
      for (const parent of v.parents) {
        const count = m.get(parent) ?? 0;
        if (count > 0) out.push({ child, parent, count });
      }
    }
    return out;
  }

  /** Non-zero counters of the edges into `children`, ordered as `counters()` orders them. */
  countersOf(children: Iterable<string>): EdgeCount[] {
    const out: EdgeCount[] = [];
    for (const child of children) {
      const v = this.vertices.get(child);
      const m = this.counts.get(child);
      if (!v || !m) continue;
      for (const parent of v.parents) {
        const count = m.get(parent) ?? 0;
        if (count > 0) out.push({ child, parent, count });
      }
    }
    return out;
  }

  /**
   * The counters of `children` exactly as they are now, for `restoreCounters`: a caller that
   * moves counters ahead of a commit can put back just what it touched, at O(touched) cost.
   * A child already in `into` keeps its first (older) snapshot.
   */
  saveCounters(children: Iterable<string>, into: CounterSnapshot = new Map()): CounterSnapshot {
    for (const child of children) {
      if (into.has(child)) continue;
      const m = this.counts.get(child);
      into.set(child, m ? new Map(m) : null);
    }
    return into;
  }

  restoreCounters(snapshot: CounterSnapshot): void {
    for (const [child, m] of snapshot) {
      if (m) this.counts.set(child, new Map(m));
      else this.counts.delete(child);
    }
  }

  /** Load persisted counters; entries for edges that do not exist are ignored. */
  importCounters(counters: Iterable<EdgeCount>): void {
    for (const { child, parent, count } of counters) {
      const v = this.vertices.get(child);
      if (!v || !v.parents.includes(parent)) continue;
      if (!Number.isFinite(count) || count <= 0) continue;
      let m = this.counts.get(child);
      if (!m) this.counts.set(child, (m = new Map()));
      m.set(parent, Math.floor(count));
    }
  }

  /* ---------- output */

  /** Graphviz text: vertex ids 1..n in topological order, two-space indent. */
  toDot(): string {
    const order = this.topologicalOrder();
    const id = new Map(order.map((n, i) => [n, i + 1] as const));
    const lines = ['digraph G {'];
    for (const n of order) lines.push(`  ${id.get(n)} [ label="${dotEscape(n)}" ];`);
    for (const n of order) {
      for (const c of this.vertices.get(n)!.children) lines.push(`  ${id.get(n)} -> ${id.get(c)};`);
    }
    lines.push('}');
    return lines.join('\n') + '\n';
  }

  /**
   * `node,<name>,<lastState>,<state>` for every job, then `link,<parent>,<child>` for every edge,
   * both in topological order. `info` gives each job's lastState and state (idle, queued, ...).
   */
  toCsv(info: (name: string) => { lastState: LastState; state: string }): string {
    const order = this.topologicalOrder();
    const lines: string[] = [];
    for (const n of order) {
      const i = info(n);
      lines.push(`node,${n},${i.lastState},${i.state}`);
    }
    for (const n of order) {
      for (const c of this.vertices.get(n)!.children) lines.push(`link,${n},${c}`);
    }
    return lines.map((l) => l + '\n').join('');
  }

  /* ---------- internals */

  private link(child: string, parents: readonly string[]): void {
    const v = this.vertices.get(child)!;
    v.parents = parents.length === 0 ? NONE : [...parents];
    for (const p of parents) {
      const pv = this.vertices.get(p)!;
      if (pv.children === NONE) pv.children = [child];
      else pv.children.push(child);
    }
  }

  private unlinkParents(child: string): void {
    const v = this.vertices.get(child)!;
    for (const p of v.parents) {
      const pv = this.vertices.get(p);
      if (pv) {
        const rest = pv.children.filter((c) => c !== child);
        pv.children = rest.length === 0 ? NONE : rest;
      }
    }
    v.parents = NONE;
  }

  private walk(name: string, next: (v: Vertex) => string[]): string[] {
    const start = this.vertices.get(name);
    if (!start) return [];
    const seen = new Set<string>([name]);
    const out: string[] = [];
    let frontier = next(start);
    while (frontier.length > 0) {
      const following: string[] = [];
      for (const n of frontier) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.push(n);
        following.push(...next(this.vertices.get(n)!));
      }
      frontier = following;
    }
    return out;
  }

  /** Shortest path from `from` down to `to` along child edges, or null. */
  private pathDown(from: string, to: string): string[] | null {
    if (from === to) return [from];
    const prev = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i];
      for (const c of this.vertices.get(n)!.children) {
        if (seen.has(c)) continue;
        seen.add(c);
        prev.set(c, n);
        if (c === to) {
          const path = [to];
          let cur = to;
          while (cur !== from) path.unshift((cur = prev.get(cur)!));
          return path;
        }
        queue.push(c);
      }
    }
    return null;
  }
}

const dotEscape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
