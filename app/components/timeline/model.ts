/**
 * The timeline's pure part: window presets in a zone, rows from runs, bar geometry and axis ticks.
 * No React, no clock: `now` is passed in (tested in model.test.ts).
 */
import { DateTime } from 'luxon';
import type { RunRow, RunTimelinePage } from '@/scheduler/api/ui-types';
import type { RunState, RunTrigger } from '@/scheduler/core/types';
import { formatInstant } from '@/app/components/time';

export type PresetId = '1h' | '6h' | '24h' | 'tonight' | 'lastnight' | '7d';

export interface Window {
  from: number;
  to: number;
}

export const PRESETS: ReadonlyArray<{ id: PresetId; label: string }> = [
  { id: '1h', label: 'Last hour' },
  { id: '6h', label: 'Last 6 h' },
  { id: '24h', label: 'Last 24 h' },
  { id: 'tonight', label: 'Tonight 18–08' },
  { id: 'lastnight', label: 'Last night 18–08' },
  { id: '7d', label: 'Last 7 days' },
];

/**
 * The window of a preset at `now` in `zone`. "Tonight" is the night that contains `now` (after
 * 18:00 or before 08:00), else the coming one; "last night" is the one before it. Wall-clock
 * hours, so a DST night is 13 or 15 hours long.
 */
export function presetWindow(id: PresetId, now: number, zone: string): Window {
  const HOUR = 3_600_000;
  switch (id) {
    case '1h':
      return { from: now - HOUR, to: now };
    case '6h':
      return { from: now - 6 * HOUR, to: now };
    case '24h':
      return { from: now - 24 * HOUR, to: now };
    case '7d':
      return { from: now - 7 * 24 * HOUR, to: now };
    case 'tonight':
    case 'lastnight': {
      const local = DateTime.fromMillis(now, { zone });
      // The evening the current (or coming) night starts on.
      const evening = local.hour < 8 ? local.minus({ days: 1 }).startOf('day') : local.startOf('day');
      const start = (id === 'lastnight' ? evening.minus({ days: 1 }) : evening).set({ hour: 18 });
      const end = start.plus({ days: 1 }).set({ hour: 8 });
      return { from: start.toMillis(), to: end.toMillis() };
    }
  }
}

export type Outcome = 'success' | 'failure' | 'killed' | 'running' | 'starting' | 'queued' | 'skipped';

export function outcomeOf(state: RunState): Outcome {
  switch (state) {
    case 'FINISHED':
      return 'success';
    case 'FAILED':
    case 'ERROR':
    case 'LOST':
      return 'failure';
    case 'KILLED':
    case 'KILLING':
    case 'DROPPED':
      return 'killed';
    case 'RUNNING':
      return 'running';
    case 'STAGING':
    case 'STARTING':
      return 'starting';
    case 'SKIPPED':
      return 'skipped';
    default:
      return 'queued';
  }
}

export const OUTCOME_COLOR: Record<Outcome, string> = {
  success: '#16a34a',
  failure: '#dc2626',
  killed: '#7c3aed',
  running: '#0284c7',
  starting: '#38bdf8',
  queued: '#f59e0b',
  skipped: '#a3a3a3',
};

export const OUTCOME_LABEL: Record<Outcome, string> = {
  success: 'finished',
  failure: 'failed / lost',
  killed: 'killed',
  running: 'running',
  starting: 'staging',
  queued: 'queued (waiting)',
  skipped: 'skipped',
};

/** When a run started executing (or was launched), and when it ended (now while active). */
export interface Span {
  /** Queued, waiting for an offer: from queuedAt until launch. */
  waitFrom: number;
  waitTo: number;
  /** Executing: launch/start until finish (null when it never launched). */
  runFrom: number | null;
  runTo: number | null;
}

export function spanOf(r: RunRow, now: number): Span {
  const launched = r.startedAt ?? r.launchedAt;
  const end = r.finishedAt ?? now;
  return {
    waitFrom: r.queuedAt,
    waitTo: launched ?? (r.finishedAt ?? now),
    runFrom: launched,
    runTo: launched === null ? null : Math.max(launched, end),
  };
}

