/**
 * Every job, as the UI's pages read them: one list per snapshot, shared by every page, filter, sort
 * and count. On the leader the list is its worker's own job objects (no second copy of every job:
 * 100,000 jobs read from the store cost ~240 MiB and ~4 s); elsewhere one `store.jobs.list()`
 * query. The first read loads every job — over many event-loop turns (snapshot-in-turns.ts), begun
 * as soon as the scheduler has loaded (warm(), ui-warm.ts); after that the snapshot
 * follows the scheduler's job and launch events job by job, and is reloaded in the background (the
 * stale one answering meanwhile) once older than `cacheMs` — every few seconds only when no
 * scheduler runs in this process to send events. A reload updates the snapshot it replaces
 * (snapshot-reconcile.ts): unchanged jobs keep their entries, and the name map is edited, not
 * rebuilt (at a million jobs a rebuild held the event loop for seconds every 30 s).
 */
import type { Job } from '../core/types';
import type { Clock, Store } from '../ports';
import { entryOf, type Snapshot } from './job-entry';
import type { LiveScheduler } from './live-scheduler';
import { reconcileSnapshot } from './snapshot-reconcile';
import { buildSnapshotInTurns, type StillWanted } from './snapshot-in-turns';

export { entryOf, kindOf, type JobEntry, type Snapshot } from './job-entry';

/**
 * True when `q` (lower-cased) is in the job's name, command, owner, owner name or description,
 * case-insensitively (the search box promises them). Lower-cased per query, not kept: a copy of
 * these texts per job held ~14 MiB at 100,000 jobs, and a search lower-cases them in ~30 ms.
 */
export function jobHasText(job: Job, q: string): boolean {
  if (q.includes('\n')) return searchText(job).includes(q); // spans fields, as the joined text did
  return (
    job.name.toLowerCase().includes(q) ||
    job.command.toLowerCase().includes(q) ||
    (job.owner ?? '').toLowerCase().includes(q) ||
    (job.ownerName ?? '').toLowerCase().includes(q) ||
    (job.description ?? '').toLowerCase().includes(q)
  );
}

const searchText = (job: Job): string =>
  `${job.name}\n${job.command}\n${job.owner}\n${job.ownerName ?? ''}\n${job.description ?? ''}`.toLowerCase();

/** Replace, insert (in name order) or remove (job null) one job of a snapshot. */
function patchSnapshot(snap: Snapshot, name: string, job: Job | null): void {
  const had = snap.byName.get(name);
  if (had && job) {
    const e = entryOf(job);
    Object.assign(had, e);
    return;
  }
  if (!had && !job) return;
  let lo = 0;
  let hi = snap.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (snap.entries[mid].job.name < name) lo = mid + 1;
    else hi = mid;
  }
  if (had) {
    snap.entries.splice(lo, 1);
    snap.byName.delete(name);
  } else {
    const e = entryOf(job!);
    snap.entries.splice(lo, 0, e);
    snap.byName.set(name, e);
  }
}

/** Where the snapshot reads jobs when the leader's worker runs here (job-source.ts). */
export interface WorkerJobs {
  /** Every job in the store's name order from the worker's memory; null when not possible here. */
  fromWorker(): Promise<Job[] | null>;
  /** The same, ordered over many event-loop turns (null also when no longer wanted). */
  fromWorkerInTurns?(stillWanted: StillWanted): Promise<Job[] | null>;
  /** One job as the worker holds it, else as stored. */
  named(name: string): Promise<Job | null>;
}

export interface JobsSnapshotDeps {
  store: Store;
  /** The worker's jobs (absent: always the store). */
  source?: WorkerJobs;
  clock: Clock;
  live: LiveScheduler;
  /** How long a snapshot is reused when no job event says it changed (ms); ×30 while events come. */
  cacheMs: number;
}

export class JobsSnapshot {
  private snap: { at: number; gen: number; value: Snapshot } | null = null;
  private snapLoad: { gen: number; promise: Promise<Snapshot> } | null = null;
  private snapGen = 0;
  /** Jobs changed since the snapshot was taken, re-read on the next access. */
  private dirty = new Set<string>();

