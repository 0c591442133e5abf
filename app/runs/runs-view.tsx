'use client';
/**
 * /runs: every run, filtered by job, state and time window (all in the URL, so a view can be
 * bookmarked), as a timeline (Gantt) of the window and a newest-first table with cursor paging.
 * Both stay live: run events from /api/events update rows in place and add new ones.
 *
 * The window filters runs by due instant (as GET /api/runs does); the timeline also asks for a
 * few hours before the window so a long run that started earlier still shows its tail.
 */
import { DateTime } from 'luxon';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { RunPage, RunRow, UiEvent } from '@/scheduler/api/ui-types';
import type { RunState } from '@/scheduler/core/types';
import { apiFetch } from '@/app/components/api';
import { RunStateBadge } from '@/app/components/badges';
import { EmptyState } from '@/app/components/empty-state';
import { useEventStream } from '@/app/components/events';
import { formatDuration, formatInstant, Time, useDisplayZone, useNow } from '@/app/components/time';
import { ErrorMessage, Loading, PageHeader, Section } from '@/app/components/ui';
import { Gantt } from '@/app/components/timeline/gantt';
import { overlaps, PRESETS, presetWindow, type PresetId, type RowMode, type Window } from '@/app/components/timeline/model';

const STATES: readonly RunState[] = ['QUEUED', 'STAGING', 'STARTING', 'RUNNING', 'KILLING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'ERROR', 'DROPPED', 'SKIPPED'];
/** Groups offered in the state filter (the API takes a comma-separated list). */
const STATE_GROUPS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'QUEUED,STAGING,STARTING,RUNNING,KILLING', label: 'active (queued or running)' },
  { value: 'FAILED,ERROR,LOST', label: 'any failure (failed, error, lost)' },
];
const ROLLING = new Set<PresetId>(['1h', '6h', '24h', '7d']);
const LOOKBACK_MS = 6 * 3_600_000;
const PAGE = 50;
const noopSubscribe = () => () => {};
/** Runs per request while loading the timeline: a small first page (bars show at once), then the API's most. */
const TIMELINE_FIRST_PAGE = 1000;
const TIMELINE_PAGE = 10_000;
/** While pages arrive, the chart is redrawn at most this often (each redraw re-renders the page). */
const TIMELINE_REDRAW_MS = 500;
const TIMELINE_CAP = 20_000;

interface Filters {
  job: string;
  /** "" (all), one RunState or a comma-separated list. */
  state: string;
  preset: PresetId | 'custom';
  from: number | null;
  to: number | null;
  rows: RowMode;
}

function readFilters(p: URLSearchParams): Filters {
  const preset = p.get('window');
  const from = Number(p.get('from'));
  const to = Number(p.get('to'));
  const custom = preset === 'custom' && Number.isFinite(from) && Number.isFinite(to) && from > 0 && to > from;
  const state = p.get('state') ?? '';
  return {
    job: p.get('job') ?? '',
    state: state.split(',').every((x) => (STATES as readonly string[]).includes(x)) ? state : '',
    preset: custom ? 'custom' : PRESETS.some((x) => x.id === preset) ? (preset as PresetId) : '24h',
    from: custom ? from : null,
    to: custom ? to : null,
    rows: p.get('rows') === 'run' ? 'run' : 'job',
  };
}

function runsUrl(f: { job: string; state: string; from?: number; to?: number; limit: number; cursor?: string | null }): string {
  const q = new URLSearchParams();
  if (f.job) q.set('job', f.job);
  if (f.state) q.set('state', f.state);
  if (f.from !== undefined) q.set('from', String(Math.floor(f.from)));
  if (f.to !== undefined) q.set('to', String(Math.ceil(f.to)));
  q.set('limit', String(f.limit));
  if (f.cursor) q.set('cursor', f.cursor);
  return `/api/runs?${q}`;
}

