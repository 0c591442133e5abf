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
 */
import { DateTime } from 'luxon';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { preload } from 'react-dom';
import type { RunPage, RunRow, RunTimelinePage, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch } from '@/app/components/api';
import { RunStateBadge } from '@/app/components/badges';
import { EmptyState } from '@/app/components/empty-state';
import { useEventStream } from '@/app/components/events';
import { usePreloaded, whenIdle } from '@/app/components/preload';
import { formatDuration, formatInstant, Time, useDisplayZone, useFormatCount, useInitialNow, useNow } from '@/app/components/time';
import { ErrorMessage, Loading, PageHeader, Section } from '@/app/components/ui';
import { Gantt } from '@/app/components/timeline/gantt';
import { decodeTimeline, overlaps, PRESETS, type Window } from '@/app/components/timeline/model';
import { fetchWindowOf, isRolling, readFilters, STATES, tableUrl, TIMELINE_CAP, TIMELINE_FIRST_PAGE, timelineUrl, type RunFilters } from './runs-query';

/** Groups offered in the state filter (the API takes a comma-separated list). */
const STATE_GROUPS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'QUEUED,STAGING,STARTING,RUNNING,KILLING', label: 'active (queued or running)' },
  { value: 'FAILED,ERROR,LOST', label: 'any failure (failed, error, lost)' },
];
/** The timeline shows runs due up to this long before its window (the API reads them: TIMELINE_LOOKBACK_MS). */
const LOOKBACK_MS = 6 * 3_600_000;

function matches(run: RunRow, f: RunFilters): boolean {
  return (!f.job || run.jobName === f.job) && (!f.state || f.state.split(',').includes(run.state));
}

/** Replace runs we have by id; add the new ones. */
function upsert(list: RunRow[], run: RunRow, addIfNew: boolean): RunRow[] {
  const i = list.findIndex((r) => r.id === run.id);
  if (i >= 0) {
    const next = list.slice();
    next[i] = run;
    return next;
  }
  return addIfNew ? [run, ...list] : list;
}

/** `fresh` replaces the runs of `list` with the same id; the new ones come first (newest first). */
function merge(list: RunRow[], fresh: RunRow[]): RunRow[] {
  const byId = new Map(fresh.map((r) => [r.id, r]));
  const kept = list.map((r) => {
    const f = byId.get(r.id);
    if (f) byId.delete(r.id);
    return f ?? r;
  });
  return [...byId.values(), ...kept];
}

interface TimelineState {
  key: string;
  runs: RunRow[];
  done: boolean;
  capped: boolean;
  error: string | null;
}

