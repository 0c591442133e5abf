/**
 * The /api/… URLs the pages fetch first, in one plain module: the views (client) and the pages'
 * server components (which read the same answers for the HTML, see server-data.ts) build them
 * identically, as <Preloaded> data is looked up by exact URL.
 */
const enc = encodeURIComponent;

export const HISTORY_PAGE = 50;

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
