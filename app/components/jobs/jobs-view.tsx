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
 *
 * This folder holds the job list, one concept a file:
 *   jobs-view.tsx        this view: filters in the URL, pages of rows, live refresh, selection
 *   jobs-filters.ts      the search, filters and sort as they live in the URL, and the API URL
 *   jobs-filter-bar.tsx  the search box, filters and sort
 *   jobs-table.tsx       the columns: header row and a row's cells
 *   bulk-actions.tsx     bulk actions on the selection: toolbar, confirmation, outcome
 */
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BulkResult, JobPage, JobRow, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend, ApiRequestError } from '../api';
import { EmptyState } from '../empty-state';
import { useEventStream } from '../events';
import { useFormatCount } from '../time';
import { usePreloaded, useScrolledBeforeHydration } from '../preload';
import { ErrorMessage, PageHeader } from '../ui';
import { BulkConfirmDialog, BulkResultNote, BulkToolbar, describeMatch, matchQuery, type BulkAction, type BulkScope } from './bulk-actions';
import { JobsFilterBar } from './jobs-filter-bar';
import { DEFAULTS, FILTER_KEYS, filtersFrom, JOBS_PAGE, jobsApiUrl, type JobFilters } from './jobs-filters';
import { COLUMNS, JobRowCells, JobsHeaderRow, ROW_HEIGHT, SkeletonRow } from './jobs-table';

const PAGE = JOBS_PAGE;
type Filters = JobFilters;

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
          <>
            <Link href="/jobs/deleted" className="btn">
              Deleted jobs
            </Link>
            <Link href="/jobs/new" className="btn btn-primary">
              New job
            </Link>
          </>
        }
      />

      <JobsFilterBar
        qInput={qInput}
        onQInput={setQInput}
        filters={filters}
        setFilter={setFilter}
        filtered={filtered}
        onClear={() => {
          setQInput('');
          setFilters({ ...DEFAULTS, sort: filters.sort, dir: filters.dir });
        }}
        onArrowDown={() => focusRow(0)}
      />

      {selectedCount > 0 ? (
        <BulkToolbar
          allMatching={allMatching}
          count={count}
          selectedCount={selectedCount}
          loadedCount={loadedRows.length}
          allLoadedSelected={allLoadedSelected}
          matchWords={matchWords}
          formatCount={formatCount}
          onAction={openBulk}
          onClear={clearSelection}
          onSelectAllMatching={() => setAllMatching(true)}
        />
      ) : null}
      {bulkResult ? <BulkResultNote action={bulkResult.action} result={bulkResult.result} onDismiss={() => setBulkResult(null)} /> : null}

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
            <JobsHeaderRow
              headerBox={headerBox}
              allLoadedSelected={allLoadedSelected}
              onToggleAll={() => {
                if (allLoadedSelected) clearSelection();
                else setSelected(new Set(loadedRows.map((r) => r.name)));
              }}
              filters={filters}
              onSort={sortBy}
            />
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
                    {row ? <JobRowCells row={row} checked={isSelected(row.name)} onToggle={() => toggle(row.name)} /> : <SkeletonRow />}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}

      <BulkConfirmDialog bulk={bulk} formatCount={formatCount} onConfirm={runBulk} onClose={() => setBulk(null)} />
    </div>
  );
}

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
