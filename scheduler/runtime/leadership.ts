/**
 * Leadership: runs the scheduler (worker + Mesos framework) only while this instance leads.
 *
 * Each leadership term gets a fresh scheduler built over a *fenced* store:
 *   elected  → raise the stored epoch to ours (a larger stored one: move our epoch past it, via
 *              the elector), then build and start the scheduler over `store.fenced(epoch)`: the
 *              worker loads jobs, edge counters and every unfinished run from the database, the
 *              framework re-subscribes with the stored framework id and reconciles every
 *              non-terminal run. Failures (database down) are retried with backoff while we lead.
 *   deposed  → stop the worker's timers and the framework's stream at once (synchronously), and
 *              drop the term. A write already under way either commits before the next leader's
 *              epoch raise (the share lock orders them) or is refused with FencedError.
 *   fenced   → a write was refused: a newer leader exists although ZooKeeper has not told us yet.
 *              Stop at once and re-enter the election with a new session.
 *
 * The API sees `runtime`: the current term's worker while leading; otherwise an offline runtime
 * whose `leader()` names the real leader (followers proxy the API to it anyway).
 */
import type { ChangeStamp } from '../core/job-version';
import type { Job } from '../core/types';
import type { Clock, FencedError, FencingStore, JobActivity, LeaderElector, RerunAt, SchedulerRuntime, Store } from '../ports';
import { systemClock } from './system-clock';
import type { Scheduler } from './assemble';
import { EventBus } from './events';
import { OfflineRuntime } from './offline-runtime';
import { TakeoverTrace } from './takeover-trace';

export interface LeadershipOptions {
  elector: LeaderElector;
  store: Store & FencingStore;
  /** Builds (and starts) one term's scheduler over the given fenced store, emitting on `events`. */
  /**
   * `onRuntime` receives the term's worker as soon as it exists, before it has loaded its state,
   * so API calls made while it loads queue behind the load instead of being lost.
   */
  build: (store: Store, events: EventBus, onRuntime: (runtime: SchedulerRuntime) => void, trace?: TakeoverTrace) => Promise<Scheduler>;
  events?: EventBus;
  /** Called with each term's scheduler (null when it ends), e.g. to register it for the UI. */
  onTerm?: (scheduler: Scheduler | null) => void;
  /** Backoff before retrying a failed takeover (default 1 s, doubling to 15 s). */
  retryDelayMs?: number;
  /** Time and timers (default the system clock). */
  clock?: Clock;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /**
   * A warm standby (standby-mirror.ts, standby-runs.ts): followed while this instance does not
   * lead, paused from the election on (`build` hands it to the worker after the epoch raise).
   */
  standby?: { follow(): void; pause(): void; status?(): StandbyStatus };
}

/** What a standby holds (GET /health of scripts/instance.ts: the takeover bench waits for `warm`). */
export interface StandbyStatus {
  jobs: number;
  runs: number;
  /** Every job and unfinished run read, the jobs' schedules read, their dependency graph built. */
  warm: boolean;
}

export interface TermInfo {
  epoch: number;
  /** ms since epoch when the term's scheduler was running. */
  startedAt: number;
  /** ms from `elected` to the scheduler running (takeover time inside this process). */
  takeoverMs: number;
}

export class Leadership {
  readonly events: EventBus;
  readonly runtime: SchedulerRuntime;
  private readonly elector: LeaderElector;
  private readonly store: Store & FencingStore;
  private readonly build: LeadershipOptions['build'];
  private readonly onTerm: NonNullable<LeadershipOptions['onTerm']>;
  private readonly retryDelayMs: number;
  private readonly log: NonNullable<LeadershipOptions['log']>;
  private scheduler: Scheduler | null = null;
  private starting: SchedulerRuntime | null = null;
  /** Bumped on every elected/deposed: a takeover in flight checks it before going live. */
  private generation = 0;
  private readonly clock: Clock;
  /** Cancels the pending takeover retry. */
  private retryTimer: (() => void) | null = null;
  private offs: Array<() => void> = [];
  private term: TermInfo | null = null;
  private stopped = false;
  private readonly standby: LeadershipOptions['standby'];

