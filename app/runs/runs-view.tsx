'use client';
/**
 * /runs: every run, filtered by job, state and time window (all in the URL, so a view can be
 * bookmarked), as a timeline (Gantt) of the window and a newest-first table with cursor paging.
 * Both stay live: run events from /api/events update rows in place and add new ones.
 *
 * The window filters runs by due instant (as GET /api/runs does); the timeline reads GET
 * /api/runs/timeline, which also reads runs due a few hours before the window that were still
 * going in it, so a long run that started earlier still shows its tail. The first page of each
 * comes with the HTML (app/runs/page.tsx); changing a filter changes the URL only (no server
 * render) and the view reads the new runs.
 *
 * The page's parts, one concept a file (this folder):
 *   runs-view.tsx          this view: filters from the URL, the window, the table's runs, live
 *   runs-query.ts          the filters as they live in the URL, the window, the /api/… URLs
 *   runs-filter-form.tsx   the job, state and window filters
 *   runs-timeline.tsx      the timeline section (Gantt of the window), live
 *   runs-table.tsx         the table of runs, newest first, with older pages on demand
 *   run-list.ts            which runs the filters admit; live and fresh runs merged into a list
 */
import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunPage, RunTimelinePage, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch } from '@/app/components/api';
import { useEventStream } from '@/app/components/events';
import { usePreloaded, whenIdle } from '@/app/components/preload';
import { useDisplayZone, useInitialNow, useNow } from '@/app/components/time';
import { PageHeader } from '@/app/components/ui';
import type { Window } from '@/app/components/timeline/model';
import { matches, merge, upsert } from './run-list';
import { RunsFilterForm } from './runs-filter-form';
import { RunsTable, type RunsTableState } from './runs-table';
import { TimelineSection } from './runs-timeline';
import { fetchWindowOf, isRolling, readFilters, tableUrl, TIMELINE_FIRST_PAGE, timelineUrl } from './runs-query';

