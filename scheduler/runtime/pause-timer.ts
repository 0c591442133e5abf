/**
 * Paused jobs resume by themselves: one timer (from the worker's Clock) for the earliest pause
 * end. When it fires, each job whose pause has ended is written without its pause and with its
 * schedule moved past the pause (core/pause.ts `resumedJob`), through the worker's own job
 * writes, so the change is stored (a restart or a new leader sees it resumed) and applied like
 * any other: the job is indexed again and the UI hears of it.
 *
 * It holds only the paused jobs (name → end), kept up to date from the 'job' events, so a write
 * of one job costs a lookup, not a scan of every job.
 */
import { nextPauseEnd, pauseEnd, resumedJob } from '../core/pause';
import type { Instant, Job } from '../core/types';
import type { JobWrites } from './job-writes';
import type { WorkerContext } from './worker-context';

export class PauseTimer {
  private readonly ends = new Map<string, Instant>();
  private cancelTimer: (() => void) | null = null;
  private timerAt: Instant | null = null;
  private running = false;
  private readonly off: () => void;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly writes: JobWrites,
  ) {
    this.off = ctx.events.on('job', ({ name }) => {
      if (!this.running) return;
      this.note(ctx.jobs.get(name));
      if (!ctx.jobs.has(name)) this.ends.delete(name);
      this.arm();
    });
  }

  /** After the worker's load: every paused job, and the timer. */
  start(jobs: Iterable<Job>): void {
    this.ends.clear();
    for (const job of jobs) if (job.pause !== undefined) this.note(job);
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = null;
  }

  dispose(): void {
    this.stop();
    this.off();
  }

  private note(job: Job | undefined): void {
    if (!job) return;
    const end = pauseEnd(job.pause);
    if (end === null) this.ends.delete(job.name);
    else this.ends.set(job.name, end);
  }

  private arm(): void {
    if (!this.running) return;
    const now = this.ctx.clock.now();
    const next = nextPauseEnd(this.ends.values(), now);
    if (next === this.timerAt && this.cancelTimer) return;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.timerAt = next;
    if (next === null) return;
    this.cancelTimer = this.ctx.clock.setTimer(Math.max(0, next - now), () => {
      this.cancelTimer = null;
      this.timerAt = null;
      this.resumeEnded();
    });
  }

  /** Writes every job whose pause has ended without it; a failed write is tried again in a second. */
  private resumeEnded(): void {
    if (!this.running) return;
    const now = this.ctx.clock.now();
    for (const [name, end] of [...this.ends]) {
      if (end > now) continue;
      this.ends.delete(name);
      const job = this.ctx.jobs.get(name);
      if (!job?.pause) continue;
      const resumed = resumedJob(job, now);
      // every other field as the worker holds it when the write happens
      const keep = (Object.keys(job) as (keyof Job)[]).filter((k) => k !== 'pause' && k !== 'schedule');
      // a version of kind resume by nobody (the scheduler), in the write's transaction
      this.writes.store(resumed, keep, { kind: 'resume', note: 'the pause ended' }).catch((e: unknown) => {
        this.ctx.report('pause', `job ${name} could not be resumed: ${String((e as Error)?.message ?? e)}; trying again`);
        this.ends.set(name, now);
        this.cancelTimer?.();
        this.timerAt = null;
        this.cancelTimer = this.ctx.clock.setTimer(1_000, () => {
          this.cancelTimer = null;
          this.resumeEnded();
        });
      });
    }
    this.arm();
  }
}
