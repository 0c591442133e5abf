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
 * and the saved choice applies right after.
 */
import { DateTime } from 'luxon';
import { useEffect, useState, useSyncExternalStore } from 'react';

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
  for (const s of [...subscribers]) s();
}

export function useTimeZoneMode(): TimeZoneMode {
  return useSyncExternalStore(subscribe, readMode, () => 'local');
}

const noop = () => () => {};
let localZoneCache: string | null = null;
const readLocalZone = () => (localZoneCache ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
/** The browser's IANA zone ("UTC" during the server render). */
export function useLocalZone(): string {
  return useSyncExternalStore(noop, readLocalZone, () => 'UTC');
}

/** The zone an instant is shown in, for the current mode and a job's zone ("" = UTC). */
export function useDisplayZone(jobZone?: string | null): string {
  const mode = useTimeZoneMode();
  const local = useLocalZone();
  if (mode === 'utc') return 'UTC';
  if (mode === 'local') return local;
  return normalizeZone(jobZone);
}

const zoneValid = new Map<string, boolean>();
export function normalizeZone(zone?: string | null): string {
  if (!zone) return 'UTC';
  let ok = zoneValid.get(zone);
  if (ok === undefined) {
    ok = DateTime.now().setZone(zone).isValid;
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
    const dt = DateTime.fromMillis(ms, { zone: normalizeZone(zone) });
    const fmt = opts.seconds || dt.second !== 0 ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm';
    text = `${dt.toFormat(fmt)} ${zoneAbbrev(dt)}`;
    if (formatted.size >= 20_000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "EST", "UTC", "CET" where the locale has a name, else "UTC+1" (never a bare "GMT+1"). */
function zoneAbbrev(dt: DateTime): string {
  const short = dt.offsetNameShort;
  if (short && /^[A-Z]{2,5}$/.test(short)) return short;
  if (dt.offset === 0) return 'UTC';
  const h = Math.trunc(Math.abs(dt.offset) / 60);
  const m = Math.abs(dt.offset) % 60;
  return `UTC${dt.offset < 0 ? '−' : '+'}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
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

/** The current time, refreshed every `intervalMs` (for relative times). */
export function useNow(intervalMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
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
