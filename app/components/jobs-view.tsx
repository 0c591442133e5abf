'use client';
/**
 * The job list (/jobs), built for 50,000 jobs: search, filters and sort run on the server
 * (GET /api/jobs), the table is virtualized (@tanstack/react-virtual) and pages of PAGE rows are
 * fetched as they scroll into view. Filters live in the URL, so a view can be bookmarked.
 * Live: `job` and `run` events refetch the pages in view. Rows: Enter opens the job, ↑/↓ move,
 * space toggles selection; selected jobs can be run, disabled, enabled or deleted in bulk.
 * Selection (as in Gmail): the header checkbox selects the loaded rows; when more jobs match than
 * are loaded, a link selects all N matching jobs, and the bulk action then goes to the server as
 * the search and filters (POST /api/jobs/bulk {action, query, expect: N}), not as names. Changing
 * the search or a filter clears the selection (what is selected is always what the table shows).
 */
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BulkResult, JobPage, JobRow, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend, ApiRequestError } from './api';
import { JobStateBadge, StatusBadge } from './badges';
import { ConfirmDialog } from './confirm-dialog';
import { EmptyState } from './empty-state';
import { useEventStream } from './events';
import { Time, normalizeZone, useDisplayZone, useFormatCount } from './time';
import { DEFAULTS, FILTER_KEYS, filtersFrom, JOBS_PAGE, jobsApiUrl, type JobFilters } from './jobs-filters';
import { usePreloaded, useScrolledBeforeHydration } from './preload';
import { ErrorMessage, PageHeader } from './ui';

const PAGE = JOBS_PAGE;
const ROW_HEIGHT = 52;
type Filters = JobFilters;

/** The search and filters (no sort, no paging): what "all matching" means, for the bulk API. */
function matchQuery(f: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    if (k === 'sort' || k === 'dir') continue;
    const v = f[k].trim();
    if (v !== '') out[k] = v;
  }
  return out;
}

/** The search and filters in words: `search “nightly-”, status failure, disabled`. */
function describeMatch(f: Filters): string {
  const parts: string[] = [];
  if (f.q.trim()) parts.push(`search “${f.q.trim()}”`);
  if (f.status) parts.push(`status ${f.status}`);
  if (f.state) parts.push(`state ${f.state}`);
  if (f.kind) parts.push(f.kind);
  if (f.disabled) parts.push(f.disabled === 'true' ? 'disabled' : 'enabled');
  if (f.owner.trim()) parts.push(`owner “${f.owner.trim()}”`);
  return parts.join(', ');
}

type BulkAction = 'run' | 'disable' | 'enable' | 'delete';
type BulkScope =
  | { action: BulkAction; all: false; names: string[] }
  | { action: BulkAction; all: true; query: Record<string, string>; count: number; words: string };

const COLUMNS = '2.25rem minmax(14rem,2.2fr) 6.5rem 7rem minmax(13rem,1.4fr) minmax(9rem,1fr) minmax(7rem,0.8fr) 5.5rem';

