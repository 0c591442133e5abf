/**
 * The warm standby: while this instance follows, it keeps a mirror of every job, current with the
 * database (JobStore.changes, read every `pollMs`), so that winning the election does not start
 * with reading and parsing every job (seconds at 100,000 jobs, on top of the session timeout).
 *
 * Correctness: the mirror is only ever handed over by `takeJobs()`, which the new leader calls
 * after raising the leader epoch (leadership.ts). It reads the changes once more in a snapshot
 * taken after the raise: the old leader's writes committed before the raise (fencing: none after),
 * so the jobs handed over are the jobs a cold load would read at that moment. A mirror that has
 * never read (the database was down, it has just started) hands over nothing: the worker loads
 * the jobs itself.
 *
 * The mirror is the new leader's from then on (its maps are given away, not copied: the worker
 * holds the map of every job and its schedule index the map of jobs due later than a minute, as
 * they are); after a term the standby starts over with a full read. So a takeover walks only the
 * jobs due soon and those changed at the last read, not all 100,000 (at load 12 the hand-over
 * and the load's partition of every job took ~0.5 s of the new leader's main thread).
 *
 * A follower also compiles the Mesos messages meanwhile (boot.ts: proto warmUp).
 */
import type { Instant, Job } from '../core/types';
import type { Clock, JobStore } from '../ports';
import { FollowLoop } from './follow-loop';
import type { BuiltGraph } from '../core/dag';
import { nextDueAt, parseJobSchedule } from './schedules';
import { WarmGraph } from './warm-graph';
import { MinHeap } from './heap';

/** A job due later than this after the hand-over is indexed after the new leader's first launches. */
export const LATER_MS = 60_000;
/** Schedules read per event-loop turn while following. */
const HINT_CHUNK = 1_000;

export interface StandbyMirrorOptions {
  jobs: Pick<JobStore, 'changes'>;
  clock: Clock;
  /** Between two reads of the changes (STANDBY_POLL_MS). */
  pollMs: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface HandOver {
  /** Every job by name: the mirror's own map, given away (in no particular order). */
  jobs: Map<string, Job>;
  /** Changes applied by the read made after the raise (jobs written and deleted). */
  caughtUp: number;
  /**
   * Jobs (the very objects in `jobs`) whose next due instant, read while following, is more than
   * LATER_MS after the hand-over or none (worker.ts: JobSourceLoad.later): a map of its own, given
   * away. A cron schedule's next instant read earlier is never later than one read now; an ISO one
   * does not depend on when it is read (an empty start, "now", reads as due: never later).
   */
  later: Map<string, Job>;
  /** Every other job (`jobs` less `later`), in code-point order of the names. */
  soon: Job[];
  /**
   * The dependency graph of `jobs` as the worker's load builds it, built while following
   * (warm-graph.ts); absent when a structural change came after it was built (the worker builds it).
   */
  graph?: BuiltGraph;
}

export class StandbyMirror {
  private readonly source: Pick<JobStore, 'changes'>;
  private readonly clock: Clock;
  private readonly loop: FollowLoop;
  private jobs = new Map<string, Job>();
  /** The version (writing transaction id) of each held job. */
  private versions = new Map<string, string>();
  private cursor: string | null = null;
  /**
   * The held jobs split by their next due instant, read while following (hint), so that a hand-over
   * costs what changed and not what is held: `later` (none, or more than LATER_MS after the last
   * `promote`), `soon` (the others). A job not hinted yet is in neither (in `unhinted`): soon.
   */
  private later = new Map<string, Job>();
  private soon = new Map<string, Job>();
  /** The due instants of `later` (an entry whose job is no longer there is stale). */
  private laterDue = new MinHeap<Job>();
  /** Jobs held and not yet hinted. */
  private unhinted: Job[] = [];
  private hinting = false;
  /** The graph of the held jobs, kept built while following. */
  private readonly graph = new WarmGraph();

  constructor(opts: StandbyMirrorOptions) {
    this.source = opts.jobs;
    this.clock = opts.clock;
    this.loop = new FollowLoop({
      clock: opts.clock,
      pollMs: opts.pollMs,
      read: () => this.read(),
      said: {
        // a read of every job is the first since the last hand-over
        read: (n) => (n > 0 && this.jobs.size === n ? `standby: holding ${n} jobs, following their changes every ${opts.pollMs} ms` : null),
        again: () => `standby: following the jobs again (${this.jobs.size} held)`,
        failed: (why) => `standby: cannot read the jobs' changes (${why}); retrying every ${opts.pollMs} ms, a takeover meanwhile catches up or loads every job`,
      },
      log: opts.log ?? (() => {}),
    });
  }

  /** Jobs held now (tests, metrics). */
  get size(): number {
    return this.jobs.size;
  }