  constructor(opts: LeadershipOptions) {
    this.standby = opts.standby;
    this.elector = opts.elector;
    this.store = opts.store;
    this.build = opts.build;
    this.events = opts.events ?? new EventBus();
    this.onTerm = opts.onTerm ?? (() => {});
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? (() => {});
    this.runtime = new LeaderRuntime(this);
  }

  get current(): Scheduler | null {
    return this.scheduler;
  }

  /** The runtime the API talks to: the running term's worker, or the one still loading. */
  get currentRuntime(): SchedulerRuntime | null {
    return this.scheduler?.worker ?? this.starting;
  }

  /** The standby's holdings (null: none). */
  standbyStatus(): StandbyStatus | null {
    return this.standby?.status?.() ?? null;
  }

  get termInfo(): TermInfo | null {
    return this.term;
  }

  get id(): string {
    return this.elector.id;
  }

  isLeader(): boolean {
    return this.elector.isLeader() && this.scheduler !== null;
  }

  leader(): string | null {
    return this.elector.leader();
  }

  members(): string[] {
    return this.elector.members?.() ?? [];
  }

  async start(): Promise<void> {
    // Warm the database client (first queries of a process compile and connect: seconds), so a
    // follower that wins later takes over in milliseconds. A database down now is no reason to wait.
    await Promise.all([
      this.store.storedEpoch(),
      this.store.jobs.count(),
      this.store.edges.load(),
      this.store.transaction((tx) => tx.framework.get('framework_id')),
    ]).catch(() => undefined);
    this.offs.push(
      this.elector.on('elected', () => this.onElected()),
      this.elector.on('deposed', () => this.endTerm('deposed')),
      this.elector.on('leader-changed', () =>
        this.events.emit('leader', { leader: this.elector.leader(), isLeader: this.elector.isLeader() }),
      ),
    );
    await this.elector.start();
    if (!this.elector.isLeader() && !this.stopped) this.standby?.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.standby?.pause();
    this.endTerm('stopping');
    for (const off of this.offs) off();
    this.offs = [];
    await this.elector.stop();
  }

  /* ------------------------------------------------------------------ terms */

  private onElected(): void {
    const gen = ++this.generation;
    const electedAt = this.clock.now();
    this.standby?.pause();
    this.log('info', 'elected leader: taking over', { epoch: this.elector.epoch() });
    void this.takeOver(gen, electedAt, this.retryDelayMs);
  }

  private async takeOver(gen: number, electedAt: number, delay: number): Promise<void> {
    if (gen !== this.generation || this.stopped || !this.elector.isLeader()) return;
    let built: Scheduler | null = null;
    /** The term's worker as soon as it exists: stopped if the build fails after starting it. */
    let loading: SchedulerRuntime | null = null;
    const trace = new TakeoverTrace(() => this.clock.now(), electedAt);
    try {
      let epoch = this.elector.epoch();
      let stored = await this.store.raiseEpoch(epoch);
      if (stored > epoch) {
        if (!this.elector.advanceEpoch) throw new Error(`the stored leader epoch ${stored} is above ours (${epoch})`);
        this.log('warn', `stored leader epoch ${stored} is above ZooKeeper's ${epoch}: advancing`);
        epoch = await this.elector.advanceEpoch(stored + 1);
        stored = await this.store.raiseEpoch(epoch);
        if (stored > epoch) throw new Error(`the stored leader epoch ${stored} is above ours (${epoch})`);
      }
      if (gen !== this.generation || !this.elector.isLeader()) return;
      trace.mark('epoch raised');
      const fenced = this.store.fenced(epoch, (e) => this.onFenced(gen, e));
      this.traceFirstLaunch(gen, trace);
      built = await this.build(
        fenced,
        this.events,
        (runtime) => {
          loading = runtime;
          if (gen === this.generation) this.starting = runtime;
        },
        trace,
      );
      this.starting = null;
      if (gen !== this.generation || this.stopped || !this.elector.isLeader()) {
        // deposed while starting: never act
        void built.stop();
        return;
      }
      this.scheduler = built;
      trace.mark('scheduler started');
      const now = this.clock.now();
      this.term = { epoch, startedAt: now, takeoverMs: now - electedAt };
      this.onTerm(built);
      this.events.emit('leader', { leader: this.elector.id, isLeader: true });
      this.log('info', `leading (epoch ${epoch}); scheduler started in ${this.term.takeoverMs} ms`, { epoch });
    } catch (e) {
      this.starting = null;
      if (built) void built.stop();
      // A build that failed after its worker started (e.g. the framework could not load its id)
      // would leave that worker ticking with this epoch next to the retry's: it would create the
      // due runs the retry's worker then counts as already run, and never launch them.
      else (loading as { stop?: () => void } | null)?.stop?.();
      if (gen !== this.generation || this.stopped) return;
      const message = (e as Error)?.message ?? String(e);
      this.log('error', `takeover failed (retrying in ${delay} ms): ${message}`);
      this.events.emit('error', { where: 'leadership', message: `takeover failed: ${message}` });
      this.retryTimer?.();
      this.retryTimer = this.clock.setTimer(delay, () => {
        this.retryTimer = null;
        void this.takeOver(gen, electedAt, Math.min(delay * 2, 15_000));
      });
    }
  }

