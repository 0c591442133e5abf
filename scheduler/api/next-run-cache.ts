/**
 * The next run of each job, for the jobs page (its rows, and its sort by next run over every
 * matching job), computed by scheduler/core/next-run.ts and kept while it holds: an ISO start until
 * the schedule changes, a cron next until it passes, an empty start ("now") not at all.
 *
 * Kept per (schedule, zone), not per job: jobs that share a schedule share the answer (daily jobs
 * at the same hour have the same stored start once the worker advances them), and a cron
 * expression is compiled once per zone.
 */
import type { Cron } from 'croner';
import { compileCron } from '../core/cron';
import { cronNextRun, nextRunOf, type NextRun } from '../core/next-run';
import { grammarOf } from '../core/spec';
import type { Job } from '../core/types';
import { resolveZone } from '../core/zones';

/** Schedules kept at most; past that the cache starts again (more distinct schedules than jobs). */
const MAX_KEPT = 200_000;

interface Kept {
  next: NextRun;
  /** A cron expression compiled for the zone (null: it does not compile); undefined for ISO. */
  cron?: Cron | null;
}

export class NextRunCache {
  private readonly bySchedule = new Map<string, Kept>();

  /** Next due instant of a scheduled, enabled job with runs left; null otherwise. */
  of(job: Job, now: number): number | null {
    if (!job.schedule || job.disabled) return null;
    const zoneId = job.scheduleTimeZone ?? '';
    const key = `${job.schedule}\u0000${zoneId}`;
    let kept = this.bySchedule.get(key);
    if (kept === undefined || now >= kept.next.validUntil) {
      kept = this.compute(job.schedule, zoneId, now, kept);
      if (this.bySchedule.size >= MAX_KEPT) this.bySchedule.clear();
      this.bySchedule.set(key, kept);
    }
    return kept.next.at;
  }

  private compute(expr: string, zoneId: string, now: number, before: Kept | undefined): Kept {
    if (grammarOf(expr) !== 'cron') return { next: nextRunOf(expr, zoneId, now) };
    const cron = before?.cron !== undefined ? before.cron : compiled(expr, resolveZone(zoneId));
    return { cron, next: cron ? cronNextRun(cron, now) : { at: null, validUntil: Number.POSITIVE_INFINITY } };
  }
}

function compiled(expr: string, zone: string): Cron | null {
  const r = compileCron(expr, zone);
  return r.ok ? r.value : null;
}
