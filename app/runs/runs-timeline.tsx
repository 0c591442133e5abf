/**
 * The runs page's timeline section: the window's runs as a Gantt chart, live. Its first page comes
 * with the HTML; the rest of the window follows in one more request, drawn in a transition.
 */
import Link from 'next/link';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { preload } from 'react-dom';
import type { RunRow, RunTimelinePage, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch } from '@/app/components/api';
import { EmptyState } from '@/app/components/empty-state';
import { useEventStream } from '@/app/components/events';
import { whenIdle } from '@/app/components/preload';
import { formatInstant, useFormatCount } from '@/app/components/time';
import { ErrorMessage, Loading, Section } from '@/app/components/ui';
import { Gantt } from '@/app/components/timeline/gantt';
import { decodeTimeline, overlaps, type Window } from '@/app/components/timeline/model';
import { matches, merge, upsert } from './run-list';
import { TIMELINE_CAP, TIMELINE_FIRST_PAGE, timelineUrl, type RunFilters } from './runs-query';

/** The timeline shows runs due up to this long before its window (the API reads them: TIMELINE_LOOKBACK_MS). */
const LOOKBACK_MS = 6 * 3_600_000;

interface TimelineState {
  key: string;
  runs: RunRow[];
  done: boolean;
  capped: boolean;
  error: string | null;
}

/** The timeline's second request: the window's runs after its first page. */
const restOfTimelineUrl = (f: RunFilters, w: Window, cursor: string) => timelineUrl(f, w, TIMELINE_CAP - TIMELINE_FIRST_PAGE, cursor);

/**
 * The timeline of the window: every run it shows, live. Its first page comes with the HTML (`first`,
 * bars at once) and the HTML asks for the rest (<link rel=preload>) while the page's JavaScript
 * loads; after a filter changes, a first page and the whole window are asked for together, the
 * whole replacing the first.
 */
export function TimelineSection({
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
