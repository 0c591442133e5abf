/**
 * The schedule index: each scheduled job's parsed schedule and its next due instant, in a
 * min-heap (no O(jobs) scan per tick). Entries are deleted lazily: each job has a generation, and
 * an entry of an older generation is skipped.
 *
 * A job whose scheduled run is queued and not launched yet is out of the index until it launches
 * (`awaiting`): Chronos advances the schedule at launch. A job whose schedule cannot be read or
 * advanced is set aside with the reason until it changes, so it never holds back the others.
 */
import type { Instant, Job } from '../core/types';
import { MinHeap } from './heap';
import { nextDueAt, parseJobSchedule, type JobSchedule } from './schedules';
import { reasonOf } from './isolate';

export interface IndexEntry {
  due: Instant;
  name: string;
  gen: number;
}

/** A job's generation (bumped at each change) and its parsed schedule, when it has one that parsed. */
interface Slot {
  gen: number;
  schedule: JobSchedule | undefined;
}

export class ScheduleIndex {
  /**
   * Each job's generation and parsed schedule, in one entry (one map lookup where a load made
   * three in two maps); an entry stays after a remove, its generation outliving the job.
   */
  private readonly entries = new Map<string, Slot>();
  private readonly heap = new MinHeap<{ name: string; gen: number }>();
  /** Jobs whose scheduled run is queued and not yet launched. */
  private readonly awaiting = new Set<string>();
  /** Jobs set aside (their schedule cannot be read or advanced), with the reason. */
  private readonly aside = new Map<string, string>();
  /**
   * Jobs known not to be due soon, not indexed yet (a takeover from a warm standby indexes them
   * after its first launches: `defer`, `indexDeferred`), with the instant to index them at.
   * Any change to one (reindex, remove, set aside) supersedes its deferred entry; a read of its
   * schedule indexes it first.
   */
  private deferred = new Map<string, Job>();
  private deferredNow: Instant = 0;

  constructor(private readonly report: (where: string, message: string) => void) {}

  /** The job's parsed schedule, when it has one that parsed. */
  scheduleOf(name: string): JobSchedule | undefined {
    const later = this.deferred.get(name);
    if (later) this.reindex(later, this.deferredNow);
    return this.entries.get(name)?.schedule;
  }

  /**
   * Takes jobs to index later, as at `now` (see `deferred`): a map by name, which the index keeps
   * as its own when none is deferred yet (a takeover's 100,000 jobs are not copied).
   */
  defer(jobs: Map<string, Job>, now: Instant): void {
    this.deferredNow = now;
    if (this.deferred.size === 0) {
      this.deferred = jobs;
      for (const name of this.entries.keys()) jobs.delete(name);
    } else for (const [name, j] of jobs) if (!this.entries.has(name)) this.deferred.set(name, j);
  }

  /** Indexes up to `max` deferred jobs; how many are left. */
  indexDeferred(max: number): number {
    let n = 0;
    for (const job of this.deferred.values()) {
      if (n++ >= max) break;
      this.reindex(job, this.deferredNow);
    }
    return this.deferred.size;
  }

  /**
   * (Re)computes the job's entry: parses its schedule (or takes `known`, the parse a launch just
   * advanced) and pushes its next due instant, unless the job is disabled, awaiting the launch of
   * its scheduled run, or set aside. Never throws: a schedule that throws sets the job aside.
   */
  reindex(job: Job, now: Instant, known?: JobSchedule): void {
    const name = job.name;
    // the lookups of the empty sets a load starts with are skipped: at 200,000 jobs the load's
    // index spent most of its time in the five or six map operations per job
    if (this.deferred.size > 0) this.deferred.delete(name);
    const slot = this.bump(name);
    const gen = slot.gen;
    if (!job.schedule || (this.aside.size > 0 && this.aside.has(name))) return;
    let parsed: ReturnType<typeof parseJobSchedule>;
    let at: Instant | null;
    try {
      parsed = known ? { ok: true as const, value: known } : parseJobSchedule(job, now);
      at = parsed.ok ? nextDueAt(parsed.value) : null;
    } catch (e) {
      this.putAside(name, `its schedule cannot be read: ${reasonOf(e)}`);
      return;
    }
    if (!parsed.ok) {
      this.report('schedule', `job ${name}: ${parsed.error}`);
      return;
    }
    slot.schedule = parsed.value;
    // a paused job is out until its pause is cleared (runtime/pause-timer.ts, at its end, also
    // moves the schedule past the pause): an ended pause not yet cleared holds it out too, so an
    // instant of the pause never runs because the resume came a moment late
    if (job.disabled || job.pause !== undefined || (this.awaiting.size > 0 && this.awaiting.has(name)) || at === null) return;
    this.heap.push(at, { name, gen });
  }

