'use client';
/**
 * Time-zone-correct display everywhere (Chronos #575/#813).
 *
 *   useTimeZoneMode()  'local' | 'utc' | 'job' (persisted in localStorage "sisyphus-tz")
 *   <TimeZoneToggle/>  the header control
 *   <Time instant={ms} zone={job.scheduleTimeZone} />   formats in the chosen zone:
 *                      utc → UTC, local → the browser's zone, job → `zone` (UTC when blank).
 *                      `fixed` always uses `zone` (e.g. a "job's zone" column).
 *   formatInstant(ms, zone), formatDuration(ms), formatRelative(ms, now), useNow()
 *
 * Stored through useSyncExternalStore, so the server render (no localStorage) and hydration agree
 * and the saved choice applies right after. The browser also keeps the mode and its zone in
 * cookies (rememberViewer), so a page rendered on the server shows its times as the browser will
 * (see useViewer in preload.tsx); only a first visit renders them in UTC until it hydrates.
 */
import { useCallback, useState, useSyncExternalStore } from 'react';
import { useHydrated, useServerNow, useViewer } from './preload';

export type TimeZoneMode = 'local' | 'utc' | 'job';
const KEY = 'sisyphus-tz';
const MODES: readonly TimeZoneMode[] = ['local', 'utc', 'job'];

const subscribers = new Set<() => void>();
// The hooks below run on every render of every <Time> (a runs table renders hundreds): what they
// read is cached at module level, and formatting is memoized (luxon with a zone asks Intl each time).
let modeCache: TimeZoneMode | null = null;
function readMode(): TimeZoneMode {
  if (modeCache !== null) return modeCache;
  try {
    const v = localStorage.getItem(KEY);
    modeCache = (MODES as readonly string[]).includes(v ?? '') ? (v as TimeZoneMode) : 'local';
  } catch {
    modeCache = 'local';
  }
  return modeCache;
}
function subscribe(cb: () => void): () => void {
  subscribers.add(cb);
  const onStorage = (e: StorageEvent) => {
    if (e.key !== KEY) return;
    modeCache = null; // another tab changed it
    cb();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    subscribers.delete(cb);
    window.removeEventListener('storage', onStorage);
  };
}
export function setTimeZoneMode(mode: TimeZoneMode): void {
  modeCache = mode;
  try {
    localStorage.setItem(KEY, mode);
  } catch {
    /* private mode: not persisted */
  }
  rememberViewer();
  for (const s of [...subscribers]) s();
}

const asMode = (v: string | null): TimeZoneMode | null => ((MODES as readonly string[]).includes(v ?? '') ? (v as TimeZoneMode) : null);

export function useTimeZoneMode(): TimeZoneMode {
  const viewer = useViewer();
  return useSyncExternalStore(subscribe, readMode, () => asMode(viewer.mode) ?? 'local');
}

/**
 * Tells the server how this browser shows times (cookies sisyphus-tz and sisyphus-zone, read by
 * app/components/server-data.ts): the next page it renders has its times in the right zone.
 */
export function rememberViewer(): void {
  const year = 365 * 24 * 3600;
  document.cookie = `${KEY}=${readMode()}; path=/; max-age=${year}; samesite=lax`;
  document.cookie = `sisyphus-zone=${encodeURIComponent(readLocalZone())}; path=/; max-age=${year}; samesite=lax`;
}

const noop = () => () => {};
let localZoneCache: string | null = null;
const readLocalZone = () => (localZoneCache ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
/** The browser's IANA zone (during the server render, the one its cookie says, else "UTC"). */
export function useLocalZone(): string {
  const viewer = useViewer();
  return useSyncExternalStore(noop, readLocalZone, () => viewer.zone ?? 'UTC');
}

/** The zone an instant is shown in, for the current mode and a job's zone ("" = UTC). */
export function useDisplayZone(jobZone?: string | null): string {
  const mode = useTimeZoneMode();
  const local = useLocalZone();
  if (mode === 'utc') return 'UTC';
  if (mode === 'local') return local;
  return normalizeZone(jobZone);
}

// Formatting goes through Intl directly (the parts of a date in a zone, and the zone's short name
// in the browser's locale, as luxon would ask for them): luxon stays off the pages that only show
// times (~70 kB of JavaScript less to load before they respond).
const fieldFormats = new Map<string, Intl.DateTimeFormat>();
const nameFormats = new Map<string, Intl.DateTimeFormat>();
function fieldFormat(zone: string): Intl.DateTimeFormat {
  let f = fieldFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    fieldFormats.set(zone, f);
  }
  return f;
}
function nameFormat(zone: string): Intl.DateTimeFormat {
  let f = nameFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { timeZone: zone, timeZoneName: 'short' });
    nameFormats.set(zone, f);
  }
  return f;
}