/** Does the run show anything inside [from, to)? */
export function overlaps(r: RunRow, w: Window, now: number): boolean {
  const s = spanOf(r, now);
  const start = Math.min(s.waitFrom, s.runFrom ?? s.waitFrom);
  const end = Math.max(s.waitTo, s.runTo ?? s.waitTo);
  return start < w.to && end >= w.from;
}

export type RowMode = 'job' | 'run';

export interface Row {
  key: string;
  label: string;
  jobName: string;
  runs: RunRow[];
  /** Start of the earliest run (for sorting). */
  first: number;
}

/** One row per job (ordered by first start), or one per run (ordered by start). */
export function buildRows(runs: readonly RunRow[], mode: RowMode, now: number): Row[] {
  const startOf = (r: RunRow) => r.startedAt ?? r.launchedAt ?? r.queuedAt;
  if (mode === 'run') {
    return [...runs]
      .sort((a, b) => startOf(a) - startOf(b) || a.jobName.localeCompare(b.jobName))
      .map((r) => ({ key: r.taskId || r.id, label: r.jobName, jobName: r.jobName, runs: [r], first: startOf(r) }));
  }
  const byJob = new Map<string, Row>();
  for (const r of runs) {
    let row = byJob.get(r.jobName);
    if (!row) {
      row = { key: r.jobName, label: r.jobName, jobName: r.jobName, runs: [], first: Infinity };
      byJob.set(r.jobName, row);
    }
    row.runs.push(r);
    row.first = Math.min(row.first, startOf(r));
  }
  const rows = [...byJob.values()];
  for (const row of rows) row.runs.sort((a, b) => startOf(a) - startOf(b));
  void now;
  return rows.sort((a, b) => a.first - b.first || a.key.localeCompare(b.key));
}

const TICK_STEPS: ReadonlyArray<{ ms: number; unit: 'minute' | 'hour' | 'day'; n: number }> = [
  { ms: 60_000, unit: 'minute', n: 1 },
  { ms: 5 * 60_000, unit: 'minute', n: 5 },
  { ms: 10 * 60_000, unit: 'minute', n: 10 },
  { ms: 15 * 60_000, unit: 'minute', n: 15 },
  { ms: 30 * 60_000, unit: 'minute', n: 30 },
  { ms: 3_600_000, unit: 'hour', n: 1 },
  { ms: 2 * 3_600_000, unit: 'hour', n: 2 },
  { ms: 3 * 3_600_000, unit: 'hour', n: 3 },
  { ms: 6 * 3_600_000, unit: 'hour', n: 6 },
  { ms: 12 * 3_600_000, unit: 'hour', n: 12 },
  { ms: 86_400_000, unit: 'day', n: 1 },
  { ms: 2 * 86_400_000, unit: 'day', n: 2 },
  { ms: 7 * 86_400_000, unit: 'day', n: 7 },
];

/** Axis ticks at round wall-clock times in `zone`, about `target` of them across the view. */
export function ticks(view: Window, zone: string, target: number): Array<{ at: number; label: string; major: boolean }> {
  const span = view.to - view.from;
  const step = TICK_STEPS.find((s) => span / s.ms <= target) ?? TICK_STEPS[TICK_STEPS.length - 1];
  let t = DateTime.fromMillis(view.from, { zone }).startOf(step.unit === 'minute' ? 'hour' : 'day');
  const out: Array<{ at: number; label: string; major: boolean }> = [];
  let guard = 0;
  while (t.toMillis() < view.to && guard++ < 2000) {
    if (t.toMillis() >= view.from) {
      const midnight = t.hour === 0 && t.minute === 0;
      const fmt = step.unit === 'day' ? 'EEE d LLL' : midnight ? 'EEE d LLL' : 'HH:mm';
      out.push({ at: t.toMillis(), label: t.toFormat(fmt), major: midnight });
    }
    t = t.plus({ [step.unit === 'minute' ? 'minutes' : step.unit === 'hour' ? 'hours' : 'days']: step.n });
  }
  return out;
}

/**
 * The view that fits the runs shown: from the earliest wait or start to the latest end (now for
 * runs still going), with a margin of 5 % each side, at least `minSpan` (twice the zoom's
 * smallest span, so a fitted view can still be zoomed into), inside `bounds`. The
 * whole window when there is no run. Seconds-long runs then fill the chart instead of being
 * slivers at the edge of a 24-hour window.
 */