  /** Logs the term's takeover phases (takeover-trace.ts) once its first launch is recorded. */
  private traceFirstLaunch(gen: number, trace: TakeoverTrace): void {
    this.traceOff?.();
    const off = (this.traceOff = this.events.on('offers', (e) => {
      if (gen !== this.generation) return off();
      if (e.launched === 0) return;
      off();
      trace.mark('first launch recorded');
      this.log('info', `taking over: phases (ms after the election) ${trace.summary()}`, { phases: trace.fields() });
    }));
  }

  private traceOff: (() => void) | null = null;

  /** Stops acting at once: worker timers and framework stream, synchronously. */
  private endTerm(reason: string): void {
    this.generation++;
    this.retryTimer?.();
    this.retryTimer = null;
    const s = this.scheduler;
    this.scheduler = null;
    this.starting = null;
    this.term = null;
    if (!this.stopped) this.standby?.follow();
    if (!s) return;
    s.worker.stop();
    s.framework?.stop(`leadership ended: ${reason}`);
    void s.stop();
    this.onTerm(null);
    this.log('warn', `no longer leading (${reason}): worker and framework stopped`);
    this.events.emit('leader', { leader: this.elector.leader(), isLeader: false });
  }

  private onFenced(gen: number, e: FencedError): void {
    if (gen !== this.generation) return;
    this.log('error', e.message);
    this.events.emit('error', { where: 'leadership', message: e.message });
    this.endTerm('fenced by a newer leader');
    const restart = (this.elector as { restartSession?: (r: string) => void }).restartSession;
    if (restart) restart.call(this.elector, 'fenced by a newer leader');
  }
}

/** The runtime the API sees: the leading term's worker, else offline with the real leader's id. */
class LeaderRuntime implements SchedulerRuntime {
  private readonly offline: OfflineRuntime;
  constructor(private readonly l: Leadership) {
    this.offline = new OfflineRuntime(l.id);
  }
  private get cur(): SchedulerRuntime {
    return this.l.currentRuntime ?? this.offline;
  }
  jobChanged(job: Job, previous: Job | null): Promise<void> {
    return this.cur.jobChanged(job, previous);
  }
  storeJob(job: Job, keep: readonly (keyof Job)[], stamp?: ChangeStamp): Promise<boolean> {
    return this.cur.storeJob?.(job, keep, stamp) ?? Promise.resolve(false);
  }
  jobDeleted(job: Job): Promise<void> {
    return this.cur.jobDeleted(job);
  }
  runNow(job: Job, args: string, at?: RerunAt): Promise<string> {
    return this.cur.runNow(job, args, at);
  }
  markSuccess(job: Job): Promise<void> {
    return this.cur.markSuccess(job);
  }
  killJob(name: string): Promise<void> {
    return this.cur.killJob(name);
  }
  completeTask(taskId: string, statusCode: number): Promise<boolean> {
    return this.cur.completeTask(taskId, statusCode);
  }
  activity(name: string): JobActivity {
    return this.cur.activity(name);
  }
  leader(): string {
    return this.l.leader() ?? '';
  }
  jobsView(): ReadonlyMap<string, Job> | null {
    return this.cur.jobsView?.() ?? null;
  }
}