export function JobsView() {
  const router = useRouter();
  const params = useSearchParams();
  const [filters, setFilters] = useState<Filters>(() => filtersFrom(params));
  const [qInput, setQInput] = useState(filters.q);
  // The first page, when it came with the HTML (app/jobs/page.tsx reads it for the URL's filters).
  const preloaded = usePreloaded<JobPage>(jobsApiUrl(filters, 0, PAGE));
  const [pages, setPages] = useState<Map<number, JobRow[]>>(() => new Map(preloaded ? [[0, preloaded.jobs]] : []));
  const [total, setTotal] = useState<number | null>(() => preloaded?.total ?? null);
  /** The preloaded first page is kept by the first run of the filters effect below. */
  const keepPreloaded = useRef(preloaded !== undefined);
  const catchUp = useRef(preloaded !== undefined);
  const formatCount = useFormatCount();
  const [error, setError] = useState<ApiRequestError | null>(null);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  /** "All N matching jobs" selected: bulk actions go to the server by query, not by name. */
  const [allMatching, setAllMatching] = useState(false);
  /** The bulk action being confirmed, with what it applies to as the dialog says it (fixed when opened). */
  const [bulk, setBulk] = useState<BulkScope | null>(null);
  const [bulkResult, setBulkResult] = useState<{ action: BulkAction; result: BulkResult } | null>(null);
  const generation = useRef(0);
  /** Set once a link in the page (or Enter on a row) navigates away. */
  const leaving = useRef(false);
  const inflight = useRef(new Set<number>());
  const scrollRef = useRef<HTMLDivElement>(null);

  // Debounced search box → filters.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === qInput ? f : { ...f, q: qInput })), 250);
    return () => clearTimeout(t);
  }, [qInput]);

  // Filters → URL (replace, no navigation), and a fresh result set.
  useEffect(() => {
    const p = new URLSearchParams();
    for (const k of FILTER_KEYS) if (filters[k] !== DEFAULTS[k]) p.set(k, filters[k]);
    const qs = p.toString();
    const url = qs ? `/jobs?${qs}` : '/jobs';
    // Not while leaving: Next treats history.replaceState as a navigation, and a search debounced
    // just before a click on a job would cancel the click's navigation.
    if (!leaving.current && `${window.location.pathname}${window.location.search}` !== url) window.history.replaceState(null, '', url);
    if (keepPreloaded.current) {
      keepPreloaded.current = false;
      return;
    }
    generation.current++;
    inflight.current.clear();
    setPages(new Map());
    setTotal(null);
    setError(null);
    scrollRef.current?.scrollTo({ top: 0 });
  }, [filters]);

  // A new search or filter: the selection was of the previous result set.
  const matchKey = JSON.stringify(matchQuery(filters));
  const lastMatchKey = useRef(matchKey);
  useEffect(() => {
    if (lastMatchKey.current === matchKey) return;
    lastMatchKey.current = matchKey;
    setSelected(new Set());
    setAllMatching(false);
  }, [matchKey]);

  // The filters of the current render: a loadPage kept by a timer from an older render (the live
  // refresh below) must not fetch the previous search into the new result set.
  const currentFilters = useRef(filters);
  currentFilters.current = filters;
  const loadPage = useCallback(
    async (index: number, force = false) => {
      if (currentFilters.current !== filters) return;
      if (inflight.current.has(index) && !force) return;
      inflight.current.add(index);
      const gen = generation.current;
      try {
        const page = await apiFetch<JobPage>(jobsApiUrl(filters, index * PAGE, PAGE));
        if (gen !== generation.current) return;
        setTotal(page.total);
        setPages((prev) => {
          const next = new Map(prev);
          next.set(index, page.jobs);
          return next;
        });
        setError(null);
      } catch (e) {
        if (gen === generation.current) setError(e instanceof ApiRequestError ? e : new ApiRequestError(String(e), 0));
      } finally {
        if (gen === generation.current) inflight.current.delete(index);
      }
    },
    [filters],
  );

  const count = total ?? 0;
  useScrolledBeforeHydration(scrollRef);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // the server's HTML (and the hydrating render, before the scroller is measured) shows this much
    initialRect: { width: 1200, height: 640 },
  });
  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items[items.length - 1]?.index ?? 0;

  // First page of a new result set; then every page that scrolls into view.
  useEffect(() => {
    if (total === null) void loadPage(0);
  }, [total, loadPage]);
  useEffect(() => {
    if (total === null) return;
    for (let p = Math.floor(firstIndex / PAGE); p <= Math.floor(lastIndex / PAGE); p++) {
      if (!pages.has(p)) void loadPage(p);
    }
  }, [firstIndex, lastIndex, total, pages, loadPage]);

  // Live: refetch the pages in view when jobs change or runs move (coalesced, 1.5 s).
  const visiblePages = useRef<number[]>([]);
  visiblePages.current = total === null ? [] : range(Math.floor(firstIndex / PAGE), Math.floor(lastIndex / PAGE));
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestLoadPage = useRef(loadPage);
  latestLoadPage.current = loadPage;
  const refreshVisible = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      const wanted = visiblePages.current.length ? visiblePages.current : [0];
      for (const p of wanted) void latestLoadPage.current(p, true);
    }, 1500);
  }, []);
  useEffect(() => () => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
  }, []);
  useEventStream(
    useCallback((e: UiEvent) => {
      if (e.type === 'job' || e.type === 'run') refreshVisible();
    }, [refreshVisible]),
    refreshVisible,
    useCallback(() => {
      // the first page came with the HTML: catch up on changes made before the stream was open
      if (!catchUp.current) return;
      catchUp.current = false;
      refreshVisible();
    }, [refreshVisible]),
  );

  const rowAt = (i: number): JobRow | undefined => pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  const loadedRows = useMemo(() => [...pages.values()].flat(), [pages]);
  const filtered = FILTER_KEYS.some((k) => k !== 'sort' && k !== 'dir' && filters[k] !== DEFAULTS[k]);

  const setFilter = (k: keyof Filters, v: string) => setFilters((f) => (f[k] === v ? f : { ...f, [k]: v }));
  const sortBy = (key: string) =>
    setFilters((f) => ({ ...f, sort: key, dir: f.sort === key && f.dir === 'asc' ? 'desc' : 'asc' }));
  const isSelected = (name: string) => allMatching || selected.has(name);
  const toggle = (name: string) => {
    if (allMatching) {
      // Leaving "all matching": keep the loaded rows but this one (as Gmail does).
      setAllMatching(false);
      setSelected(new Set(loadedRows.map((r) => r.name).filter((n) => n !== name)));
      return;
    }
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(name)) n.delete(name);
      else n.add(name);
      return n;
    });
  };
  const allLoadedSelected = allMatching || (loadedRows.length > 0 && loadedRows.every((r) => selected.has(r.name)));
  const someSelected = !allLoadedSelected && loadedRows.some((r) => selected.has(r.name));
  const headerBox = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (headerBox.current) headerBox.current.indeterminate = someSelected;
  }, [someSelected]);
  const selectedCount = allMatching ? count : selected.size;
  const matchWords = describeMatch(filters);
  const clearSelection = () => {
    setSelected(new Set());
    setAllMatching(false);
  };

  const openBulk = (action: BulkAction) =>
    setBulk(allMatching ? { action, all: true, query: matchQuery(filters), count, words: matchWords } : { action, all: false, names: [...selected] });
  const runBulk = async (scope: BulkScope) => {
    const { action } = scope;
    const body = scope.all ? { action, query: scope.query, expect: scope.count } : { action, names: scope.names };
    const result = await apiSend<BulkResult>('POST', '/api/jobs/bulk', body);
    setBulkResult({ action, result });
    setAllMatching(false);
    setSelected(new Set(result.failed.map((f) => f.name)));
    for (const p of visiblePages.current) void loadPage(p, true);
    if (action === 'delete' || scope.all) setFilters((f) => ({ ...f }));
  };

  const focusRow = (i: number) => {
    if (i < 0 || i >= count) return;
    virtualizer.scrollToIndex(i, { align: 'auto' });
    requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-row-index="${i}"]`)?.focus());
  };

  return (
    <div
      onClickCapture={(e) => {
        if (e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && (e.target as HTMLElement).closest('a[href]')) leaving.current = true;
      }}
    >
      <PageHeader
        title="Jobs"
        subtitle={total === null ? 'Loading…' : `${formatCount(total)} job${total === 1 ? '' : 's'}${filtered ? ' match' : ''}`}
        actions={
          <Link href="/jobs/new" className="btn btn-primary">
            New job
          </Link>
        }
      />

      <form role="search" className="mb-3 flex flex-wrap items-end gap-2" onSubmit={(e) => e.preventDefault()}>
        <div className="min-w-[16rem] flex-1">
          <label htmlFor="job-search" className="label">
            Search <kbd className="kbd ml-1">/</kbd>
          </label>
          <input
            id="job-search"
            data-search-input
            type="search"
            className="input"
            placeholder="Name, command, owner, description…"
            value={qInput}
            onChange={(e) => setQInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                focusRow(0);
              }
            }}
          />
        </div>
        <Select label="Status" value={filters.status} onChange={(v) => setFilter('status', v)} options={[['', 'Any'], ['success', 'Success'], ['failure', 'Failure'], ['fresh', 'Fresh']]} />
        <Select label="State" value={filters.state} onChange={(v) => setFilter('state', v)} options={[['', 'Any'], ['running', 'Running'], ['queued', 'Queued'], ['idle', 'Idle']]} />
        <Select label="Kind" value={filters.kind} onChange={(v) => setFilter('kind', v)} options={[['', 'Any'], ['scheduled', 'Scheduled'], ['dependent', 'Dependent']]} />
        <Select label="Enabled" value={filters.disabled} onChange={(v) => setFilter('disabled', v)} options={[['', 'Any'], ['false', 'Enabled'], ['true', 'Disabled']]} />
        <Select
          label="Sort"
          value={filters.sort}
          onChange={(v) => setFilter('sort', v)}
          options={[['name', 'Name'], ['nextRun', 'Next run'], ['status', 'Status'], ['lastSuccess', 'Last success'], ['lastError', 'Last error']]}
        />
        <button
          type="button"
          className="btn"
          aria-label={`Sort direction: ${filters.dir === 'asc' ? 'ascending' : 'descending'}`}
          onClick={() => setFilter('dir', filters.dir === 'asc' ? 'desc' : 'asc')}
        >
          {filters.dir === 'asc' ? '↑ asc' : '↓ desc'}
        </button>
        <div className="w-40">
          <label htmlFor="owner-filter" className="label">
            Owner
          </label>
          <input id="owner-filter" className="input" value={filters.owner} onChange={(e) => setFilter('owner', e.target.value)} placeholder="any" />
        </div>
        {filtered ? (
          <button
            type="button"
            className="btn"
            onClick={() => {
              setQInput('');
              setFilters({ ...DEFAULTS, sort: filters.sort, dir: filters.dir });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>

      {selectedCount > 0 ? (
        <div role="toolbar" aria-label="Bulk actions" className="mb-3 flex flex-wrap items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm dark:border-sky-900 dark:bg-sky-950/40">
          <span className="font-medium" data-testid="selection-summary">
            {allMatching
              ? `All ${formatCount(count)} job${count === 1 ? '' : 's'}${matchWords ? ' matching this search' : ''} selected`
              : `${formatCount(selected.size)} selected`}
          </span>
          <button type="button" className="btn btn-sm" onClick={() => openBulk('run')}>
            Run now
          </button>
          <button type="button" className="btn btn-sm" onClick={() => openBulk('disable')}>
            Disable
          </button>
          <button type="button" className="btn btn-sm" onClick={() => openBulk('enable')}>
            Enable
          </button>
          <button type="button" className="btn btn-sm btn-danger" onClick={() => openBulk('delete')}>
            Delete
          </button>
          <button type="button" className="btn btn-sm ml-auto" onClick={clearSelection}>
            Clear selection
          </button>
          {!allMatching && allLoadedSelected && count > loadedRows.length ? (
            <p className="w-full text-sm">
              The {formatCount(loadedRows.length)} loaded job{loadedRows.length === 1 ? ' is' : 's are'} selected.{' '}
              <button type="button" className="link font-medium" onClick={() => setAllMatching(true)}>
                Select all {formatCount(count)} jobs{matchWords ? ' matching this search' : ''}
              </button>
            </p>
          ) : null}
        </div>
      ) : null}
      {bulkResult ? (
        <div role="status" className="mb-3 rounded-md border border-gray-200 px-3 py-2 text-sm dark:border-gray-800">
          {bulkVerb(bulkResult.action)}: {bulkResult.result.ok.length} ok
          {bulkResult.result.failed.length ? (
            <>
              , {bulkResult.result.failed.length} failed:
              <ul className="mt-1 list-disc pl-5 text-red-700 dark:text-red-400">
                {bulkResult.result.failed.slice(0, 10).map((f) => (
                  <li key={f.name}>
                    {f.name}: {f.error}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <button type="button" className="link ml-2 text-xs" onClick={() => setBulkResult(null)}>
            Dismiss
          </button>
        </div>
      ) : null}

      <ErrorMessage error={error} retry={() => void loadPage(Math.floor(firstIndex / PAGE), true)} className="mb-3" />

      {total === 0 ? (
        filtered ? (
          <EmptyState title="No job matches these filters" action={<button type="button" className="btn" onClick={() => { setQInput(''); setFilters(DEFAULTS); }}>Clear filters</button>} />
        ) : (
          <EmptyState title="No jobs yet" action={<Link href="/jobs/new" className="btn btn-primary">Create your first job</Link>}>
            Jobs created through the form or the Chronos API (<code>POST /v1/scheduler/iso8601</code>) appear here.
          </EmptyState>
        )
      ) : (
        <div role="table" aria-label="Jobs" aria-rowcount={count + 1} className="overflow-hidden rounded-lg border border-gray-200 bg-white dark:border-gray-800 dark:bg-gray-900">
          <div role="rowgroup">
            <div role="row" aria-rowindex={1} className="grid items-center gap-3 border-b border-gray-200 bg-gray-50 px-3 py-2 dark:border-gray-800 dark:bg-gray-900" style={{ gridTemplateColumns: COLUMNS }}>
              <span role="columnheader">
                <input
                  ref={headerBox}
                  type="checkbox"
                  aria-label="Select all loaded jobs"
                  checked={allLoadedSelected}
                  onChange={() => {
                    if (allLoadedSelected) clearSelection();
                    else setSelected(new Set(loadedRows.map((r) => r.name)));
                  }}
                />
              </span>
              <SortHeader label="Job" k="name" filters={filters} onSort={sortBy} />
              <SortHeader label="Status" k="status" filters={filters} onSort={sortBy} />
              <span role="columnheader" className="table-head">
                State
              </span>
              <SortHeader label="Next run" k="nextRun" filters={filters} onSort={sortBy} />
              <span role="columnheader" className="table-head">
                Schedule / parents
              </span>
              <span role="columnheader" className="table-head">
                Owner
              </span>
              <span role="columnheader" className="table-head text-right">
                OK / err
              </span>
            </div>
          </div>
          <div ref={scrollRef} role="rowgroup" className="relative overflow-auto" style={{ height: `min(max(20rem, calc(100vh - 20rem)), ${Math.max(count, 1) * ROW_HEIGHT}px)` }}>
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((v) => {
                const row = rowAt(v.index);
                return (
                  <div
                    key={v.key}
                    role="row"
                    aria-rowindex={v.index + 2}
                    data-row-index={v.index}
                    tabIndex={row ? 0 : -1}
                    aria-selected={row ? isSelected(row.name) : undefined}
                    onKeyDown={(e) => {
                      if (e.target !== e.currentTarget) return;
                      if (e.key === 'Enter' && row) {
                        leaving.current = true;
                        router.push(`/jobs/${encodeURIComponent(row.name)}`);
                      }
                      else if (e.key === 'ArrowDown') {
                        e.preventDefault();
                        focusRow(v.index + 1);
                      } else if (e.key === 'ArrowUp') {
                        e.preventDefault();
                        if (v.index === 0) document.getElementById('job-search')?.focus();
                        else focusRow(v.index - 1);
                      } else if (e.key === ' ' && row) {
                        e.preventDefault();
                        toggle(row.name);
                      }
                    }}
                    className={`absolute left-0 grid w-full items-center gap-3 border-b border-gray-100 px-3 text-sm focus:bg-sky-50 dark:border-gray-800 dark:focus:bg-sky-950/40 ${row && isSelected(row.name) ? 'bg-sky-50/70 dark:bg-sky-950/30' : 'hover:bg-gray-50 dark:hover:bg-gray-800/50'}`}
                    style={{ top: 0, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, gridTemplateColumns: COLUMNS }}
                  >
                    {row ? <Row row={row} checked={isSelected(row.name)} onToggle={() => toggle(row.name)} /> : <SkeletonRow />}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}

      <ConfirmDialog
        open={bulk !== null}
        title={
          bulk
            ? bulk.all
              ? `${bulkVerb(bulk.action)} all ${formatCount(bulk.count)} job${bulk.count === 1 ? '' : 's'}${bulk.words ? ' matching this search' : ''}?`
              : `${bulkVerb(bulk.action)} ${bulk.names.length} job${bulk.names.length === 1 ? '' : 's'}?`
            : ''
        }
        confirmLabel={bulk ? bulkVerb(bulk.action) : 'Confirm'}
        danger={bulk?.action === 'delete' || bulk?.action === 'disable'}
        onConfirm={() => (bulk ? runBulk(bulk) : undefined)}
        onClose={() => setBulk(null)}
      >
        {bulk?.action === 'delete' ? (
          <p>
            The jobs and their schedules are deleted and running tasks are killed. Their dependents are re-parented to the deleted jobs' parents, or become scheduled jobs with a deleted job's
            schedule.
          </p>
        ) : bulk?.action === 'run' ? (
          <p>Each job is queued to run once now, in addition to its schedule.</p>
        ) : bulk?.action === 'disable' ? (
          <p>Disabled jobs are not scheduled and do not fire as dependents until enabled again.</p>
        ) : (
          <p>The jobs go back on their schedules.</p>
        )}
        {bulk?.all ? (
          <p className="mt-2 text-xs">
            Every job {bulk.words ? <>matching {bulk.words}</> : 'there is'}, including those not loaded in the table. If the number of matching jobs has changed by then, nothing is done.
          </p>
        ) : bulk ? (
          <p className="muted mt-2 truncate text-xs">{bulk.names.slice(0, 12).join(', ')}{bulk.names.length > 12 ? ', …' : ''}</p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

const bulkVerb = (a: BulkAction) => ({ run: 'Run now', disable: 'Disable', enable: 'Enable', delete: 'Delete' })[a];
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);

function Select({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: Array<[string, string]> }) {
  const id = `filter-${label.toLowerCase()}`;
  return (
    <div className="w-32">
      <label htmlFor={id} className="label">
        {label}
      </label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

function SortHeader({ label, k, filters, onSort }: { label: string; k: string; filters: Filters; onSort: (k: string) => void }) {
  const active = filters.sort === k;
  return (
    <span role="columnheader" aria-sort={active ? (filters.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className="table-head">
      <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-gray-900 dark:hover:text-gray-100" onClick={() => onSort(k)}>
        {label}
        <span aria-hidden="true" className={active ? '' : 'opacity-0'}>
          {filters.dir === 'asc' ? '▲' : '▼'}
        </span>
      </button>
    </span>
  );
}

function SkeletonRow() {
  return (
    <>
      <span />
      <span className="h-3 w-40 animate-pulse rounded bg-gray-200 dark:bg-gray-800" />
      <span className="h-3 w-14 animate-pulse rounded bg-gray-200 dark:bg-gray-800" />
    </>
  );
}

function Row({ row, checked, onToggle }: { row: JobRow; checked: boolean; onToggle: () => void }) {
  const viewerZone = useDisplayZone(row.scheduleTimeZone);
  const jobZone = normalizeZone(row.scheduleTimeZone);
  const href = `/jobs/${encodeURIComponent(row.name)}`;
  return (
    <>
      <span role="cell">
        <input type="checkbox" aria-label={`Select ${row.name}`} checked={checked} onChange={onToggle} tabIndex={-1} />
      </span>
      <span role="cell" className="min-w-0">
        <Link href={href} prefetch={false} className={`link block truncate font-medium ${row.disabled ? 'line-through decoration-gray-400' : ''}`} tabIndex={-1}>
          {row.name}
        </Link>
        <span className="muted block truncate font-mono text-xs" title={row.command}>
          {row.disabled ? <span className="mr-1 font-sans font-medium text-gray-600 dark:text-gray-300">disabled ·</span> : null}
          {row.description || row.command}
        </span>
      </span>
      <span role="cell">
        <StatusBadge status={row.status} />
      </span>
      <span role="cell">
        <JobStateBadge state={row.state} />
      </span>
      <span role="cell" className="min-w-0 text-xs leading-tight">
        {row.nextRun === null ? (
          <span className="muted">{row.kind === 'dependent' ? 'after parents' : row.disabled ? 'disabled' : '—'}</span>
        ) : (
          <>
            <Time instant={row.nextRun} zone={row.scheduleTimeZone} relative className="block truncate" />
            {viewerZone !== jobZone ? (
              <span className="muted block truncate">
                job zone: <Time instant={row.nextRun} zone={row.scheduleTimeZone} fixed />
              </span>
            ) : null}
          </>
        )}
      </span>
      <span role="cell" className="min-w-0 truncate font-mono text-xs" title={row.kind === 'dependent' ? row.parents.join(', ') : row.schedule}>
        {row.kind === 'dependent' ? <span className="font-sans">after {row.parents.join(', ')}</span> : row.schedule}
      </span>
      <span role="cell" className="min-w-0 truncate text-xs" title={row.ownerName || row.owner}>
        {row.ownerName || row.owner || <span className="muted">—</span>}
      </span>
      <span role="cell" className="text-right text-xs tabular-nums">
        <span className="text-green-700 dark:text-green-400">{row.successCount}</span>
        <span className="muted"> / </span>
        <span className={row.errorCount ? 'text-red-700 dark:text-red-400' : 'muted'}>{row.errorCount}</span>
      </span>
    </>
  );
}
