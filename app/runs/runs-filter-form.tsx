/**
 * The runs page's filters: a job (applied on submit or leaving the box), a state or group of
 * states, and the time window (a preset, or from/to in the display zone, which makes it custom).
 * Every filter lives in the URL (`setParams`).
 */
import { DateTime } from 'luxon';
import { useEffect, useState, type FormEvent } from 'react';
import { PRESETS, type Window } from '@/app/components/timeline/model';
import { STATES, type RunFilters } from './runs-query';

/** Groups offered in the state filter (the API takes a comma-separated list). */
const STATE_GROUPS: ReadonlyArray<{ value: string; label: string }> = [
  { value: 'QUEUED,STAGING,STARTING,RUNNING,KILLING', label: 'active (queued or running)' },
  { value: 'FAILED,ERROR,LOST', label: 'any failure (failed, error, lost)' },
];

export function RunsFilterForm({
  filters,
  shownWindow,
  zone,
  setParams,
}: {
  filters: RunFilters;
  /** The window as shown (a rolling one follows the clock). */
  shownWindow: Window;
  zone: string;
  setParams: (patch: Record<string, string | null>) => void;
}) {
  // The job applies on submit; the rest at once.
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
      <div className="flex flex-wrap items-end gap-1">
        <div className="min-w-0">
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
        <div className="min-w-0">
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
  );
}
