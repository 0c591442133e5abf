/**
 * The trend of each figure across the runs in bench/results/history.csv, drawn as a markdown
 * table with a sparkline per figure (oldest → newest): the ratio to the same run's peer or limit
 * where there is one (it survives a busy machine), else the value. A last point worse than the
 * median of the runs before it by more than `WORSE_BY` is called out.
 */
import type { HistoryRow } from './history';
import { fmt, median } from './util';

const BARS = '▁▂▃▄▅▆▇█';
/** A change smaller than this (relative) is noise on a shared machine. */
export const WORSE_BY = 0.1;

/** One character per value, scaled between the series' min and max; a gap (·) where there is no number. */
export function sparkline(values: number[]): string {
  const real = values.filter((v) => Number.isFinite(v));
  if (real.length === 0) return values.map(() => '·').join('');
  const lo = Math.min(...real);
  const hi = Math.max(...real);
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return '·';
      if (hi === lo) return BARS[3];
      return BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))];
    })
    .join('');
}

export interface Trend {
  figure: string;
  label: string;
  mode: HistoryRow['mode'];
  /** What the points are: the ratio to `ratioTo`, or the value in `unit`. */
  plots: 'ratio' | 'value';
  points: number[];
  commits: string[];
  loads: number[];
  unit: string;
  ratioTo: string;
  /** last / median of the earlier points, NaN with one point. */
  change: number;
  verdict: 'better' | 'worse' | 'same' | 'first run';
}

/** The trend of each figure of `mode` (in first-seen order), at most the last `last` runs. */
export function trends(rows: HistoryRow[], mode: HistoryRow['mode'], last = 20): Trend[] {
  const by = new Map<string, HistoryRow[]>();
  for (const r of rows) {
    if (r.mode !== mode) continue;
    const list = by.get(r.id) ?? [];
    list.push(r);
    by.set(r.id, list);
  }
  const out: Trend[] = [];
  for (const [figure, all] of by) {
    const series = all.slice(-last);
    const lastRow = series[series.length - 1];
    const plots = series.every((r) => Number.isFinite(r.ratio)) ? 'ratio' : 'value';
    const points = series.map((r) => (plots === 'ratio' ? r.ratio : r.value));
    const earlier = median(points.slice(0, -1).filter((p) => Number.isFinite(p)));
    const now = points[points.length - 1];
    const change = now / earlier;
    let verdict: Trend['verdict'] = 'first run';
    if (Number.isFinite(earlier)) {
      const up = lastRow.better === 'higher';
      if (earlier === 0 && now === 0) verdict = 'same';
      else if (earlier === 0) verdict = up ? 'better' : 'worse';
      else if (change > 1 + WORSE_BY) verdict = up ? 'better' : 'worse';
      else if (change < 1 - WORSE_BY) verdict = up ? 'worse' : 'better';
      else verdict = 'same';
    }
    out.push({
      figure,
      label: lastRow.label,
      mode,
      plots,
      points,
      commits: series.map((r) => r.commit),
      loads: series.map((r) => r.load),
      unit: lastRow.unit,
      ratioTo: lastRow.ratioTo,
      change,
      verdict,
    });
  }
  return out;
}

const shown = (t: Trend, v: number) => (t.plots === 'ratio' ? `${fmt(v, 2)}×` : `${fmt(v, v < 10 ? 2 : 0)} ${t.unit}`);

/** The report's trend section for the figures `ids` (all when omitted) of `mode`. */
export function trendMarkdown(rows: HistoryRow[], mode: HistoryRow['mode'], ids?: string[]): string {
  const want = ids ? new Set(ids) : null;
  const ts = trends(rows, mode).filter((t) => !want || want.has(t.figure));
  if (ts.length === 0) return '';
  const lines = [
    `**Trend** (bench/results/history.csv, ${mode} runs, oldest → newest, last ${Math.max(...ts.map((t) => t.points.length))} at most; the ratio to the same run's peer or limit where there is one, else the value; load = 1-min load average while the benchmark ran):`,
    '',
    '| figure | runs | trend | first → last | load, last run | last vs earlier median |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of ts) {
    const first = t.points[0];
    const last = t.points[t.points.length - 1];
    const load = t.loads[t.loads.length - 1];
    const what = t.plots === 'ratio' ? `${t.label} (÷ ${t.ratioTo.replace(/ [\d,.]+.*$/, '')})` : t.label;
    const verdict = t.verdict === 'worse' ? `**worse** (${fmt(t.change, 2)}×)` : t.verdict === 'first run' ? 'first run' : `${t.verdict} (${fmt(t.change, 2)}×)`;
    lines.push(`| ${what} | ${t.points.length} | \`${sparkline(t.points)}\` | ${shown(t, first)} → ${shown(t, last)} | ${Number.isFinite(load) ? fmt(load, 1) : '—'} | ${verdict} |`);
  }
  return lines.join('\n') + '\n';
}