export function RunsView() {
  const params = useSearchParams();
  const pathname = usePathname();
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString())), [params]);
  const zone = useDisplayZone();
  const now = useNow(5_000);
  const formatCount = useFormatCount();

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
  const [table, setTable] = useState<{ key: string; runs: RunRow[]; cursor: string | null; loading: boolean; error: string | null }>(() =>
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

  // ---- Filter form (job applies on submit; the rest at once).
  const [jobText, setJobText] = useState(filters.job);
  useEffect(() => setJobText(filters.job), [filters.job]);
  const onJobSubmit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ job: jobText.trim() || null });
  };
  const toLocalInput = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
  const fromLocalInput = (v: string) => {
    const dt = DateTime.fromISO(v, { zone });
    return dt.isValid ? dt.toMillis() : null;
  };

  const anyFilter = filters.job || filters.state;

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

      <form onSubmit={onJobSubmit} className="card mb-4 flex flex-wrap items-end gap-3" aria-label="Filters">
        <div>
          <label htmlFor="runs-job" className="label">
            Job
          </label>
          <div className="flex gap-1">
            <input
              id="runs-job"
              className="input w-52"
              placeholder="All jobs"
              value={jobText}
              onChange={(e) => setJobText(e.target.value)}
              onBlur={() => jobText.trim() !== filters.job && setParams({ job: jobText.trim() || null })}
            />
            <button type="submit" className="btn">
              Apply
            </button>
          </div>
        </div>
        <div>
          <label htmlFor="runs-state" className="label">
            State
          </label>
          <select id="runs-state" className="input w-40" value={filters.state} onChange={(e) => setParams({ state: e.target.value || null })}>
            <option value="">All states</option>
            {STATE_GROUPS.map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend className="label">Window</legend>
          <div className="flex flex-wrap gap-1" role="group">
            {PRESETS.map((p) => (
              <button
                key={p.id}
                type="button"
                aria-pressed={filters.preset === p.id}
                className={`btn btn-sm ${filters.preset === p.id ? 'btn-primary' : ''}`}
                onClick={() => setParams({ window: p.id, from: null, to: null })}
              >
                {p.label}
              </button>
            ))}
          </div>
        </fieldset>
        <div className="flex items-end gap-1">
          <div>
            <label htmlFor="runs-from" className="label">
              From
            </label>
            <input
              id="runs-from"
              type="datetime-local"
              className="input"
              value={toLocalInput(shownWindow.from)}
              onChange={(e) => {
                const v = fromLocalInput(e.target.value);
                if (v !== null && v < shownWindow.to) setParams({ window: 'custom', from: String(v), to: String(Math.round(shownWindow.to)) });
              }}
            />
          </div>
          <div>
            <label htmlFor="runs-to" className="label">
              To
            </label>
            <input
              id="runs-to"
              type="datetime-local"
              className="input"
              value={toLocalInput(shownWindow.to)}
              onChange={(e) => {
                const v = fromLocalInput(e.target.value);
                if (v !== null && v > shownWindow.from) setParams({ window: 'custom', from: String(Math.round(shownWindow.from)), to: String(v) });
              }}
            />
          </div>
        </div>
        {anyFilter ? (
          <button type="button" className="btn" onClick={() => setParams({ job: null, state: null })}>
            Clear filters
          </button>
        ) : null}
      </form>

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

      <Section title="All runs" actions={<span className="muted text-xs">newest first</span>}>
        <ErrorMessage className="mb-2" error={table.error ? `Could not load runs: ${table.error}` : null} retry={() => setTableReload((n) => n + 1)} />
        {table.loading && table.runs.length === 0 ? (
          <Loading label="Loading runs…" />
        ) : table.runs.length === 0 && !table.error ? (
          <p className="muted py-4 text-sm">
            No runs {anyFilter ? 'match these filters' : 'were due'} in this window. Widen the window above, or start a job from its page.
          </p>
        ) : (
          <>
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <thead>
                  <tr className="table-head border-b border-gray-200 dark:border-gray-800">
                    <th scope="col" className="py-2 pr-3">State</th>
                    <th scope="col" className="py-2 pr-3">Job</th>
                    <th scope="col" className="py-2 pr-3">Due</th>
                    <th scope="col" className="py-2 pr-3">Started</th>
                    <th scope="col" className="py-2 pr-3">Duration</th>
                    <th scope="col" className="py-2 pr-3">Host</th>
                    <th scope="col" className="py-2 pr-3">Trigger</th>
                    <th scope="col" className="py-2">Task id / message</th>
                  </tr>
                </thead>
                <tbody>
                  {table.runs.map((r) => (
                    <tr key={r.id} className="border-b border-gray-100 align-top dark:border-gray-800/70" data-testid="run-row">
                      <td className="py-1.5 pr-3">
                        <RunStateBadge state={r.state} />
                      </td>
                      <td className="py-1.5 pr-3">
                        <Link className="link" prefetch={false} href={`/jobs/${encodeURIComponent(r.jobName)}`}>
                          {r.jobName}
                        </Link>
                      </td>
                      <td className="py-1.5 pr-3 whitespace-nowrap">
                        <Time instant={r.due} />
                      </td>
                      <td className="py-1.5 pr-3 whitespace-nowrap">
                        <Time instant={r.startedAt ?? r.launchedAt} />
                      </td>
                      <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">
                        {r.durationMs !== null
                          ? formatDuration(r.durationMs)
                          : r.finishedAt === null && (r.startedAt ?? r.launchedAt)
                            ? `${formatDuration(now - (r.startedAt ?? r.launchedAt)!)} so far`
                            : '—'}
                      </td>
                      <td className="py-1.5 pr-3">{r.host ?? '—'}</td>
                      <td className="py-1.5 pr-3">{r.trigger}</td>
                      <td className="max-w-md py-1.5">
                        <span className="block truncate font-mono text-xs" title={r.taskId}>
                          {r.taskId}
                        </span>
                        {r.message || r.reason ? (
                          <span className="muted block truncate text-xs" title={[r.reason, r.message].filter(Boolean).join(': ')}>
                            {[r.reason, r.message].filter(Boolean).join(': ')}
                          </span>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="mt-3 flex items-center gap-3">
              {table.cursor ? (
                <button type="button" className="btn" onClick={loadMore} disabled={table.loading}>
                  {table.loading ? 'Loading…' : 'Load older runs'}
                </button>
              ) : (
                <span className="muted text-xs">{table.runs.length === 1 ? 'The only run' : `All ${formatCount(table.runs.length)} runs`} in this window shown.</span>
              )}
            </div>
          </>
        )}
      </Section>
    </div>
  );
}

/** The timeline's second request: the window's runs after its first page. */
const restOfTimelineUrl = (f: RunFilters, w: Window, cursor: string) => timelineUrl(f, w, TIMELINE_CAP - TIMELINE_FIRST_PAGE, cursor);

/**
 * The timeline of the window: every run it shows, live. Its first page comes with the HTML (`first`,
 * bars at once) and the HTML asks for the rest (<link rel=preload>) while the page's JavaScript
 * loads; after a filter changes, a first page and the whole window are asked for together, the
 * whole replacing the first.
 */
function TimelineSection({
  first,
  filters,
  filterKey,
  fetchWindow,
  shownWindow,
  rolling,
  now,
  zone,
  setParams,
}: {
  first: RunTimelinePage | undefined;
  filters: RunFilters;
  filterKey: string;
  fetchWindow: Window;
  shownWindow: Window;
  rolling: boolean;
  now: number;
  zone: string;
  setParams: (patch: Record<string, string | null>) => void;
}) {
  const formatCount = useFormatCount();
  const [timeline, setTimeline] = useState<TimelineState>(() =>
    first
      ? { key: filterKey, runs: decodeTimeline(first), done: first.nextCursor === null, capped: false, error: null }
      : { key: '', runs: [], done: false, capped: false, error: null },
  );
  /** The first page's continuation, for the effect's first run. */
  const resume = useRef(first ? { key: filterKey, cursor: first.nextCursor } : null);
  // asked for by the HTML, taken from there by the effect below
  if (first?.nextCursor) preload(restOfTimelineUrl(filters, fetchWindow, first.nextCursor), { as: 'fetch', crossOrigin: 'anonymous' });
  const [reload, setReload] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    const key = filterKey;
    const rest = resume.current?.key === key ? resume.current : null;
    resume.current = null;
    if (rest) {
      if (rest.cursor === null) return; // the whole window came with the page
      // `accept` as the preload sent it: the browser hands this request the preload's answer
      apiFetch<RunTimelinePage>(restOfTimelineUrl(filters, fetchWindow, rest.cursor), { signal: ctl.signal, headers: { accept: '*/*' } }).then(
        (p) => {
          const more = decodeTimeline(p);
          // thousands of bars: drawn in a transition, so a click or a filter meanwhile goes first
          startTransition(() => setTimeline((t) => {
            if (t.key !== key) return { key, runs: more, done: true, capped: p.nextCursor !== null, error: null };
            const have = new Set(t.runs.map((r) => r.id)); // a live event may have brought one already
            return { key, runs: [...t.runs, ...more.filter((r) => !have.has(r.id))], done: true, capped: p.nextCursor !== null, error: null };
          }));
        },
        (e: Error) => {
          if (!ctl.signal.aborted) setTimeline((t) => ({ ...t, key, done: true, error: e.message }));
        },
      );
      return () => ctl.abort();
    }
    let whole = false;
    setTimeline({ key, runs: [], done: false, capped: false, error: null });
    apiFetch<RunTimelinePage>(timelineUrl(filters, fetchWindow, TIMELINE_FIRST_PAGE), { signal: ctl.signal }).then(
      (p) => {
        if (!whole && !ctl.signal.aborted) setTimeline({ key, runs: decodeTimeline(p), done: p.nextCursor === null, capped: false, error: null });
      },
      () => {}, // the whole window's request says what went wrong
    );
    apiFetch<RunTimelinePage>(timelineUrl(filters, fetchWindow, TIMELINE_CAP), { signal: ctl.signal }).then(
      (p) => {
        whole = true;
        const runs = decodeTimeline(p);
        if (!ctl.signal.aborted) startTransition(() => setTimeline({ key, runs, done: true, capped: p.nextCursor !== null, error: null }));
      },
      (e: Error) => {
        if (!ctl.signal.aborted) setTimeline((t) => ({ key, runs: t.key === key ? t.runs : [], done: true, capped: false, error: e.message }));
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, reload]);

  // ---- Live: run events update the bars; a reconnect reloads the window (events may have been missed).
  const current = useRef({ filters, fetchWindow, rolling, filterKey });
  current.current = { filters, fetchWindow, rolling, filterKey };
  /** Set while the runs are the server's: the stream's first open re-reads the newest of them. */
  const catchUp = useRef(first !== undefined);
  useEventStream(
    useCallback((e: UiEvent) => {
      if (e.type !== 'run') return;
      const { filters: f, fetchWindow: w, rolling: r } = current.current;
      const run = e.run;
      setTimeline((t) => ({ ...t, runs: upsert(t.runs, run, matches(run, f) && (r || run.due < w.to) && run.due >= w.from - LOOKBACK_MS) }));
    }, []),
    useCallback(() => setReload((n) => n + 1), []),
    useCallback(() => {
      // Runs that ended or began before the stream was open are among the newest: once the page
      // has loaded, read those again and merge them in.
      if (!catchUp.current) return;
      catchUp.current = false;
      whenIdle(() => {
        const { filters: f, fetchWindow: w, filterKey: key } = current.current;
        void apiFetch<RunTimelinePage>(timelineUrl(f, w, TIMELINE_FIRST_PAGE)).then(
          (p) => setTimeline((t) => (t.key === key ? { ...t, runs: merge(t.runs, decodeTimeline(p)) } : t)),
          () => {},
        );
      });
    }, []),
  );

  const timelineRuns = useMemo(() => timeline.runs.filter((r) => overlaps(r, shownWindow, now)), [timeline.runs, shownWindow, now]);
  const anyFilter = filters.job || filters.state;

  return (
    <Section
      title="Timeline"
      className="mb-4"
      actions={
        <div className="flex items-center gap-2 text-xs">
          <span className="muted" aria-live="polite">
            {timeline.done
              ? `${formatCount(timelineRuns.length)} ${timelineRuns.length === 1 ? 'run' : 'runs'} in the window`
              : `loading… ${formatCount(timeline.runs.length)} runs`}
          </span>
          <div role="group" aria-label="Rows" className="flex gap-1">
            {(['job', 'run'] as const).map((m) => (
              <button
                key={m}
                type="button"
                aria-pressed={filters.rows === m}
                className={`btn btn-sm ${filters.rows === m ? 'btn-primary' : ''}`}
                onClick={() => setParams({ rows: m === 'job' ? null : 'run' })}
              >
                {m === 'job' ? 'Row per job' : 'Row per run'}
              </button>
            ))}
          </div>
        </div>
      }
    >
      <ErrorMessage className="mb-2" error={timeline.error ? `Could not load the timeline: ${timeline.error}` : null} retry={() => setReload((n) => n + 1)} />
      {timeline.capped ? (
        <p className="mb-2 text-xs text-amber-700 dark:text-amber-400">
          Showing the first {formatCount(TIMELINE_CAP)} runs of this window; narrow the window or filter by job to see all.
        </p>
      ) : null}
      {!timeline.done && timeline.runs.length === 0 ? (
        <Loading label="Loading runs for the timeline…" />
      ) : timelineRuns.length === 0 && !timeline.error ? (
        <EmptyState
          title="No runs in this window"
          action={
            <>
              <button type="button" className="btn" onClick={() => setParams({ window: '7d', from: null, to: null })}>
                Show the last 7 days
              </button>
              <Link href="/jobs" className="btn">
                Go to jobs
              </Link>
            </>
          }
        >
          {anyFilter ? 'No run matches these filters between ' : 'Nothing ran between '}
          {formatInstant(shownWindow.from, zone)} and {formatInstant(shownWindow.to, zone)}. Runs appear here as soon as a job is due or started by hand
          (Run now on a job&apos;s page); each becomes a bar from its start to its end.
        </EmptyState>
      ) : (
        <Gantt runs={timelineRuns} window={shownWindow} zone={zone} now={now} rowMode={filters.rows} resetKey={`${filterKey}|${filters.preset}`} />
      )}
    </Section>
  );
}
