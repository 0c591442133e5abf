/**
 * The runs page's filters as they live in the URL (/runs?job&state&window&from&to&rows), its time
 * window, and the /api/… URLs it reads. Plain code: the page's server component builds the same
 * URLs as the view (runs-view.tsx) to read the first answers with the HTML.
 */
import type { RunState } from '@/scheduler/core/types';
import { PRESETS, presetWindow, type PresetId, type RowMode, type Window } from '@/app/components/timeline/model';

export const STATES: readonly RunState[] = ['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED'];
/** Presets whose end follows the clock. */
export const ROLLING: ReadonlySet<PresetId> = new Set<PresetId>(['1h', '6h', '24h', '7d']);
/** Runs per page of the table. */
export const TABLE_PAGE = 50;
/** Runs of the timeline's first request: a small one, so bars show at once; the rest follow in one more. */
export const TIMELINE_FIRST_PAGE = 1000;
/** The timeline reads at most this many runs of a window. */
export const TIMELINE_CAP = 20_000;

export interface RunFilters {
  job: string;
  /** "" (all), one RunState or a comma-separated list. */
  state: string;
  preset: PresetId | 'custom';
  from: number | null;
  to: number | null;
  rows: RowMode;
}

export function readFilters(p: Pick<URLSearchParams, 'get'>): RunFilters {
  const preset = p.get('window');
  const from = Number(p.get('from'));
  const to = Number(p.get('to'));
  const custom = preset === 'custom' && Number.isFinite(from) && Number.isFinite(to) && from > 0 && to > from;
  const state = p.get('state') ?? '';
  return {
    job: p.get('job') ?? '',
    state: state.split(',').every((x) => (STATES as readonly string[]).includes(x)) ? state : '',
    preset: custom ? 'custom' : PRESETS.some((x) => x.id === preset) ? (preset as PresetId) : '24h',
    from: custom ? from : null,
    to: custom ? to : null,
    rows: p.get('rows') === 'run' ? 'run' : 'job',
  };
}

export const isRolling = (f: RunFilters) => f.preset !== 'custom' && ROLLING.has(f.preset);

/** The window the runs are read for: fixed (tonight, custom) or rolling from `anchor` (when the preset was chosen). */
export function fetchWindowOf(f: RunFilters, anchor: number, zone: string): Window {
  if (f.preset === 'custom') return { from: f.from!, to: f.to! };
  return presetWindow(f.preset, anchor, zone);
}

function query(f: { job: string; state: string; from?: number; to?: number; limit: number; cursor?: string | null }): string {
  const q = new URLSearchParams();
  if (f.job) q.set('job', f.job);
  if (f.state) q.set('state', f.state);
  if (f.from !== undefined) q.set('from', String(Math.floor(f.from)));
  if (f.to !== undefined) q.set('to', String(Math.ceil(f.to)));
  q.set('limit', String(f.limit));
  if (f.cursor) q.set('cursor', f.cursor);
  return q.toString();
}

/** A page of the table: runs due in the window, newest first (GET /api/runs). */
export function tableUrl(f: RunFilters, w: Window, cursor: string | null = null): string {
  return `/api/runs?${query({ job: f.job, state: f.state, from: w.from, to: isRolling(f) ? undefined : w.to, limit: TABLE_PAGE, cursor })}`;
}

/** The timeline's runs of the window (GET /api/runs/timeline). */
export function timelineUrl(f: RunFilters, w: Window, limit: number, cursor: string | null = null): string {
  return `/api/runs/timeline?${query({ job: f.job, state: f.state, from: w.from, to: isRolling(f) ? undefined : w.to, limit, cursor })}`;
}
