/**
 * Bulk actions on the job list: run now, disable, enable or delete the selected jobs, by name or,
 * when "all N matching jobs" are selected, as the search and filters (POST /api/jobs/bulk
 * {action, query, expect: N}, refused when the count has changed). The toolbar, the confirmation
 * that says what the action applies to, and the note with the outcome.
 */
import type { BulkResult } from '@/scheduler/api/ui-types';
import { ConfirmDialog } from '../confirm-dialog';
import { FILTER_KEYS, type JobFilters } from './jobs-filters';

type Filters = JobFilters;

/** The search and filters (no sort, no paging): what "all matching" means, for the bulk API. */
export function matchQuery(f: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    if (k === 'sort' || k === 'dir') continue;
    const v = f[k].trim();
    if (v !== '') out[k] = v;
  }
  return out;
}

/** The search and filters in words: `search “nightly-”, status failure, disabled`. */
export function describeMatch(f: Filters): string {
  const parts: string[] = [];
  if (f.q.trim()) parts.push(`search “${f.q.trim()}”`);
  if (f.status) parts.push(`status ${f.status}`);
  if (f.state) parts.push(`state ${f.state}`);
  if (f.kind) parts.push(f.kind);
  if (f.disabled) parts.push(f.disabled === 'true' ? 'disabled' : 'enabled');
  if (f.owner.trim()) parts.push(`owner “${f.owner.trim()}”`);
  return parts.join(', ');
}

export type BulkAction = 'run' | 'disable' | 'enable' | 'delete';
export type BulkScope =
  | { action: BulkAction; all: false; names: string[] }
  | { action: BulkAction; all: true; query: Record<string, string>; count: number; words: string };

export const bulkVerb = (a: BulkAction) => ({ run: 'Run now', disable: 'Disable', enable: 'Enable', delete: 'Delete' })[a];

/** The actions on the selection, what is selected, and the offer to select every matching job. */
export function BulkToolbar({
  allMatching,
  count,
  selectedCount,
  loadedCount,
  allLoadedSelected,
  matchWords,
  formatCount,
  onAction,
  onClear,
  onSelectAllMatching,
}: {
  allMatching: boolean;
  count: number;
  selectedCount: number;
  loadedCount: number;
  allLoadedSelected: boolean;
  matchWords: string;
  formatCount: (n: number) => string;
  onAction: (action: BulkAction) => void;
  onClear: () => void;
  onSelectAllMatching: () => void;
}) {
  return (
    <div role="toolbar" aria-label="Bulk actions" className="mb-3 flex flex-wrap items-center gap-2 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm dark:border-sky-900 dark:bg-sky-950/40">
      <span className="font-medium" data-testid="selection-summary">
        {allMatching
          ? `All ${formatCount(count)} job${count === 1 ? '' : 's'}${matchWords ? ' matching this search' : ''} selected`
          : `${formatCount(selectedCount)} selected`}
      </span>
      <button type="button" className="btn btn-sm" onClick={() => onAction('run')}>
        Run now
      </button>
      <button type="button" className="btn btn-sm" onClick={() => onAction('disable')}>
        Disable
      </button>
      <button type="button" className="btn btn-sm" onClick={() => onAction('enable')}>
        Enable
      </button>
      <button type="button" className="btn btn-sm btn-danger" onClick={() => onAction('delete')}>
        Delete
      </button>
      <button type="button" className="btn btn-sm ml-auto" onClick={onClear}>
        Clear selection
      </button>
      {!allMatching && allLoadedSelected && count > loadedCount ? (
        <p className="w-full text-sm">
          The {formatCount(loadedCount)} loaded job{loadedCount === 1 ? ' is' : 's are'} selected.{' '}
          <button type="button" className="link font-medium" onClick={onSelectAllMatching}>
            Select all {formatCount(count)} jobs{matchWords ? ' matching this search' : ''}
          </button>
        </p>
      ) : null}
    </div>
  );
}

/** What the last bulk action did: how many jobs it changed, and why the others failed. */
export function BulkResultNote({ action, result, onDismiss }: { action: BulkAction; result: BulkResult; onDismiss: () => void }) {
  return (
    <div role="status" className="mb-3 rounded-md border border-gray-200 px-3 py-2 text-sm dark:border-gray-800">
      {bulkVerb(action)}: {result.ok.length} ok
      {result.failed.length ? (
        <>
          , {result.failed.length} failed:
          <ul className="mt-1 list-disc pl-5 text-red-700 dark:text-red-400">
            {result.failed.slice(0, 10).map((f) => (
              <li key={f.name}>
                {f.name}: {f.error}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <button type="button" className="link ml-2 text-xs" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** The confirmation of a bulk action, saying what it does and what it applies to. */
export function BulkConfirmDialog({ bulk, formatCount, onConfirm, onClose }: { bulk: BulkScope | null; formatCount: (n: number) => string; onConfirm: (scope: BulkScope) => Promise<void>; onClose: () => void }) {
  return (
    <ConfirmDialog
      open={bulk !== null}
      title={
        bulk
          ? bulk.all
            ? `${bulkVerb(bulk.action)} all ${formatCount(bulk.count)} job${bulk.count === 1 ? '' : 's'}${bulk.words ? ' matching this search' : ''}?`
            : `${bulkVerb(bulk.action)} ${bulk.names.length} job${bulk.names.length === 1 ? '' : 's'}?`
          : ''
      }
      confirmLabel={bulk ? bulkVerb(bulk.action) : 'Confirm'}
      danger={bulk?.action === 'delete' || bulk?.action === 'disable'}
      onConfirm={() => (bulk ? onConfirm(bulk) : undefined)}
      onClose={onClose}
    >
      {bulk?.action === 'delete' ? (
        <p>
          The jobs and their schedules are deleted and running tasks are killed. Their dependents are re-parented to the deleted jobs' parents, or become scheduled jobs with a deleted job's
          schedule.
        </p>
      ) : bulk?.action === 'run' ? (
        <p>Each job is queued to run once now, in addition to its schedule.</p>
      ) : bulk?.action === 'disable' ? (
        <p>Disabled jobs are not scheduled and do not fire as dependents until enabled again.</p>
      ) : (
        <p>The jobs go back on their schedules.</p>
      )}
      {bulk?.all ? (
        <p className="mt-2 text-xs">
          Every job {bulk.words ? <>matching {bulk.words}</> : 'there is'}, including those not loaded in the table. If the number of matching jobs has changed by then, nothing is done.
        </p>
      ) : bulk ? (
        <p className="muted mt-2 truncate text-xs">{bulk.names.slice(0, 12).join(', ')}{bulk.names.length > 12 ? ', …' : ''}</p>
      ) : null}
    </ConfirmDialog>
  );
}
