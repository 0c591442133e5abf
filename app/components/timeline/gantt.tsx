'use client';
/**
 * A Gantt chart of runs over a time window, drawn as SVG. Rows are jobs (all their runs on one
 * line) or single runs; only the rows in view are rendered (@tanstack/react-virtual), and within a
 * row bars that fall on the same pixel in the same colour are drawn once, so thousands of runs stay
 * smooth.
 *
 * Each run shows a thin line while it waited for an offer (queuedAt → launch) and a bar while it
 * ran (startedAt, else launchedAt → finishedAt, or now while running), coloured by outcome.
 *
 * Zoom: the buttons, + / − keys, Ctrl/⌘ + wheel; pan: ← / → keys, Shift + wheel, or drag;
 * 0 resets. Hover or focus a bar for its task id, times, duration and host; Enter opens the job.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { RunRow } from '@/scheduler/api/ui-types';
import { useScrolledBeforeHydration } from '@/app/components/preload';
import { elapsed, formatDuration, formatInstant } from '@/app/components/time';
import {
  buildRows,
  OUTCOME_COLOR,
  OUTCOME_LABEL,
  outcomeOf,
  panView,
  purposeOf,
  spanOf,
  ticks,
  zoomView,
  type Outcome,
  type Row,
  type RowMode,
  type Window,
  fitView,
  sameWindow,
} from './model';

const ROW_H = 24;
/**
 * The label column: as wide as the longest label (about 6.6 px a character at text-xs, plus the
 * run count), at most 35 % of the chart (30 % on a phone, so the bars keep most of it).
 */
const LABEL_W = 200;
const labelWidth = (outer: number, longest: number): number =>
  Math.round(Math.max(96, Math.min(longest * 6.6 + 44, outer * (outer >= 640 ? 0.35 : 0.3))));
const BAR_H = 14;

interface Tip {
  run: RunRow;
  x: number;
  y: number;
}

