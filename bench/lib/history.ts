/**
 * bench/results/history.csv: every bench run appends one row per figure it measured (date,
 * commit, mode, machine, the machine's load while that benchmark ran, value, ratio), so the
 * report can draw each figure's trend and a regression shows up as a line going the wrong way.
 * Long format (one figure per row): a new figure is a new id, never a new column.
 */
import fs from 'node:fs';
import type { Figure } from './history-figures';

export const HISTORY_COLUMNS = ['date', 'commit', 'mode', 'machine', 'load', 'figure', 'label', 'unit', 'better', 'value', 'ratio', 'ratio_to'] as const;

/** One figure of one run: the figure (its `id` is the file's `figure` column) and when and where it was measured. */
export interface HistoryRow extends Omit<Figure, 'bench'> {
  date: string;
  commit: string;
  /** `full` or `quick`: their figures are different sizes and trend separately. */
  mode: 'full' | 'quick';
  machine: string;
  /** Median 1-minute load average while the figure's benchmark ran (NaN if not sampled). */
  load: number;
}

export interface RunMeta {
  date: string;
  commit: string;
  quick: boolean;
  machine: string;
  /** Load per benchmark name (Figure.bench). */
  load: Record<string, number>;
}

/** The rows one run appends: one per figure. */
export function historyRows(meta: RunMeta, figures: Figure[]): HistoryRow[] {
  return figures.map(({ bench, ...figure }) => ({
    date: meta.date,
    commit: meta.commit,
    mode: meta.quick ? 'quick' : 'full',
    machine: meta.machine,
    load: meta.load[bench] ?? NaN,
    ...figure,
  }));
}

const num = (x: number, digits: number) => (Number.isFinite(x) ? String(Number(x.toFixed(digits))) : '');

function cell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsvLine(r: HistoryRow): string {
  return [r.date, r.commit, r.mode, r.machine, num(r.load, 2), r.id, r.label, r.unit, r.better, num(r.value, 4), num(r.ratio, 4), r.ratioTo].map(cell).join(',');
}

/** Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes, newlines). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      rec.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
    } else field += c;
    i++;
  }
  if (field !== '' || rec.length) {
    rec.push(field);
    records.push(rec);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

const toNum = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));

/** The rows of a history file's text; the header names the columns, so older files with fewer columns still read. */
export function parseHistory(text: string): HistoryRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  const at = (name: (typeof HISTORY_COLUMNS)[number]) => header.indexOf(name);
  const col = Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, at(c)])) as Record<(typeof HISTORY_COLUMNS)[number], number>;
  const get = (r: string[], c: (typeof HISTORY_COLUMNS)[number]) => (col[c] >= 0 ? r[col[c]] : undefined);
  return records
    .filter((r) => get(r, 'figure'))
    .map((r) => ({
      date: get(r, 'date') ?? '',
      commit: get(r, 'commit') ?? '',
      mode: get(r, 'mode') === 'quick' ? 'quick' : 'full',
      machine: get(r, 'machine') ?? '',
      load: toNum(get(r, 'load')),
      id: get(r, 'figure') ?? '',
      label: get(r, 'label') ?? get(r, 'figure') ?? '',
      unit: get(r, 'unit') ?? '',
      better: get(r, 'better') === 'lower' ? 'lower' : 'higher',
      value: toNum(get(r, 'value')),
      ratio: toNum(get(r, 'ratio')),
      ratioTo: get(r, 'ratio_to') ?? '',
    }));
}

/** Appends `rows` to the history file, writing the header first when the file is new or empty. */
export function appendHistory(file: string, rows: HistoryRow[]): void {
  if (rows.length === 0) return;
  const fresh = !fs.existsSync(file) || fs.statSync(file).size === 0;
  let text = rows.map(toCsvLine).join('\n') + '\n';
  if (fresh) text = HISTORY_COLUMNS.join(',') + '\n' + text;
  else if (!fs.readFileSync(file, 'utf8').endsWith('\n')) text = '\n' + text;
  fs.appendFileSync(file, text);
}

export function readHistory(file: string): HistoryRow[] {
  return fs.existsSync(file) ? parseHistory(fs.readFileSync(file, 'utf8')) : [];
}
