/**
 * The dependency graph a warm standby keeps built while it follows the jobs (standby-mirror.ts),
 * so that a takeover does not build it: at 100,000 jobs the new leader spent 2.2 s building it
 * (load 15, 2026-12-07), between reading its last changes and its first launch.
 *
 * It is the graph the worker's load builds (worker.ts: every job in name order, parents not
 * held dropped, DependencyGraph.fromJobs), with the names in that order. It is built a chunk per
 * event-loop turn (a follower's ZooKeeper pings go on between) whenever the jobs' structure
 * changed: a name added or removed, a job's parents changed. Any other change (a schedule advanced
 * at launch, a command) keeps it. It is handed over only when no structural change came since its
 * build began; otherwise the worker builds the graph itself, as a cold load does.
 */
import { DependencyGraph, type BuiltGraph } from '../core/dag';
import type { Job } from '../core/types';

/** Jobs added to the graph per event-loop turn while following. */
const BUILD_CHUNK = 2_000;

export interface WarmStructure {
  /** Every held job's name, in code-point order. */
  names: string[];
  /** The graph of those jobs (no counters: the worker imports the stored ones). */
  built: BuiltGraph;
}

const sameList = (a: readonly string[] = [], b: readonly string[] = []): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The graph the worker's load builds of `jobs` (any order), over several turns of the event loop. */
export async function buildInTurns(jobs: Iterable<Job>, stillWanted: () => boolean = () => true): Promise<WarmStructure | null> {
  const sorted = [...jobs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const held = new Set(sorted.map((j) => j.name));
  const steps = DependencyGraph.fromJobsInSteps(sorted.map((j) => ({ name: j.name, parents: j.parents?.filter((p) => held.has(p)) })));
  for (let n = 1; ; n++) {
    const r = steps.next();
    if (r.done) return { names: sorted.map((j) => j.name), built: r.value };
    if (n % BUILD_CHUNK === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!stillWanted()) return null;
    }
  }
}

export class WarmGraph {
  /** Bumped on every structural change: a build begun before is not handed over. */
  private version = 0;
  private ready: (WarmStructure & { version: number }) | null = null;
  private building = false;
  /** The version at the last refresh. */
  private seen = -1;

  /** Notes a job written (`before`: the one held until now) or deleted (`after` undefined). */
  changed(before: Job | undefined, after: Job | undefined): void {
    if (!before || !after || !sameList(before.parents, after.parents)) this.version++;
  }

  /** Forgets everything (a full read, a hand-over). */
  reset(): void {
    this.version++;
    this.ready = null;
  }

  /** True when the graph held matches the structure as of the last change noted. */
  get current(): boolean {
    return this.ready !== null && this.ready.version === this.version;
  }

  /**
   * Builds the graph of `jobs` (read now) in the background unless the one held is current, one is
   * under way, or the structure changed since the last refresh; a build overtaken by a change is
   * dropped, and a later refresh (the mirror's next reads) begins another.
   */
  refresh(jobs: ReadonlyMap<string, Job>): void {
    if (this.current || this.building) return;
    // only once the structure held still since the last refresh (the last read): a stream of
    // creates does not rebuild the whole graph on every read
    const settled = this.version === this.seen;
    this.seen = this.version;
    if (!settled) return;
    this.building = true;
    const version = this.version;
    void buildInTurns(jobs.values(), () => this.version === version)
      .then((s) => {
        if (s && this.version === version) this.ready = { ...s, version };
      })
      .finally(() => {
        this.building = false;
      });
  }

  /** The graph and names when current, given away (held no more); else null. */
  take(): WarmStructure | null {
    const s = this.current ? this.ready : null;
    this.reset();
    return s ? { names: s.names, built: s.built } : null;
  }
}