export function Gantt({
  runs,
  window: bounds,
  zone,
  now,
  rowMode,
  resetKey,
  maxHeight = 520,
}: {
  runs: readonly RunRow[];
  window: Window;
  zone: string;
  now: number;
  rowMode: RowMode;
  /** Changing it resets the zoom. */
  resetKey?: string;
  maxHeight?: number;
}) {
  const router = useRouter();
  const rows = useMemo(() => buildRows(runs, rowMode, now), [runs, rowMode, now]);
  // Zoomed view, or null to fit the runs shown (fitView: seconds-long runs fill the chart; the
  // window may roll forward with the clock). The zoom is kept while runs come and go; a new
  // `resetKey` (another preset or filter) drops it.
  const fitted = useMemo(() => fitView(runs, bounds, now), [runs, bounds, now]);
  const [custom, setCustom] = useState<Window | null>(null);
  useEffect(() => setCustom(null), [resetKey]);
  const view = custom ?? fitted;
  const setView = useCallback(
    (next: Window | ((v: Window) => Window)) =>
      setCustom((c) => {
        const v = typeof next === 'function' ? next(c ?? fitted) : next;
        return sameWindow(v, fitted) ? null : v;
      }),
    [fitted],
  );

  const outer = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [labelW, setLabelW] = useState(LABEL_W);
  const longest = useMemo(() => rows.reduce((m, r) => Math.max(m, r.label.length), 0), [rows]);
  useEffect(() => {
    const el = outer.current;
    if (!el) return;
    const measure = () => {
      const l = labelWidth(el.clientWidth, longest);
      setLabelW(l);
      setWidth(Math.max(120, el.clientWidth - l - 2));
    };
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, [longest]);

  useScrolledBeforeHydration(scroller);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
    // the server's HTML (and the hydrating render, before the scroller is measured) shows this much
    initialRect: { width, height: maxHeight },
  });

  const span = view.to - view.from || 1;
  const x = useCallback((t: number) => ((t - view.from) / span) * width, [view.from, span, width]);
  const axis = useMemo(() => ticks(view, zone, Math.max(2, Math.floor(width / 90))), [view, zone, width]);
  const zoomed = custom !== null;
  const wholeWindow = view.from <= bounds.from && view.to >= bounds.to;

  const zoom = useCallback(
    (factor: number, anchor?: number) => setView((v) => zoomView(v, anchor ?? (v.from + v.to) / 2, factor, bounds)),
    [bounds, setView],
  );
  const pan = useCallback((fraction: number) => setView((v) => panView(v, fraction, bounds)), [bounds, setView]);

  // Ctrl/⌘ + wheel zooms around the pointer; Shift + wheel pans. Needs a non-passive listener.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      const rect = el.getBoundingClientRect();
      const px = e.clientX - rect.left - labelW;
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        setView((v) => zoomView(v, v.from + (Math.max(0, px) / width) * (v.to - v.from), e.deltaY > 0 ? 1.25 : 0.8, bounds));
      } else if (e.shiftKey) {
        e.preventDefault();
        setView((v) => panView(v, (e.deltaY || e.deltaX) > 0 ? 0.1 : -0.1, bounds));
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [bounds, width, labelW, setView]);

  // Drag to pan.
  const drag = useRef<{ x: number; view: Window; moved: boolean } | null>(null);
  const onPointerDown = (e: ReactPointerEvent) => {
    if (e.button !== 0 || wholeWindow) return;
    drag.current = { x: e.clientX, view, moved: false };
  };
  const onPointerMove = (e: ReactPointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    if (Math.abs(dx) > 3) d.moved = true;
    if (d.moved) setView(panView(d.view, -dx / width, bounds));
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement) return;
    const k = e.key;
    if (k === '+' || k === '=') zoom(0.5);
    else if (k === '-' || k === '_') zoom(2);
    else if (k === 'ArrowLeft') pan(-0.2);
    else if (k === 'ArrowRight') pan(0.2);
    else if (k === '0') setCustom(null);
    else return;
    e.preventDefault();
  };

  const [tip, setTip] = useState<Tip | null>(null);
  const showTip = (run: RunRow, el: Element) => {
    const r = el.getBoundingClientRect();
    setTip({ run, x: r.left + Math.min(r.width, 40), y: r.bottom + 4 });
  };

  const nowX = now >= view.from && now <= view.to ? x(now) : null;
  const total = virtualizer.getTotalSize();

  return (
    <div ref={outer} className="text-xs" onKeyDown={onKeyDown}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <div className="flex items-center gap-1" role="group" aria-label="Zoom">
          <button type="button" className="btn btn-sm" onClick={() => zoom(0.5)} aria-label="Zoom in" title="Zoom in (+)">
            +
          </button>
          <button type="button" className="btn btn-sm" onClick={() => zoom(2)} aria-label="Zoom out" title="Zoom out (−)" disabled={wholeWindow}>
            −
          </button>
          <button type="button" className="btn btn-sm" onClick={() => pan(-0.2)} aria-label="Earlier" title="Earlier (←)" disabled={view.from <= bounds.from}>
            ←
          </button>
          <button type="button" className="btn btn-sm" onClick={() => pan(0.2)} aria-label="Later" title="Later (→)" disabled={view.to >= bounds.to}>
            →
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setCustom(null)} disabled={!zoomed} title="Fit the runs shown (0)">
            Reset zoom
          </button>
        </div>
        <span className="muted">
          {formatInstant(view.from, zone)} → {formatInstant(view.to, zone)}
        </span>
        <ul className="ml-auto flex flex-wrap gap-3" aria-label="Bar colours">
          {(Object.keys(OUTCOME_LABEL) as Outcome[]).map((o) => (
            <li key={o} className="flex items-center gap-1">
              <span aria-hidden="true" className="inline-block h-2.5 w-3 rounded-sm" style={{ background: OUTCOME_COLOR[o] }} />
              {OUTCOME_LABEL[o]}
            </li>
          ))}
        </ul>
      </div>

      <div className="overflow-hidden rounded-md border border-gray-200 dark:border-gray-800">
        {/* Axis */}
        <div className="flex border-b border-gray-200 bg-gray-50 dark:border-gray-800 dark:bg-gray-900">
          <div style={{ width: labelW }} className="shrink-0 truncate px-2 py-1 font-medium text-gray-600 dark:text-gray-300">
            {rows.length.toLocaleString()} {rowMode === 'job' ? (rows.length === 1 ? 'job' : 'jobs') : rows.length === 1 ? 'run' : 'runs'}
          </div>
          <svg width={width} height={22} className="block shrink-0" role="img" aria-label={`Time axis in ${zone}`}>
            {axis.map((t) => (
              <g key={t.at} transform={`translate(${x(t.at)},0)`}>
                <line y1={14} y2={22} className="stroke-gray-400 dark:stroke-gray-500" />
                <text x={3} y={12} className={`fill-gray-600 dark:fill-gray-300 ${t.major ? 'font-semibold' : ''}`} fontSize={10}>
                  {t.label}
                </text>
              </g>
            ))}
          </svg>
        </div>

        {/* Rows */}
        <div
          ref={scroller}
          className="relative overflow-auto"
          style={{ maxHeight, height: Math.min(maxHeight, Math.max(ROW_H, total)) }}
          tabIndex={0}
          role="region"
          aria-label="Timeline rows (+/− zoom, arrows pan, 0 resets)"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={onPointerUp}
          data-testid="gantt"
        >
          <div style={{ height: total, position: 'relative' }}>
            {virtualizer.getVirtualItems().map((vi) => {
              const row = rows[vi.index];
              return (
                <div
                  key={row.key}
                  className={`absolute left-0 flex w-full ${vi.index % 2 ? 'bg-gray-50/60 dark:bg-gray-900/40' : ''}`}
                  style={{ top: vi.start, height: ROW_H }}
                >
                  <div style={{ width: labelW }} className="flex shrink-0 items-center truncate border-r border-gray-200 px-2 dark:border-gray-800">
                    <Link href={`/jobs/${encodeURIComponent(row.jobName)}`} prefetch={false} className="link truncate" title={row.label}>
                      {row.label}
                    </Link>
                    {rowMode === 'job' && row.runs.length > 1 ? <span className="muted ml-1 shrink-0">×{row.runs.length}</span> : null}
                  </div>
                  <RowBars
                    row={row}
                    width={width}
                    x={x}
                    now={now}
                    axis={axis}
                    nowX={nowX}
                    zone={zone}
                    onTip={showTip}
                    onLeave={() => setTip(null)}
                    onOpen={(taskId) => router.push(`/runs/${encodeURIComponent(taskId)}`)}
                  />
                </div>
              );
            })}
          </div>
        </div>
      </div>

      {tip ? <Tooltip tip={tip} zone={zone} now={now} /> : null}
    </div>
  );
}

