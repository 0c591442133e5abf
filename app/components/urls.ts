/**
 * The /api/… URLs the pages fetch first, in one plain module: the views (client) and the pages'
 * server components (which read the same answers for the HTML, see server-data.ts) build them
 * identically, as <Preloaded> data is looked up by exact URL.
 */
const enc = encodeURIComponent;

export const HISTORY_PAGE = 50;

/** The run page (every attempt of one job's due instant) and its data. */
export const runPageUrl = (taskId: string) => `/runs/${enc(taskId)}`;
export const runDetailUrl = (taskId: string) => `/api/runs/${enc(taskId)}`;

/** The pipeline grid page and its data, for a pipeline (a job of it), a name prefix or an owner. */
export interface GridQuery {
  job?: string;
  prefix?: string;
  owner?: string;
  n?: number;
}
const gridParams = (q: GridQuery) => {
  const p = new URLSearchParams();
  if (q.job) p.set('job', q.job);
  if (q.prefix) p.set('prefix', q.prefix);
  if (q.owner) p.set('owner', q.owner);
  if (q.n) p.set('n', String(q.n));
  const s = p.toString();
  return s ? `?${s}` : '';
};
export const gridPageUrl = (q: GridQuery) => `/grid${gridParams(q)}`;
export const gridDataUrl = (q: GridQuery) => `/api/grid${gridParams(q)}`;

export function jobDetailUrls(name: string): { detail: string; next: string; history: string } {
  return {
    detail: `/api/jobs/${enc(name)}`,
    next: `/api/jobs/${enc(name)}/next?n=10`,
    history: `/api/runs?job=${enc(name)}&limit=${HISTORY_PAGE}`,
  };
}

/** The schedule preview of the editor (GET /api/preview) for a schedule and zone. */
export const previewUrl = (schedule: string, zone: string) => `/api/preview?schedule=${enc(schedule.trim())}&zone=${enc(zone.trim())}&n=10`;

/** The editor's parent picker: jobs whose name matches what is typed. */
export const parentSearchUrl = (q: string) => `/api/jobs?q=${enc(q)}&limit=12&sort=name`;

/** A new job's schedule: daily from the hour after `now`, e.g. R/2026-05-01T15:00:00Z/P1D. */
export function newJobSchedule(now: number): string {
  const start = new Date(Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000).toISOString().replace('.000Z', 'Z');
  return `R/${start}/P1D`;
}

/** The graph page's answer, laid out on the server: every job (up to 1,000) or one job's ancestors and descendants. */
export const graphUrl = (focus: string) => (focus ? `/api/graph?focus=${enc(focus)}&layout=1` : '/api/graph?layout=1');

/** A version of a job's change history, open on the job page (the run page links to the version a run ran with). */
export const jobVersionPageUrl = (name: string, n: number) => `/jobs/${enc(name)}?version=${n}#version-${n}`;
