/**
 * What the pages must show, read from the target's own API before anything is timed (the UI must
 * show what the API says), and the DOM conditions that say a page shows it.
 */
import { DateTime } from 'luxon';
import type { UiResult } from './result';
import type { Target } from './figure';

export const q = (s: string) => JSON.stringify(s);
export const rowLink = (i: number) => `document.querySelector('[data-row-index="${i}"] a')`;
export const text = (sel: string) => `(document.querySelector(${q(sel)})?.textContent ?? '')`;

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
  return (await r.json()) as T;
}

type Page0 = { jobs: Array<{ name: string }>; total: number };

/** The API's answers the figures are checked against. */
export interface Expected {
  all: Page0;
  search: Page0;
  failing: Page0;
  byNext: Page0;
  /** A row 80% down the whole list, and its job. */
  deepIndex: number;
  deep: Page0;
  failedRun: { runs: Array<{ taskId: string }> };
  graph: { nodes: unknown[]; edges: unknown[] };
  focus: { nodes: unknown[] };
  /** Runs due in last night's window. */
  nightWindowRuns: number;
}

export async function expectedOf(t: Target): Promise<Expected> {
  const { base, seed } = t;
  const enc = encodeURIComponent;
  const all = await getJson<Page0>(`${base}/api/jobs?limit=1`);
  const search = await getJson<Page0>(`${base}/api/jobs?q=${seed.searchQuery}&limit=1`);
  const failing = await getJson<Page0>(`${base}/api/jobs?status=failure&limit=1`);
  const byNext = await getJson<Page0>(`${base}/api/jobs?sort=nextRun&dir=asc&limit=1`);
  const deepIndex = Math.min(all.total - 1, Math.floor(all.total * 0.8));
  const deep = await getJson<Page0>(`${base}/api/jobs?offset=${deepIndex}&limit=1`);
  const failedRun = await getJson<{ runs: Array<{ taskId: string }> }>(`${base}/api/runs?state=FAILED&limit=1`);
  const graph = await getJson<{ nodes: unknown[]; edges: unknown[] }>(`${base}/api/graph`);
  const focus = await getJson<{ nodes: unknown[] }>(`${base}/api/graph?focus=${enc(seed.focusJob)}`);
  const w = lastNight();
  let nightWindowRuns = 0;
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const p: { runs: unknown[]; nextCursor: string | null } = await getJson(`${base}/api/runs?from=${w.from}&to=${w.to}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    nightWindowRuns += p.runs.length;
    cursor = p.nextCursor;
  }
  return { all, search, failing, byNext, deepIndex, deep, failedRun, graph, focus, nightWindowRuns };
}

/** The conditions that say a page shows its first content. */
export function readyConditions(e: Expected): { jobs: string; runs: string; graph: string } {
  return {
    jobs: `${rowLink(0)}?.textContent === ${q(e.all.jobs[0].name)}`,
    runs: `document.querySelector('[data-testid="run-row"]') !== null`,
    graph: `document.querySelector('[data-testid="layout-time"]') !== null && document.querySelector('.react-flow__node') !== null`,
  };
}

/** The facts the figures depend on, for the report. */
export function factsOf(t: Target, e: Expected): UiResult['facts'] {
  return {
    detailJob: t.seed.heavyJob,
    detailRuns: t.seed.heavyRuns,
    graphNodes: e.graph.nodes.length,
    graphEdges: e.graph.edges.length,
    focusJob: t.seed.focusJob,
    focusNodes: e.focus.nodes.length,
    nightWindowRuns: e.nightWindowRuns,
  };
}

/** Last night 18:00–08:00 UTC, as the runs page's preset computes it in the browser's zone (UTC here). */
export function lastNight(): { from: number; to: number } {
  const local = DateTime.fromMillis(Date.now(), { zone: 'UTC' });
  const evening = local.hour < 8 ? local.minus({ days: 1 }).startOf('day') : local.startOf('day');
  const start = evening.minus({ days: 1 }).set({ hour: 18 });
  return { from: start.toMillis(), to: start.plus({ days: 1 }).set({ hour: 8 }).toMillis() };
}
