/**
 * The graph page's toolbar: find a job by name (Enter moves to the next match), focus on a job's
 * ancestors and descendants, open it, show all jobs again, and the legend of node colours with
 * how many jobs each colour has.
 */
import Link from 'next/link';
import type { FormEvent } from 'react';
import type { GraphData } from '@/scheduler/api/ui-types';
import { jobHref } from './job-node';
import { VISUAL_CLASS, VISUAL_LABEL, VISUALS, type Visual } from './node-style';

export function GraphToolbar({
  query,
  onQuery,
  onEscape,
  onSearch,
  matches,
  cursor,
  data,
  suggest,
  focus,
  focusTarget,
  setFocus,
  counts,
}: {
  query: string;
  onQuery: (q: string) => void;
  onEscape: () => void;
  onSearch: (e: FormEvent) => void;
  matches: string[];
  /** The match moved to last (-1: none yet). */
  cursor: number;
  data: GraphData | undefined;
  /** Offer the job names as suggestions (small graphs only). */
  suggest: boolean;
  focus: string;
  focusTarget: string | null;
  setFocus: (name: string | null) => void;
  counts: Record<Visual, number>;
}) {
  return (
    <div className="mb-3 flex flex-wrap items-center gap-2">
      <form onSubmit={onSearch} className="flex max-w-full min-w-0 flex-wrap items-center gap-2" role="search">
        <label htmlFor="graph-search" className="sr-only">
          Find a job in the graph
        </label>
        <input
          id="graph-search"
          className="input w-64 max-w-full min-w-0 flex-1 sm:flex-none"
          placeholder="Find a job… (Enter: next match)"
          value={query}
          list="graph-job-names"
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onEscape();
          }}
          autoComplete="off"
        />
        <datalist id="graph-job-names">
          {/* suggestions for small graphs only: 1,000 <option>s cost the big graph's first render ~0.1 s */}
          {suggest ? data?.nodes.map((n) => <option key={n.name} value={n.name} />) : null}
        </datalist>
        <button type="submit" className="btn" disabled={matches.length === 0}>
          Find
        </button>
        <span className="muted min-w-24 text-xs" aria-live="polite">
          {query.trim() ? (matches.length === 0 ? 'no match' : `${cursor >= 0 ? cursor + 1 : 0} of ${matches.length}`) : ''}
        </span>
      </form>
      <button
        type="button"
        className="btn"
        disabled={!focusTarget || focusTarget === focus}
        onClick={() => focusTarget && setFocus(focusTarget)}
        title="Show only this job's ancestors and descendants"
      >
        Focus on {focusTarget ? <span className="max-w-40 truncate font-semibold">{focusTarget}</span> : 'selection'}
      </button>
      {focusTarget ? (
        <Link className="btn" href={jobHref(focusTarget)}>
          Open job
        </Link>
      ) : null}
      {focus ? (
        <button type="button" className="btn" onClick={() => setFocus(null)}>
          Show all
        </button>
      ) : null}
      <ul className="ml-auto flex flex-wrap items-center gap-3 text-xs" aria-label="Legend">
        {VISUALS.map((v) => (
          <li key={v} className="flex items-center gap-1">
            <span
              aria-hidden="true"
              className={`inline-block h-3 w-3 rounded-sm border-2 ${VISUAL_CLASS[v]}`}
            />
            {VISUAL_LABEL[v]} <span className="muted tabular-nums">{counts[v]}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