  /**
   * Takes a job out of the index until it changes, with the reason (reported once, counted under
   * sisyphus_errors_total{where="job"}): its schedule cannot be read or advanced.
   */
  putAside(name: string, reason: string): void {
    this.deferred.delete(name);
    this.bump(name);
    this.awaiting.delete(name);
    if (this.aside.get(name) === reason) return;
    this.aside.set(name, reason);
    this.report('job', `job ${name} is set aside until it is changed: ${reason}`);
  }

  /** Why the job is set aside; null when it is not. */
  asideReason(name: string): string | null {
    return this.aside.get(name) ?? null;
  }

  isAside(name: string): boolean {
    return this.aside.has(name);
  }

  /** The job changed: whatever set it aside may be gone (reindex it next). */
  release(name: string): void {
    this.aside.delete(name);
  }

  /** Forgets the job (deleted). */
  remove(name: string): void {
    this.deferred.delete(name);
    this.bump(name);
    this.awaiting.delete(name);
    this.aside.delete(name);
  }

  /** Forgets every job (before a load). */
  clear(): void {
    this.deferred.clear();
    this.entries.clear();
    this.heap.clear();
    this.awaiting.clear();
    this.aside.clear();
  }

  /* ---------- the scheduled run waiting for its launch */

  await(name: string): void {
    this.awaiting.add(name);
  }

  launched(name: string): void {
    this.awaiting.delete(name);
  }

  isAwaiting(name: string): boolean {
    return this.awaiting.has(name);
  }

  /* ---------- due entries */

  /** The earliest live due instant, if any (stale heads are dropped). */
  nextAt(): Instant | undefined {
    while (this.heap.size > 0) {
      const head = this.heap.peek()!;
      if (this.entries.get(head.name)?.gen === head.gen) break;
      this.heap.pop();
    }
    return this.heap.peekKey();
  }

  /** Pops every live entry due strictly before `now` (Chronos: due means before now), earliest first. */
  popDue(now: Instant): IndexEntry[] {
    const out: IndexEntry[] = [];
    while (this.heap.size > 0 && this.heap.peekKey()! < now) {
      const { key: due, value } = this.heap.pop()!;
      if (this.entries.get(value.name)?.gen !== value.gen) continue;
      out.push({ due, name: value.name, gen: value.gen });
    }
    return out;
  }

  /** True while a popped entry is still its job's current one (the job has not changed since). */
  isLive(entry: IndexEntry): boolean {
    return this.entries.get(entry.name)?.gen === entry.gen && !this.awaiting.has(entry.name) && !this.aside.has(entry.name);
  }

  /** Puts popped entries back (their runs could not be stored); still live ones only count. */
  pushBack(entries: readonly IndexEntry[]): void {
    for (const e of entries) {
      this.heap.push(e.due, { name: e.name, gen: e.gen });
      this.awaiting.delete(e.name);
    }
  }

  /** The job's slot with a new generation and no schedule (entries of the older one are dead). */
  private bump(name: string): Slot {
    const slot = this.entries.get(name);
    if (slot === undefined) {
      const fresh: Slot = { gen: 1, schedule: undefined };
      this.entries.set(name, fresh);
      return fresh;
    }
    slot.gen++;
    slot.schedule = undefined;
    return slot;
  }
}
