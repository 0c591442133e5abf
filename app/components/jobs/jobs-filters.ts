/**
 * The job list's search, filters and sort as they live in the URL (/jobs?q&status&…), and the
 * GET /api/jobs URL of a page of them. Plain code: the page's server component computes the same
 * URL as the view (jobs-view.tsx) to read the first page with the HTML.
 */
export const JOBS_PAGE = 100;

export interface JobFilters {
  q: string;
  status: string;
  state: string;
  owner: string;
  disabled: string;
  kind: string;
  sort: string;
  dir: 'asc' | 'desc';
}
export const FILTER_KEYS = ['q', 'status', 'state', 'owner', 'disabled', 'kind', 'sort', 'dir'] as const;
export const DEFAULTS: JobFilters = { q: '', status: '', state: '', owner: '', disabled: '', kind: '', sort: 'name', dir: 'asc' };

export function filtersFrom(params: Pick<URLSearchParams, 'get'> | null): JobFilters {
  const f = { ...DEFAULTS };
  if (!params) return f;
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v !== null) (f as Record<string, string>)[k] = v;
  }
  if (f.dir !== 'asc' && f.dir !== 'desc') f.dir = 'asc';
  return f;
}

export function queryOf(f: JobFilters, offset: number, limit: number): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k].trim();
    if (v !== '') p.set(k, v);
  }
  p.set('offset', String(offset));
  p.set('limit', String(limit));
  return p.toString();
}

export const jobsApiUrl = (f: JobFilters, offset: number, limit: number) => `/api/jobs?${queryOf(f, offset, limit)}`;