  constructor(private readonly deps: JobsSnapshotDeps) {
    deps.live.onBus((bus) => [
      bus.on('job', (e) => this.markDirty(e.name)),
      // a launch advances the job's schedule (no job event for that)
      bus.on('run', (e) => {
        if (e.previous === 'QUEUED' && e.run.state !== 'QUEUED') this.markDirty(e.run.jobName);
      }),
    ]);
  }

  /**
   * Forget the snapshot: the next read waits for a full `store.jobs.list()` (tests, or after
   * writes this process made behind the service's back).
   */
  invalidate(): void {
    this.snapGen++;
    this.snap = null;
    this.dirty.clear();
  }

  /** A job changed: the next read re-reads just that job (many at once: a background reload). */
  markDirty(name: string): void {
    if (this.snap || this.snapLoad) this.dirty.add(name);
  }

  /**
   * Builds the snapshot now, in the background and over many event-loop turns, unless one is held
   * or under way: called once the scheduler has loaded (ui-warm.ts), so the first page finds it
   * ready, or waits only for the rest of the build.
   */
  warm(): Promise<void> {
    if (this.snap && this.snap.gen === this.snapGen) return Promise.resolve();
    return this.load().then(() => {});
  }

  /** The jobs, in name order (see the file's header for how fresh). */
  async get(): Promise<Snapshot> {
    const bus = this.deps.live.current()?.events ?? null; // subscribes to the job events
    const snap = this.snap;
    if (!snap || snap.gen !== this.snapGen) return this.load();
    const maxAge = bus ? this.deps.cacheMs * 30 : this.deps.cacheMs;
    if (this.dirty.size > 0 && this.dirty.size <= 200) {
      // Jobs changed since the snapshot: re-read just those, even when a full reload is due too,
      // so an answer never misses a change the caller has already seen happen.
      const names = [...this.dirty];
      this.dirty.clear();
      const one = (n: string) => (this.deps.source ? this.deps.source.named(n) : this.deps.store.jobs.get(n));
      const jobs = await Promise.all(names.map(one));
      if (this.snap === snap) names.forEach((n, i) => patchSnapshot(snap.value, n, jobs[i]));
    }
    if (this.deps.clock.now() - snap.at >= maxAge || this.dirty.size > 200) {
      this.load().catch(() => {}); // answered from the (patched) stale snapshot meanwhile
    }
    return snap.value;
  }

  private load(): Promise<Snapshot> {
    if (this.snapLoad && this.snapLoad.gen === this.snapGen) return this.snapLoad.promise;
    const gen = this.snapGen;
    const startedAt = this.deps.clock.now();
    const dirtyBefore = new Set(this.dirty);
    const held = () => (this.snap && this.snap.gen === gen ? this.snap.value : null);
    const wanted: StillWanted = () => gen === this.snapGen;
    // The worker's jobs are read in turns (name-order.ts, snapshot-in-turns.ts): at a million jobs
    // the first build held the event loop for seconds, a reload's check of the names ~2 s at load
    // 13. The first build goes in turns too; a reload updates the snapshot held (snapshot-reconcile.ts).
    const read = async (): Promise<Job[]> => {
      const src = this.deps.source;
      const fromWorker = src?.fromWorkerInTurns ? await src.fromWorkerInTurns(wanted) : await src?.fromWorker();
      return fromWorker ?? (wanted() ? this.deps.store.jobs.list() : []);
    };
    const promise = read().then(async (jobs) => {
      const had = held();
      const value = had ? reconcileSnapshot(had, jobs) : await buildSnapshotInTurns(jobs, wanted);
      if (!value || gen !== this.snapGen) return this.load(); // invalidated meanwhile: the new generation's
      this.snap = { at: startedAt, gen, value };
      // changes seen before the load started are in it; later ones stay dirty
      for (const n of dirtyBefore) this.dirty.delete(n);
      return value;
    });
    const load = { gen, promise };
    this.snapLoad = load;
    const clear = () => {
      if (this.snapLoad === load) this.snapLoad = null;
    };
    promise.then(clear, clear);
    return promise;
  }
}