function RowBars({
  row,
  width,
  x,
  now,
  axis,
  nowX,
  zone,
  onTip,
  onLeave,
  onOpen,
}: {
  row: Row;
  width: number;
  x: (t: number) => number;
  now: number;
  axis: ReadonlyArray<{ at: number; major: boolean }>;
  nowX: number | null;
  zone: string;
  onTip: (run: RunRow, el: Element) => void;
  onLeave: () => void;
  /** Opens a run's page (its task id). */
  onOpen: (taskId: string) => void;
}) {
  const y = (ROW_H - BAR_H) / 2;
  const waits: Array<{ x1: number; x2: number; key: string }> = [];
  const bars: Array<{ x1: number; x2: number; run: RunRow; outcome: Outcome }> = [];
  // Per colour, the last pixel drawn: a bar that adds nothing visible is skipped.
  const last = new Map<Outcome, number>();
  let lastWait = -Infinity;
  for (const run of row.runs) {
    const s = spanOf(run, now);
    const outcome = outcomeOf(run.state);
    const w1 = Math.max(0, x(s.waitFrom));
    const w2 = Math.min(width, x(s.waitTo));
    if (w2 - w1 >= 1 && w2 > lastWait) {
      waits.push({ x1: Math.max(w1, lastWait), x2: w2, key: run.id });
      lastWait = w2;
    }
    if (s.runFrom === null || s.runTo === null) {
      // Never launched (queued, skipped, dropped): a marker where it was queued.
      const q = x(s.waitFrom);
      if (q >= -2 && q <= width + 2) bars.push({ x1: q - 1, x2: q + 2, run, outcome });
      continue;
    }
    let x1 = x(s.runFrom);
    let x2 = x(s.runTo);
    if (x2 < 0 || x1 > width) continue;
    x1 = Math.max(0, x1);
    x2 = Math.min(width, Math.max(x2, x1 + 2));
    const prev = last.get(outcome) ?? -Infinity;
    if (x2 <= prev + 0.5) continue;
    bars.push({ x1, x2, run, outcome });
    last.set(outcome, x2);
  }
  return (
    <svg width={width} height={ROW_H} className="block shrink-0" onMouseLeave={onLeave}>
      {axis.map((t) => (
        <line key={t.at} x1={x(t.at)} x2={x(t.at)} y1={0} y2={ROW_H} className={t.major ? 'stroke-gray-300 dark:stroke-gray-700' : 'stroke-gray-200 dark:stroke-gray-800'} />
      ))}
      {waits.map((w) => (
        <rect key={w.key} x={w.x1} y={ROW_H / 2 - 1} width={w.x2 - w.x1} height={2} className="fill-amber-400/70 dark:fill-amber-500/60" />
      ))}
      {bars.map((b) => (
        <rect
          key={b.run.id}
          x={b.x1}
          y={y}
          width={Math.max(2, b.x2 - b.x1)}
          height={BAR_H}
          rx={2}
          fill={OUTCOME_COLOR[b.outcome]}
          className={`cursor-pointer outline-none focus-visible:stroke-fuchsia-500 focus-visible:stroke-2 ${b.outcome === 'running' ? 'animate-pulse' : ''}`}
          tabIndex={0}
          role="button"
          aria-label={`${b.run.jobName} ${b.run.taskId}: ${b.run.state.toLowerCase()}, ${formatInstant(b.run.startedAt ?? b.run.launchedAt ?? b.run.queuedAt, zone)}${purposeLabel(b.run, zone)}`}
          data-task-id={b.run.taskId}
          data-outcome={b.outcome}
          onMouseEnter={(e) => onTip(b.run, e.currentTarget)}
          onFocus={(e) => onTip(b.run, e.currentTarget)}
          onBlur={onLeave}
          onClick={() => onOpen(b.run.taskId)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              onOpen(b.run.taskId);
            }
          }}
        />
      ))}
      {nowX !== null ? <line x1={nowX} x2={nowX} y1={0} y2={ROW_H} className="stroke-fuchsia-500" strokeDasharray="3 2" /> : null}
    </svg>
  );
}

