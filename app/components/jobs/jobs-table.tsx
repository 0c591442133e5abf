/**
 * The job list's columns: the header row (select-all box, sortable headers) and the cells of a
 * row (or its placeholder while its page loads). Rows are positioned by the virtualizer in
 * jobs-view.tsx, so every row has the same height.
 */
import Link from 'next/link';
import type { RefObject } from 'react';
import type { JobRow } from '@/scheduler/api/ui-types';
import { scheduleInWords } from '@/scheduler/core/describe';
import { JobStateBadge, StatusBadge } from '../badges';
import { Time, normalizeZone, useDisplayZone } from '../time';
import type { JobFilters } from './jobs-filters';

type Filters = JobFilters;

export const ROW_HEIGHT = 52;

/** The schedule as words (the raw text is in the cell's title), cached: rows re-render on every tick. */
const wordsCache = new Map<string, string>();
function scheduleWords(schedule: string, zone: string): string {
  const key = `${schedule}\u0000${zone}`;
  let w = wordsCache.get(key);
  if (w === undefined) {
    w = scheduleInWords(schedule, zone);
    if (wordsCache.size > 5_000) wordsCache.clear();
    wordsCache.set(key, w);
  }
  return w;
}
export const COLUMNS = '2.25rem minmax(14rem,2.2fr) 6.5rem 7rem minmax(13rem,1.4fr) minmax(9rem,1fr) minmax(7rem,0.8fr) 5.5rem';

/** The header row: the box that selects every loaded row, and the column headers (some sort). */
export function JobsHeaderRow({
  headerBox,
  allLoadedSelected,
  onToggleAll,
  filters,
  onSort,
}: {
  headerBox: RefObject<HTMLInputElement | null>;
  allLoadedSelected: boolean;
  onToggleAll: () => void;
  filters: Filters;
  onSort: (k: string) => void;
}) {
  return (
    <div role="row" aria-rowindex={1} className="grid items-center gap-3 border-b border-gray-200 bg-gray-50 px-3 py-2 dark:border-gray-800 dark:bg-gray-900" style={{ gridTemplateColumns: COLUMNS }}>
      <span role="columnheader">
        <input
          ref={headerBox}
          type="checkbox"
          aria-label="Select all loaded jobs"
          checked={allLoadedSelected}
          onChange={onToggleAll}
        />
      </span>
      <SortHeader label="Job" k="name" filters={filters} onSort={onSort} />
      <SortHeader label="Status" k="status" filters={filters} onSort={onSort} />
      <span role="columnheader" className="table-head">
        State
      </span>
      <SortHeader label="Next run" k="nextRun" filters={filters} onSort={onSort} />
      <span role="columnheader" className="table-head">
        Schedule / parents
      </span>
      <span role="columnheader" className="table-head">
        Owner
      </span>
      <span role="columnheader" className="table-head text-right">
        OK / err
      </span>
    </div>
  );
}

function SortHeader({ label, k, filters, onSort }: { label: string; k: string; filters: Filters; onSort: (k: string) => void }) {
  const active = filters.sort === k;
  return (
    <span role="columnheader" aria-sort={active ? (filters.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className="table-head">
      <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-gray-900 dark:hover:text-gray-100" onClick={() => onSort(k)}>
        {label}
        <span aria-hidden="true" className={active ? '' : 'opacity-0'}>
          {filters.dir === 'asc' ? '▲' : '▼'}
        </span>
      </button>
    </span>
  );
}

export function SkeletonRow() {
  return (
    <>
      <span />
      <span className="h-3 w-40 animate-pulse rounded bg-gray-200 dark:bg-gray-800" />
      <span className="h-3 w-14 animate-pulse rounded bg-gray-200 dark:bg-gray-800" />
    </>
  );
}

export function JobRowCells({ row, checked, onToggle }: { row: JobRow; checked: boolean; onToggle: () => void }) {
  const viewerZone = useDisplayZone(row.scheduleTimeZone);
  const jobZone = normalizeZone(row.scheduleTimeZone);
  const href = `/jobs/${encodeURIComponent(row.name)}`;
  return (
    <>
      <span role="cell">
        <input type="checkbox" aria-label={`Select ${row.name}`} checked={checked} onChange={onToggle} tabIndex={-1} />
      </span>
      <span role="cell" className="min-w-0">
        <Link href={href} prefetch={false} title={row.name} className={`link block truncate font-medium ${row.disabled ? 'line-through decoration-gray-400' : ''}`} tabIndex={-1}>
          {row.name}
        </Link>
        <span className="muted block truncate font-mono text-xs" title={row.command}>
          {row.disabled ? <span className="mr-1 font-sans font-medium text-gray-600 dark:text-gray-300">disabled ·</span> : null}
          {row.pausedUntil ? (
            <span className="mr-1 font-sans font-medium text-sky-700 dark:text-sky-300" title={`paused until ${row.pausedUntil}`}>
              paused ·
            </span>
          ) : null}
          {row.description || row.command}
        </span>
      </span>
      <span role="cell">
        <StatusBadge status={row.status} retry={row.state.retry} />
      </span>
      <span role="cell">
        <JobStateBadge state={row.state} />
      </span>
      <span role="cell" className="min-w-0 text-xs leading-tight">
        {row.nextRun === null ? (
          <span className="muted">{row.kind === 'dependent' ? 'after parents' : row.disabled ? 'disabled' : '—'}</span>
        ) : (
          <>
            <Time instant={row.nextRun} zone={row.scheduleTimeZone} relative className="block truncate" />
            {viewerZone !== jobZone ? (
              <span className="muted block truncate">
                job zone: <Time instant={row.nextRun} zone={row.scheduleTimeZone} fixed />
              </span>
            ) : null}
          </>
        )}
      </span>
      <span
        role="cell"
        className="min-w-0 truncate text-xs"
        title={row.kind === 'dependent' ? row.parents.join(', ') : `${row.schedule}${row.scheduleTimeZone ? ` (${row.scheduleTimeZone})` : ''}`}
      >
        {row.kind === 'dependent' ? `after ${row.parents.join(', ')}` : scheduleWords(row.schedule, row.scheduleTimeZone)}
      </span>
      <span role="cell" className="min-w-0 truncate text-xs" title={row.ownerName || row.owner}>
        {row.ownerName || row.owner || <span className="muted">—</span>}
      </span>
      <span role="cell" className="text-right text-xs tabular-nums">
        <span className="text-green-700 dark:text-green-400">{row.successCount}</span>
        <span className="muted"> / </span>
        <span className={row.errorCount ? 'text-red-700 dark:text-red-400' : 'muted'}>{row.errorCount}</span>
      </span>
    </>
  );
}