export function fitView(runs: readonly RunRow[], bounds: Window, now: number, minSpan = 120_000): Window {
  let from = Infinity;
  let to = -Infinity;
  for (const r of runs) {
    const s = spanOf(r, now);
    from = Math.min(from, s.waitFrom, s.runFrom ?? s.waitFrom);
    to = Math.max(to, s.waitTo, s.runTo ?? s.waitTo);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) return bounds;
  from = Math.max(from, bounds.from);
  to = Math.min(to, bounds.to);
  if (to < from) return bounds;
  const margin = (to - from) * 0.05;
  const span = Math.min(bounds.to - bounds.from, Math.max(minSpan, to - from + 2 * margin));
  const mid = (from + to) / 2;
  const start = Math.max(bounds.from, Math.min(mid - span / 2, bounds.to - span));
  return { from: start, to: start + span };
}

/** Same window (to the millisecond). */
export const sameWindow = (a: Window, b: Window): boolean => a.from === b.from && a.to === b.to;

/** Zoom the view around an anchor instant by `factor` (<1 zooms in), clamped to `bounds`. */
export function zoomView(view: Window, anchor: number, factor: number, bounds: Window, minSpan = 60_000): Window {
  const span = Math.min(bounds.to - bounds.from, Math.max(minSpan, (view.to - view.from) * factor));
  const ratio = (anchor - view.from) / (view.to - view.from || 1);
  let from = anchor - span * ratio;
  from = Math.max(bounds.from, Math.min(from, bounds.to - span));
  return { from, to: from + span };
}

/** Pan the view by a fraction of its span, clamped to `bounds`. */
export function panView(view: Window, fraction: number, bounds: Window): Window {
  const span = view.to - view.from;
  const from = Math.max(bounds.from, Math.min(view.from + span * fraction, bounds.to - span));
  return { from, to: from + span };
}

/** The runs of a GET /api/runs/timeline answer (compact rows, see RunTimelinePage) as RunRows. */
export function decodeTimeline(page: RunTimelinePage): RunRow[] {
  const str = page.strings;
  const opt = (i: number): string | null => (i < 0 ? null : str[i]);
  const at = (d: number | null, due: number): number | null => (d === null ? null : due + d);
  return page.runs.map(([id, job, due, attempt, trigger, state, q, l, st, f, host, agent, message, reason, args, taskId, intendedDue]): RunRow => {
    const jobName = str[job];
    const startedAt = at(st, due);
    const finishedAt = at(f, due);
    const argumentsText = args < 0 ? '' : str[args];
    return {
      id,
      taskId: taskId === 0 ? `ct:${due}:${attempt}:${jobName}:${argumentsText}` : taskId,
      jobName,
      due,
      attempt,
      trigger: str[trigger] as RunTrigger,
      state: str[state] as RunState,
      queuedAt: due + q,
      launchedAt: at(l, due),
      startedAt,
      finishedAt,
      durationMs: startedAt !== null && finishedAt !== null ? finishedAt - startedAt : null,
      agentId: opt(agent),
      host: opt(host),
      message: opt(message),
      reason: opt(reason),
      arguments: argumentsText,
      ...(intendedDue != null ? { intendedDue } : {}),
    };
  });
}

/** A run queued this long after the instant it is for ran late for it (not the ~ms of a scheduled run). */
const LATE_MS = 60_000;

/**
 * "for 2026-11-03 00:00 UTC, backfill": the instant a run is for and why it exists, when it ran
 * well after that instant (a backfill, a rerun of an old night, a retry, a run downstream); null
 * for a run queued at its instant. The bar stays at when it ran; this names what it ran for.
 */
export function purposeOf(r: Pick<RunRow, 'due' | 'intendedDue' | 'queuedAt' | 'trigger'>, zone: string): string | null {
  const instant = lateFor(r);
  return instant === null ? null : `for ${formatInstant(instant, zone)}, ${r.trigger}`;
}

/** The instant a run is for when it was queued well after it (see purposeOf), else null. */
export function lateFor(r: Pick<RunRow, 'due' | 'intendedDue' | 'queuedAt'>): number | null {
  const instant = r.intendedDue ?? r.due;
  return r.queuedAt - instant >= LATE_MS ? instant : null;
}