/** ", for 2026-11-03 00:00 UTC, backfill" for a run that ran after the instant it is for. */
const purposeLabel = (r: RunRow, zone: string): string => {
  const p = purposeOf(r, zone);
  return p === null ? '' : `, ${p}`;
};

function Tooltip({ tip, zone, now }: { tip: Tip; zone: string; now: number }) {
  const r = tip.run;
  const purpose = purposeOf(r, zone);
  const start = r.startedAt ?? r.launchedAt;
  const active = r.finishedAt === null && start !== null;
  const duration = start === null ? null : elapsed(start, r.finishedAt ?? now);
  const waited = elapsed(r.queuedAt, start ?? r.finishedAt ?? now);
  const left = Math.min(tip.x, (typeof window !== 'undefined' ? window.innerWidth : 1200) - 340);
  return (
    <div
      role="tooltip"
      className="pointer-events-none fixed z-50 w-80 rounded-md border border-gray-200 bg-white p-2.5 text-xs shadow-lg dark:border-gray-700 dark:bg-gray-900"
      style={{ left, top: tip.y }}
    >
      <div className="mb-1 flex items-center justify-between gap-2">
        <span className="truncate font-semibold">{r.jobName}</span>
        <span className="shrink-0 rounded px-1.5 py-0.5 font-medium text-white" style={{ background: OUTCOME_COLOR[outcomeOf(r.state)] }}>
          {r.state.toLowerCase()}
        </span>
      </div>
      <dl className="grid grid-cols-[5.5rem_1fr] gap-x-2 gap-y-0.5">
        {purpose !== null ? (
          <>
            <dt className="muted">Ran</dt>
            <dd data-testid="run-purpose">{purpose}</dd>
          </>
        ) : null}
        <dt className="muted">Task id</dt>
        <dd className="font-mono break-all">{r.taskId}</dd>
        <dt className="muted">Started</dt>
        <dd>{start === null ? 'not launched' : formatInstant(start, zone, { seconds: true })}</dd>
        <dt className="muted">Finished</dt>
        <dd>{r.finishedAt === null ? (active ? 'still running' : '—') : formatInstant(r.finishedAt, zone, { seconds: true })}</dd>
        <dt className="muted">Duration</dt>
        <dd>
          {formatDuration(duration)}
          {active ? ' so far' : ''}
        </dd>
        <dt className="muted">Waited</dt>
        <dd>{formatDuration(waited)} for an offer</dd>
        <dt className="muted">Host</dt>
        <dd className="break-all">{r.host ?? '—'}</dd>
        <dt className="muted">Trigger</dt>
        <dd>
          {r.trigger}
          {r.attempt > 0 ? `, attempt ${r.attempt + 1}` : ''}
        </dd>
        {r.message ? (
          <>
            <dt className="muted">Message</dt>
            <dd className="break-words">{r.message}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