export function RunsView() {
  const params = useSearchParams();
  const pathname = usePathname();
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString())), [params]);
  const zone = useDisplayZone();
  const now = useNow(5_000);

  const setParams = useCallback(
    (patch: Record<string, string | null>) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(patch)) {
        if (v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      const qs = next.toString();
      // The URL only (useSearchParams follows it): the view reads the new runs itself, the server
      // does not render the page again.
      window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
    },
    [params, pathname],
  );

  // The window: a fixed one (tonight, custom) or a rolling one whose end follows the clock. The
  // anchor is when the preset was chosen: the fetch is keyed on it, the display rolls with `now`.
  // Only "tonight" and "last night" depend on the zone (the server renders in UTC, the browser may
  // show another zone right after hydrating: a rolling window stays put).
  const rolling = isRolling(filters);
  const zoned = filters.preset === 'tonight' || filters.preset === 'lastnight';
  const anchorKey = `${filters.preset}|${filters.from}|${filters.to}|${zoned ? zone : ''}`;
  const firstRenderAt = useInitialNow();
  const [anchorState, setAnchorState] = useState(() => ({ key: anchorKey, at: firstRenderAt }));
  if (anchorState.key !== anchorKey) setAnchorState({ key: anchorKey, at: Date.now() });
  const anchor = anchorState.at;
  const fetchWindow: Window = useMemo(() => fetchWindowOf(filters, anchor, zone), [filters, anchor, zone]);
  const shownWindow: Window = useMemo(
    () => (rolling ? { from: fetchWindow.from + (now - anchor > 0 ? now - anchor : 0), to: Math.max(fetchWindow.to, now) } : fetchWindow),
    [rolling, fetchWindow, now, anchor],
  );

  const filterKey = `${filters.job}|${filters.state}|${fetchWindow.from}|${fetchWindow.to}`;
  // The first answers come with the HTML (app/runs/page.tsx reads them for the URL's filters): the
  // table's first page and the timeline's.
  const preloadedTable = usePreloaded<RunPage>(tableUrl(filters, fetchWindow));
  const preloadedTimeline = usePreloaded<RunTimelinePage>(timelineUrl(filters, fetchWindow, TIMELINE_FIRST_PAGE));

  // ---- Table: newest first, cursor pages appended by "Load more".
  const [table, setTable] = useState<RunsTableState>(() =>
    preloadedTable
      ? { key: filterKey, runs: preloadedTable.runs, cursor: preloadedTable.nextCursor, loading: false, error: null }
      : { key: '', runs: [], cursor: null, loading: true, error: null },
  );
  const tableFromServer = useRef(preloadedTable ? filterKey : null);
  const [tableReload, setTableReload] = useState(0);
  const tableQuery = useCallback((cursor: string | null) => tableUrl(filters, fetchWindow, cursor), [filters, fetchWindow]);
  useEffect(() => {
    const fromServer = tableFromServer.current === filterKey;
    tableFromServer.current = null;
    if (fromServer) return; // the first page came with the HTML
    const ctl = new AbortController();
    setTable({ key: filterKey, runs: [], cursor: null, loading: true, error: null });
    apiFetch<RunPage>(tableQuery(null), { signal: ctl.signal }).then(
      (p) => setTable({ key: filterKey, runs: p.runs, cursor: p.nextCursor, loading: false, error: null }),
      (e: Error) => {
        if (!ctl.signal.aborted) setTable({ key: filterKey, runs: [], cursor: null, loading: false, error: e.message });
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, tableReload]);
  const loadMore = async () => {
    if (!table.cursor) return;
    setTable((t) => ({ ...t, loading: true, error: null }));
    try {
      const p = await apiFetch<RunPage>(tableQuery(table.cursor));
      setTable((t) => {
        const seen = new Set(t.runs.map((r) => r.id));
        return { ...t, runs: [...t.runs, ...p.runs.filter((r) => !seen.has(r.id))], cursor: p.nextCursor, loading: false };
      });
    } catch (e) {
      setTable((t) => ({ ...t, loading: false, error: (e as Error).message }));
    }
  };

  // ---- Live: run events update the table; a reconnect reloads it (events may have been missed).
  const filtersRef = useRef({ filters, fetchWindow, rolling, tableFirstUrl: tableQuery(null), filterKey });
  filtersRef.current = { filters, fetchWindow, rolling, tableFirstUrl: tableQuery(null), filterKey };
  /** Set while the first page is the server's: the stream's first open re-reads it. */
  const catchUp = useRef(preloadedTable !== undefined);
  useEventStream(
    useCallback((e: UiEvent) => {
      if (e.type !== 'run') return;
      const { filters: f, fetchWindow: w, rolling: r } = filtersRef.current;
      const run = e.run;
      setTable((t) => ({ ...t, runs: upsert(t.runs, run, matches(run, f) && run.due >= w.from && (r || run.due < w.to)) }));
    }, []),
    useCallback(() => setTableReload((n) => n + 1), []),
    useCallback(() => {
      // The first page came with the HTML: what changed before the stream was open (runs that
      // ended, new ones) is on it; read it again once the page has loaded, and merge.
      if (!catchUp.current) return;
      catchUp.current = false;
      whenIdle(() => {
        const { tableFirstUrl: url, filterKey: key } = filtersRef.current;
        void apiFetch<RunPage>(url).then(
          (p) => setTable((t) => (t.key === key ? { ...t, runs: merge(t.runs, p.runs) } : t)),
          () => {},
        );
      });
    }, []),
  );

  const anyFilter = !!(filters.job || filters.state);

  return (
    <div>
      <PageHeader
        title="Runs"
        subtitle={
          <>
            Every run of every job: when it was due, where it ran and how it ended. Times in <strong>{zone}</strong> (change it with the
            time-zone control).
          </>
        }
      />

      <RunsFilterForm filters={filters} shownWindow={shownWindow} zone={zone} setParams={setParams} />

      <TimelineSection
        first={preloadedTimeline}
        filters={filters}
        filterKey={filterKey}
        fetchWindow={fetchWindow}
        shownWindow={shownWindow}
        rolling={rolling}
        now={now}
        zone={zone}
        setParams={setParams}
      />

      <RunsTable table={table} anyFilter={anyFilter} now={now} onRetry={() => setTableReload((n) => n + 1)} onLoadMore={loadMore} />
    </div>
  );
}