  /** True once a read has succeeded since the last hand-over. */
  get warm(): boolean {
    return this.cursor !== null;
  }

  /** True while the dependency graph of the held jobs is built and current (tests). */
  get graphReady(): boolean {
    return this.graph.current;
  }

  /** True when every held job's schedule has been read (tests). */
  get hinted(): boolean {
    return this.unhinted.length === 0 && !this.hinting;
  }

  /** Starts (or resumes) following: a read now, then one every pollMs. */
  follow(): void {
    if (this.source.changes) this.loop.start();
  }

  /** Stops reading (the held jobs stay for takeJobs). */
  pause(): void {
    this.loop.pause();
  }

  /** One read of the changes (waits for one under way first); the number of changes applied. */
  catchUp(): Promise<number> {
    return this.loop.catchUp();
  }

  /**
   * Hands the mirror to a new leader: one more read (call it after the epoch raise), then every job
   * in name order; null when the mirror has never read (the caller loads the jobs itself). A read
   * that fails throws (the takeover is retried) and keeps the mirror. The mirror is empty after.
   */
  async takeJobs(): Promise<HandOver | null> {
    if (!(await this.loop.stopForHandOver(() => this.warm))) return null;
    const caughtUp = await this.catchUp();
    const warm = this.graph.take();
    this.promote(this.clock.now());
    const byName = this.jobs;
    const later = this.later;
    const soon = [...this.soon.values()];
    for (const job of this.unhinted) if (byName.get(job.name) === job && !later.has(job.name) && !this.soon.has(job.name)) soon.push(job);
    soon.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.jobs = new Map();
    this.versions = new Map();
    this.later = new Map();
    this.soon = new Map();
    this.laterDue.clear();
    this.unhinted = [];
    this.cursor = null;
    return warm && warm.names.length === byName.size ? { jobs: byName, caughtUp, later, soon, graph: warm.built } : { jobs: byName, caughtUp, later, soon };
  }

  /** Moves the jobs of `later` due within LATER_MS of `now` to `soon`. */
  private promote(now: Instant): void {
    const until = now + LATER_MS;
    for (let key = this.laterDue.peekKey(); key !== undefined && key <= until; key = this.laterDue.peekKey()) {
      const job = this.laterDue.pop()!.value;
      if (this.later.get(job.name) !== job) continue; // replaced, deleted or moved since
      this.later.delete(job.name);
      this.soon.set(job.name, job);
    }
  }

  /** A job written: in neither `later` nor `soon` until its schedule is read (hint). */
  private put(job: Job): void {
    this.jobs.set(job.name, job);
    this.later.delete(job.name);
    this.soon.delete(job.name);
  }

  /** Reads the schedules of the jobs received, a chunk per event-loop turn. */
  private async hint(): Promise<void> {
    if (this.hinting) return;
    this.hinting = true;
    try {
      while (this.unhinted.length > 0) {
        const chunk = this.unhinted.splice(0, HINT_CHUNK);
        const now = this.clock.now();
        this.promote(now);
        for (const job of chunk) {
          if (this.jobs.get(job.name) !== job) continue; // replaced or deleted since
          let due: Instant | null = now; // unreadable: soon (the leader reports it at once)
          try {
            const parsed = job.schedule ? parseJobSchedule(job, now) : null;
            if (!parsed || parsed.ok) due = parsed ? nextDueAt(parsed.value) : null;
          } catch {
            // as unreadable
          }
          if (due !== null && due <= now + LATER_MS) this.soon.set(job.name, job);
          else {
            this.later.set(job.name, job);
            if (due !== null) this.laterDue.push(due, job);
          }
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.hinting = false;
    }
  }

  private async read(): Promise<number> {
    const c = await this.source.changes!(this.cursor, this.versions);
    if (c.full) {
      this.graph.reset();
      this.jobs = new Map(c.put.map((j) => [j.name, j]));
      this.later = new Map();
      this.soon = new Map();
      this.laterDue.clear();
      this.versions = c.versions;
      this.unhinted = [...c.put];
    } else {
      for (const name of c.deleted) {
        if (this.jobs.has(name)) this.graph.changed(this.jobs.get(name), undefined);
        this.jobs.delete(name);
        this.versions.delete(name);
        this.later.delete(name);
        this.soon.delete(name);
      }
      for (const j of c.put) {
        this.graph.changed(this.jobs.get(j.name), j);
        this.put(j);
      }
      for (const [name, v] of c.versions) this.versions.set(name, v);
      this.unhinted.push(...c.put);
    }
    this.cursor = c.cursor;
    if (this.unhinted.length > 0) void this.hint();
    if (this.loop.active) this.graph.refresh(this.jobs);
    return c.put.length + c.deleted.length;
  }
}
