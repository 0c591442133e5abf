/**
 * The warm standby's unfinished runs: while this instance follows, it holds every run that is not
 * terminal, current with the database (RunStore.listActiveKeeping, read every `pollMs`: only the
 * runs written since the last read are read whole, every run after FULL_READ_MS), so that a new
 * leader's load does not start with reading and parsing them all (at 10,000 runs RUNNING,
 * 0.4-0.9 s of the takeover).
 *
 * Correctness as for the jobs (standby-mirror.ts): the runs are only handed over by `takeRuns()`,
 * which the new leader's load calls after the epoch raise. It reads once more, in a snapshot taken
 * after the raise: the old leader's writes committed before it (fencing: none after), so the runs
 * handed over are exactly what listActive would read at that moment, in its order. Standing
 * before its first read (it has just started, the database was down), it hands over nothing and
 * the worker reads them itself. The runs are the new leader's from then on (given away, not
 * copied); after a term the standby starts over with a full read.
 */
import type { Run } from '../core/types';
import type { Clock, RunStore } from '../ports';
import { FollowLoop } from './follow-loop';

/** Every run is read whole again after this (a version is a 32-bit transaction id: unfinished-runs.ts). */
export const FULL_READ_MS = 3_600_000;

export interface StandbyRunsOptions {
  runs: Pick<RunStore, 'listActiveKeeping'>;
  clock: Clock;
  /** Between two reads (STANDBY_POLL_MS). */
  pollMs: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export class StandbyRuns {
  private readonly source: Pick<RunStore, 'listActiveKeeping'>;
  private readonly clock: Clock;
  private readonly loop: FollowLoop;
  /** The unfinished runs as last read, oldest due first, and the same by id. */
  private runs: Run[] = [];
  private byId = new Map<string, Run>();
  /** The store's version of each held run, by id. */
  private versions = new Map<string, string>();
  /** When every run was last read whole (null: never since the last hand-over). */
  private fullAt: number | null = null;
  /** Said that it holds the runs, since the last hand-over. */
  private announced = false;

  constructor(opts: StandbyRunsOptions) {
    this.source = opts.runs;
    this.clock = opts.clock;
    this.loop = new FollowLoop({
      clock: opts.clock,
      pollMs: opts.pollMs,
      read: () => this.read(),
      said: {
        read: () => {
          if (this.announced) return null;
          this.announced = true;
          return `standby: holding ${this.runs.length} unfinished runs, following their changes every ${opts.pollMs} ms`;
        },
        again: () => `standby: following the unfinished runs again (${this.runs.length} held)`,
        failed: (why) => `standby: cannot read the unfinished runs (${why}); retrying every ${opts.pollMs} ms, a takeover meanwhile catches up or reads them all`,
      },
      log: opts.log ?? (() => {}),
    });
  }

  /** Unfinished runs held now (tests, the bench's /health). */
  get size(): number {
    return this.runs.length;
  }

  /** True once a read has succeeded since the last hand-over. */
  get warm(): boolean {
    return this.fullAt !== null;
  }

  /** Starts (or resumes) following: a read now, then one every pollMs. */
  follow(): void {
    if (this.source.listActiveKeeping) this.loop.start();
  }

  /** Stops reading (the runs held stay for takeRuns). */
  pause(): void {
    this.loop.pause();
  }

  /** One read (waits for one under way first); the number of runs read whole. */
  catchUp(): Promise<number> {
    return this.loop.catchUp();
  }

  /**
   * Hands the runs to a new leader: one more read (call it after the epoch raise), then every
   * unfinished run, oldest due first, and how many that read read whole; null when it has never
   * read (the caller reads them). A read that fails throws (the takeover is retried) and keeps
   * what is held. Empty after.
   */
  async takeRuns(): Promise<{ runs: Run[]; caughtUp: number } | null> {
    if (!(await this.loop.stopForHandOver(() => this.warm))) return null;
    const caughtUp = await this.catchUp();
    const runs = this.runs;
    this.runs = [];
    this.byId = new Map();
    this.versions = new Map();
    this.fullAt = null;
    this.announced = false;
    return { runs, caughtUp };
  }

  private async read(): Promise<number> {
    const now = this.clock.now();
    const full = this.fullAt === null || now - this.fullAt > FULL_READ_MS;
    const r = await this.source.listActiveKeeping!(full ? null : { runs: this.byId, versions: this.versions });
    this.runs = r.runs;
    this.byId = new Map(r.runs.map((run) => [run.id, run]));
    this.versions = r.versions;
    if (full) this.fullAt = now;
    return r.read;
  }
}
