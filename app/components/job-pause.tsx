'use client';
/**
 * The job page's pause (scheduler/core/pause.ts): while paused, a banner with who paused it, why
 * and until when, and a Resume button; otherwise a "Pause…" form: for a duration or until an
 * instant, a note, whether everything downstream pauses too, and whether every job whose name
 * starts with a prefix (the job's name by default: `etl-` pauses a whole family) pauses with it
 * (the API's `prefix`). It says which jobs were paused. It resumes by itself at the end.
 */
import { useState } from 'react';
import { apiSend } from './api';
import { Time } from './time';
import { ErrorMessage } from './ui';

export interface PauseView {
  until: string;
  note: string;
  by: string;
  at: string;
}

const enc = encodeURIComponent;
const DURATIONS = [
  { value: 'PT1H', label: '1 hour' },
  { value: 'PT4H', label: '4 hours' },
  { value: 'P1D', label: '1 day' },
  { value: 'P1W', label: '1 week' },
];

/** Which jobs a pause by prefix paused (the answer's `jobs`). */
function pausedNote(jobs: string[] | null, className: string) {
  if (!jobs) return null;
  return (
    <p role="status" className={className}>
      Paused {jobs.length} job{jobs.length === 1 ? '' : 's'}: {jobs.join(', ')}
    </p>
  );
}

export function JobPause({ name, pause, zone, onChanged }: { name: string; pause: PauseView | undefined; zone?: string; onChanged: () => void }) {
  const [mode, setMode] = useState<'for' | 'until'>('for');
  const [duration, setDuration] = useState('PT4H');
  const [until, setUntil] = useState('');
  const [note, setNote] = useState('');
  const [downstream, setDownstream] = useState(false);
  const [byPrefix, setByPrefix] = useState(false);
  const [prefix, setPrefix] = useState(name);
  const [paused, setPaused] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (path: 'pause' | 'resume', body: unknown, target = name) => {
    setBusy(true);
    setError(null);
    setPaused(null);
    try {
      const r = await apiSend<{ jobs?: string[] }>('POST', `/api/jobs/${enc(target)}/${path}`, body);
      if (path === 'pause' && target !== name) setPaused(r?.jobs ?? []);
      onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (pause && Date.parse(pause.until) > Date.now()) {
    return (
      <div data-testid="job-paused" className="flex flex-wrap items-start justify-between gap-3 rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-200">
        <p>
          <strong>Paused</strong>
          {pause.by ? <> by {pause.by}</> : null} until <Time instant={Date.parse(pause.until)} zone={zone} relative />
          {pause.note ? <>: “{pause.note}”</> : null}. It resumes by itself; its instants until then do not run.
        </p>
        <button type="button" className="btn btn-sm" disabled={busy} onClick={() => send('resume', {})}>
          Resume now
        </button>
        {pausedNote(paused, 'w-full')}
        <ErrorMessage error={error} className="w-full" />
      </div>
    );
  }

  return (
    <details className="card text-sm">
      <summary className="cursor-pointer font-medium">Pause…</summary>
      <form
        className="mt-3 grid gap-3 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          // a datetime-local value is the browser's local time: sent as an instant with its zone
          const body = mode === 'for' ? { for: duration } : { until: until ? new Date(until).toISOString() : '' };
          if (byPrefix && !prefix.trim()) {
            setError('prefix: enter the start of the names to pause');
            return;
          }
          void send('pause', { ...body, note, downstream, ...(byPrefix ? { prefix: true } : {}) }, byPrefix ? prefix.trim() : name);
        }}
      >
        <fieldset className="flex flex-wrap items-center gap-3">
          <legend className="label">How long</legend>
          <label className="flex items-center gap-1">
            <input type="radio" name="pause-mode" checked={mode === 'for'} onChange={() => setMode('for')} /> for
          </label>
          <select aria-label="Pause for" className="input w-auto" value={duration} disabled={mode !== 'for'} onChange={(e) => setDuration(e.target.value)}>
            {DURATIONS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
          <label className="flex items-center gap-1">
            <input type="radio" name="pause-mode" checked={mode === 'until'} onChange={() => setMode('until')} /> until
          </label>
          <input aria-label="Pause until" type="datetime-local" className="input w-auto" value={until} disabled={mode !== 'until'} onChange={(e) => setUntil(e.target.value)} />
        </fieldset>
        <label className="block">
          <span className="label">Note</span>
          <input className="input" maxLength={500} placeholder="upstream storage maintenance" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} /> Pause everything downstream too
        </label>
        <div className="flex flex-wrap items-center gap-2">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={byPrefix} onChange={(e) => setByPrefix(e.target.checked)} /> Every job whose name starts with
          </label>
          <input aria-label="Name prefix" className="input w-auto font-mono" value={prefix} disabled={!byPrefix} onChange={(e) => setPrefix(e.target.value)} />
        </div>
        <div>
          <button type="submit" className="btn" disabled={busy}>
            Pause
          </button>
        </div>
        {pausedNote(paused, 'sm:col-span-2')}
        <ErrorMessage error={error} className="sm:col-span-2" />
      </form>
    </details>
  );
}