const zoneValid = new Map<string, boolean>();
export function normalizeZone(zone?: string | null): string {
  if (!zone) return 'UTC';
  let ok = zoneValid.get(zone);
  if (ok === undefined) {
    try {
      fieldFormat(zone);
      ok = true;
    } catch {
      ok = false;
    }
    zoneValid.set(zone, ok);
  }
  return ok ? zone : 'UTC';
}

/** "2026-05-01 14:30:00 CEST" (seconds only when not zero, unless `seconds`). */
const formatted = new Map<string, string>();
export function formatInstant(ms: number, zone: string, opts: { seconds?: boolean } = {}): string {
  const key = `${zone}\u0000${ms}\u0000${opts.seconds ? 1 : 0}`;
  let text = formatted.get(key);
  if (text === undefined) {
    const z = normalizeZone(zone);
    const p: Record<string, string> = {};
    for (const part of fieldFormat(z).formatToParts(ms)) p[part.type] = part.value;
    const second = Number(p.second);
    // the zone's offset: its wall clock read as UTC, minus the instant (whole seconds)
    const offset = Math.round((Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), second) - Math.floor(ms / 1000) * 1000) / 60_000);
    const clock = opts.seconds || second !== 0 ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
    text = `${p.year}-${p.month}-${p.day} ${clock} ${zoneAbbrev(z, ms, offset)}`;
    if (formatted.size >= 20_000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "EST", "UTC", "CET" where the locale has a name, else "UTC+1" (never a bare "GMT+1"). */
function zoneAbbrev(zone: string, ms: number, offset: number): string {
  const short = zone === 'UTC' ? 'UTC' : nameFormat(zone).formatToParts(ms).find((x) => x.type === 'timeZoneName')?.value;
  if (short && /^[A-Z]{2,5}$/.test(short)) return short;
  if (offset === 0) return 'UTC';
  const h = Math.trunc(Math.abs(offset) / 60);
  const m = Math.abs(offset) % 60;
  return `UTC${offset < 0 ? '−' : '+'}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatRelative(ms: number, now: number): string {
  const d = ms - now;
  const abs = Math.abs(d);
  const unit = abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  const text = `${unit[0]} ${unit[1]}`;
  if (abs < 1000) return 'now';
  return d > 0 ? `in ${text}` : `${text} ago`;
}

/**
 * A past instant as "5 min ago" (events, starts, last offers): one the clock has not reached yet
 * (the browser's clock behind the server's, or a tick behind) is "just now", never "in 1 s".
 */
export function formatAgo(ms: number, now: number): string {
  return ms >= now - 1000 ? 'just now' : formatRelative(ms, now);
}

/** How long something has run by `now`: never negative (a start the clock has not reached yet is 0). */
export const elapsed = (since: number, now: number): number => Math.max(0, now - since);

/**
 * The server's clock as the browser estimates it: the browser's plus an offset learnt from the
 * `Date` header of API answers (whole seconds, so only a skew above the header's precision and
 * the round trip is corrected). Durations "so far" and relative times are counted on it, so a
 * browser whose clock is behind does not show "-2334 ms so far".
 */
let serverOffset = 0;
export const serverClock = (): number => Date.now() + serverOffset;

/** Learns the server's clock from one answer, then moves every ticker to it (fresh data, fresh now). */
export function noteServerClock(dateHeader: string | null, sentAt: number, receivedAt: number): void {
  const at = dateHeader ? Date.parse(dateHeader) : NaN;
  if (!Number.isNaN(at)) {
    const estimate = at + 500 - (sentAt + receivedAt) / 2;
    serverOffset = Math.abs(estimate) > 1500 + (receivedAt - sentAt) / 2 ? estimate : 0;
  }
  for (const t of tickers.values()) {
    t.now = serverClock();
    for (const s of [...t.subscribers]) s();
  }
}

/**
 * Once per page load, as soon as a relative time shows: asks /ping for the server's Date (a page
 * served with its data has made no API request yet).
 */
let clockSynced = false;
function syncServerClock(): void {
  if (clockSynced || typeof fetch !== 'function') return;
  clockSynced = true;
  const sentAt = Date.now();
  fetch('/ping', { cache: 'no-store' })
    .then((r) => noteServerClock(r.headers.get('date'), sentAt, Date.now()))
    .catch(() => {});
}

/** One clock per refresh interval, shared by every component that shows relative times. */
interface Ticker {
  now: number;
  subscribers: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
}
const tickers = new Map<number, Ticker>();
function ticker(intervalMs: number): Ticker {
  let t = tickers.get(intervalMs);
  if (!t) {
    t = { now: serverClock(), subscribers: new Set(), timer: null };
    tickers.set(intervalMs, t);
  }
  return t;
}
function subscribeTicker(intervalMs: number, cb: () => void): () => void {
  const t = ticker(intervalMs);
  t.subscribers.add(cb);
  syncServerClock();
  if (t.timer === null) {
    t.now = serverClock();
    t.timer = setInterval(() => {
      t.now = serverClock();
      for (const s of [...t.subscribers]) s();
    }, intervalMs);
  }
  return () => {
    t.subscribers.delete(cb);
    if (t.subscribers.size === 0 && t.timer !== null) {
      clearInterval(t.timer);
      t.timer = null;
    }
  };
}

/**
 * The current time, refreshed every `intervalMs` (for relative times): one timer per interval for
 * the whole page, so a table of times re-renders once a tick. While hydrating a page the server
 * rendered with data (<Preloaded>), the server's clock, so "in 5 min" matches the HTML.
 */
export function useNow(intervalMs = 15_000): number {
  const serverNow = useServerNow();
  return useSyncExternalStore(
    useCallback((cb: () => void) => subscribeTicker(intervalMs, cb), [intervalMs]),
    () => ticker(intervalMs).now,
    () => serverNow ?? ticker(intervalMs).now,
  );
}

/** The time of a component's first render: the server's clock while hydrating (see useNow), else the browser's. */
export function useInitialNow(): number {
  const hydrated = useHydrated();
  const serverNow = useServerNow();
  const [at] = useState(() => (!hydrated && serverNow !== null ? serverNow : Date.now()));
  return at;
}

const noSubscribe = () => () => {};
let localeCache: string | null = null;
const readLocale = () => (localeCache ??= new Intl.NumberFormat().resolvedOptions().locale);
/**
 * Counts as the browser writes them ("10,000", "10.000"): en-US in the server's HTML and while
 * hydrating, the browser's locale right after (so the HTML and the first client render agree).
 */
export function useFormatCount(): (n: number) => string {
  const locale = useSyncExternalStore(noSubscribe, readLocale, () => 'en-US');
  return (n: number) => n.toLocaleString(locale);
}

export function Time({
  instant,
  zone,
  fixed = false,
  relative = false,
  seconds = false,
  className,
}: {
  instant: number | null | undefined;
  /** The job's zone ("" or absent = UTC). */
  zone?: string | null;
  /** Always format in `zone`, whatever the toggle says. */
  fixed?: boolean;
  /** Append "(in 5 min)". */
  relative?: boolean;
  seconds?: boolean;
  className?: string;
}) {
  const shown = useDisplayZone(zone);
  const now = useNow();
  if (instant === null || instant === undefined) return <span className={className}>—</span>;
  const z = fixed ? normalizeZone(zone) : shown;
  const iso = new Date(instant).toISOString();
  return (
    <time dateTime={iso} title={`${iso} (${formatRelative(instant, now)})`} className={className}>
      {formatInstant(instant, z, { seconds })}
      {relative ? <span className="muted"> ({formatRelative(instant, now)})</span> : null}
    </time>
  );
}

const LABELS: Record<TimeZoneMode, string> = { local: 'Local', utc: 'UTC', job: "Job's zone" };

export function TimeZoneToggle() {
  const mode = useTimeZoneMode();
  const local = useLocalZone();
  return (
    <label className="flex items-center gap-1.5 text-xs">
      <span className="muted">Times</span>
      <select
        aria-label="Time zone for displayed times"
        className="rounded-md border border-gray-300 bg-white px-1.5 py-1 text-xs dark:border-gray-700 dark:bg-gray-900"
        value={mode}
        onChange={(e) => setTimeZoneMode(e.target.value as TimeZoneMode)}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {m === 'local' ? `${LABELS[m]} (${local})` : LABELS[m]}
          </option>
        ))}
      </select>
    </label>
  );
}