function matches(run: RunRow, f: Filters): boolean {
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

export function RunsView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo(() => readFilters(new URLSearchParams(params.toString())), [params]);
  const zone = useDisplayZone();
  const now = useNow(5_000);
  const mounted = useSyncExternalStore(noopSubscribe, () => true, () => false);

  const setParams = useCallback(
    (patch: Record<string, string | null>) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(patch)) {
        if (v === null || v === '') next.delete(k);
        else next.set(k, v);
      }
      const qs = next.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [params, pathname, router],
  );

  // The window: a fixed one (tonight, custom) or a rolling one whose end follows the clock. The
  // anchor is when the preset was chosen: the fetch is keyed on it, the display rolls with `now`.
  const anchorKey = `${filters.preset}|${filters.from}|${filters.to}|${zone}`;
  const [anchorState, setAnchorState] = useState(() => ({ key: anchorKey, at: Date.now() }));
  if (anchorState.key !== anchorKey) setAnchorState({ key: anchorKey, at: Date.now() });
  const anchor = anchorState.at;
  const rolling = filters.preset !== 'custom' && ROLLING.has(filters.preset);
  const fetchWindow: Window = useMemo(() => {
    if (filters.preset === 'custom') return { from: filters.from!, to: filters.to! };
    return presetWindow(filters.preset, anchor, zone);
  }, [filters.preset, filters.from, filters.to, anchor, zone]);
  const shownWindow: Window = useMemo(
    () => (rolling ? { from: fetchWindow.from + (now - anchor > 0 ? now - anchor : 0), to: Math.max(fetchWindow.to, now) } : fetchWindow),
    [rolling, fetchWindow, now, anchor],
  );

  const filterKey = `${filters.job}|${filters.state}|${fetchWindow.from}|${fetchWindow.to}`;

  // ---- Timeline: every run in the window (paged through), live.
  const [timeline, setTimeline] = useState<{ key: string; runs: RunRow[]; done: boolean; capped: boolean; error: string | null }>({
    key: '',
    runs: [],
    done: false,
    capped: false,
    error: null,
  });
  const [timelineReload, setTimelineReload] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    const key = filterKey;
    setTimeline({ key, runs: [], done: false, capped: false, error: null });
    (async () => {
      let cursor: string | null = null;
      const all: RunRow[] = [];
      let drawn = 0;
      try {
        do {
          const page: RunPage = await apiFetch<RunPage>(
            runsUrl({
              job: filters.job,
              state: filters.state,
              from: fetchWindow.from - LOOKBACK_MS,
              to: rolling ? undefined : fetchWindow.to,
              limit: all.length === 0 ? TIMELINE_FIRST_PAGE : TIMELINE_PAGE,
              cursor,
            }),
            { signal: ctl.signal },
          );
          all.push(...page.runs);
          cursor = page.nextCursor;
          // the first page at once, then at most one redraw per TIMELINE_REDRAW_MS; the last below
          if (!ctl.signal.aborted && cursor !== null && (drawn === 0 || Date.now() - drawn >= TIMELINE_REDRAW_MS)) {
            drawn = Date.now();
            setTimeline({ key, runs: all.slice(), done: false, capped: false, error: null });
          }
        } while (cursor && all.length < TIMELINE_CAP && !ctl.signal.aborted);
        if (!ctl.signal.aborted) setTimeline({ key, runs: all, done: true, capped: cursor !== null, error: null });
      } catch (e) {
        if (ctl.signal.aborted) return;
        setTimeline({ key, runs: all, done: true, capped: false, error: (e as Error).message });
      }
    })();
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, timelineReload]);

  // ---- Table: newest first, cursor pages appended by "Load more".
  const [table, setTable] = useState<{ key: string; runs: RunRow[]; cursor: string | null; loading: boolean; error: string | null }>({
    key: '',
    runs: [],
    cursor: null,
    loading: true,
    error: null,
  });
  const [tableReload, setTableReload] = useState(0);
  const tableQuery = useCallback(
    (cursor: string | null) =>
      runsUrl({ job: filters.job, state: filters.state, from: fetchWindow.from, to: rolling ? undefined : fetchWindow.to, limit: PAGE, cursor }),
    [filters.job, filters.state, fetchWindow, rolling],
  );
  useEffect(() => {
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

  // ---- Live: run events update both views; a reconnect reloads them (events may have been missed).
  const filtersRef = useRef({ filters, fetchWindow, rolling });
  filtersRef.current = { filters, fetchWindow, rolling };
  useEventStream(
    useCallback((e: UiEvent) => {
      if (e.type !== 'run') return;
      const { filters: f, fetchWindow: w, rolling: r } = filtersRef.current;
      const run = e.run;
      const fits = matches(run, f);
      const inWindow = run.due >= w.from && (r || run.due < w.to);
      setTimeline((t) => ({ ...t, runs: upsert(t.runs, run, fits && (r || run.due < w.to) && run.due >= w.from - LOOKBACK_MS) }));
      setTable((t) => ({ ...t, runs: upsert(t.runs, run, fits && inWindow) }));
    }, []),
    useCallback(() => {
      setTimelineReload((n) => n + 1);
      setTableReload((n) => n + 1);
    }, []),
  );

  const timelineRuns = useMemo(() => timeline.runs.filter((r) => overlaps(r, shownWindow, now)), [timeline.runs, shownWindow, now]);

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

  // Everything below depends on the clock and the browser's zone: render it after hydration only.
  if (!mounted) return <Loading label="Loading runs…" />;

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

      <Section
        title="Timeline"
        className="mb-4"
        actions={
          <div className="flex items-center gap-2 text-xs">
            <span className="muted" aria-live="polite">
              {timeline.done
                ? `${timelineRuns.length.toLocaleString()} ${timelineRuns.length === 1 ? 'run' : 'runs'} in the window`
                : `loading… ${timeline.runs.length.toLocaleString()} runs`}
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
        <ErrorMessage className="mb-2" error={timeline.error ? `Could not load the timeline: ${timeline.error}` : null} retry={() => setTimelineReload((n) => n + 1)} />
        {timeline.capped ? (
          <p className="mb-2 text-xs text-amber-700 dark:text-amber-400">
            Showing the first {TIMELINE_CAP.toLocaleString()} runs of this window; narrow the window or filter by job to see all.
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
            {anyFilter
              ? 'No run matches these filters between '
              : 'Nothing ran between '}
            {formatInstant(shownWindow.from, zone)} and {formatInstant(shownWindow.to, zone)}. Runs appear here as soon as a job is due
            or started by hand (Run now on a job&apos;s page); each becomes a bar from its start to its end.
          </EmptyState>
        ) : (
          <Gantt
            runs={timelineRuns}
            window={shownWindow}
            zone={zone}
            now={now}
            rowMode={filters.rows}
            resetKey={`${filterKey}|${filters.preset}`}
          />
        )}
      </Section>

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
                        <Link className="link" href={`/jobs/${encodeURIComponent(r.jobName)}`}>
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
                <span className="muted text-xs">{table.runs.length === 1 ? 'The only run' : `All ${table.runs.length.toLocaleString()} runs`} in this window shown.</span>
              )}
            </div>
          </>
        )}
      </Section>
    </div>
  );
}
