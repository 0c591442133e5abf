/**
 * The job list's search box and filters (status, state, kind, enabled, owner) and its sort. The
 * search box is the one `/` focuses; ↓ in it moves to the first row.
 */
import type { JobFilters } from './jobs-filters';

type Filters = JobFilters;

export function JobsFilterBar({
  qInput,
  onQInput,
  filters,
  setFilter,
  filtered,
  onClear,
  onArrowDown,
}: {
  /** The search box as typed (it reaches the filters debounced). */
  qInput: string;
  onQInput: (q: string) => void;
  filters: Filters;
  setFilter: (k: keyof Filters, v: string) => void;
  /** Some filter or search is set: offer to clear them. */
  filtered: boolean;
  onClear: () => void;
  onArrowDown: () => void;
}) {
  return (
    <form role="search" className="mb-3 flex flex-wrap items-end gap-2" onSubmit={(e) => e.preventDefault()}>
      <div className="min-w-[16rem] flex-1">
        <label htmlFor="job-search" className="label">
          Search <kbd className="kbd ml-1">/</kbd>
        </label>
        <input
          id="job-search"
          data-search-input
          type="search"
          className="input"
          placeholder="Name, command, owner, description…"
          value={qInput}
          onChange={(e) => onQInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              onArrowDown();
            }
          }}
        />
      </div>
      <Select label="Status" value={filters.status} onChange={(v) => setFilter('status', v)} options={[['', 'Any'], ['success', 'Success'], ['failure', 'Failure'], ['fresh', 'Fresh']]} />
      <Select label="State" value={filters.state} onChange={(v) => setFilter('state', v)} options={[['', 'Any'], ['running', 'Running'], ['queued', 'Queued'], ['retrying', 'Retrying'], ['idle', 'Idle']]} />
      <Select label="Kind" value={filters.kind} onChange={(v) => setFilter('kind', v)} options={[['', 'Any'], ['scheduled', 'Scheduled'], ['dependent', 'Dependent']]} />
      <Select label="Enabled" value={filters.disabled} onChange={(v) => setFilter('disabled', v)} options={[['', 'Any'], ['false', 'Enabled'], ['true', 'Disabled']]} />
      <Select
        label="Sort"
        value={filters.sort}
        onChange={(v) => setFilter('sort', v)}
        options={[['name', 'Name'], ['nextRun', 'Next run'], ['status', 'Status'], ['lastSuccess', 'Last success'], ['lastError', 'Last error']]}
      />
      <button
        type="button"
        className="btn"
        aria-label={`Sort direction: ${filters.dir === 'asc' ? 'ascending' : 'descending'}`}
        onClick={() => setFilter('dir', filters.dir === 'asc' ? 'desc' : 'asc')}
      >
        {filters.dir === 'asc' ? '↑ asc' : '↓ desc'}
      </button>
      <div className="w-40">
        <label htmlFor="owner-filter" className="label">
          Owner
        </label>
        <input id="owner-filter" className="input" value={filters.owner} onChange={(e) => setFilter('owner', e.target.value)} placeholder="any" />
      </div>
      {filtered ? (
        <button
          type="button"
          className="btn"
          onClick={onClear}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}

function Select({ label, value, onChange, options }: { label: string; value: string; onChange: (v: string) => void; options: Array<[string, string]> }) {
  const id = `filter-${label.toLowerCase()}`;
  return (
    <div className="w-32">
      <label htmlFor={id} className="label">
        {label}
      </label>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}
