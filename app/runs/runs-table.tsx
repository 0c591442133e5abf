/**
 * The runs page's table: every run of the window, newest first, live, with "Load older runs"
 * for the next cursor page.
 */
import Link from 'next/link';
import type { RunRow } from '@/scheduler/api/ui-types';
import { RunStateBadge } from '@/app/components/badges';
import { elapsed, formatDuration, Time, useFormatCount } from '@/app/components/time';
import { ErrorMessage, Loading, Section } from '@/app/components/ui';
import { lateFor } from '@/app/components/timeline/model';
import { runPageUrl } from '@/app/components/urls';

/** The table's runs and where it is in reading them. */
export interface RunsTableState {
  /** The filters and window the runs are for. */
  key: string;
  runs: RunRow[];
  /** The next (older) page, null when every run is shown. */
  cursor: string | null;
  loading: boolean;
  error: string | null;
}

export function RunsTable({ table, anyFilter, now, onRetry, onLoadMore }: { table: RunsTableState; anyFilter: boolean; now: number; onRetry: () => void; onLoadMore: () => void }) {
  const formatCount = useFormatCount();
  return (
    <Section title="All runs" actions={<span className="muted text-xs">newest first</span>}>
      <ErrorMessage className="mb-2" error={table.error ? `Could not load runs: ${table.error}` : null} retry={onRetry} />
      {table.loading && table.runs.length === 0 ? (
        <Loading label="Loading runs…" />
      ) : table.runs.length === 0 && !table.error ? (
        <p className="muted py-4 text-sm">
          No runs {anyFilter ? 'match these filters' : 'were due'} in this window. Widen the window above, or start a job from its page.
        </p>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead>
                <tr className="table-head border-b border-gray-200 dark:border-gray-800">
                  <th scope="col" className="py-2 pr-3">State</th>
                  <th scope="col" className="py-2 pr-3">Job</th>
                  <th scope="col" className="py-2 pr-3">Due</th>
                  <th scope="col" className="py-2 pr-3">Started</th>
                  <th scope="col" className="py-2 pr-3">Duration</th>
                  <th scope="col" className="py-2 pr-3">Host</th>
                  <th scope="col" className="py-2 pr-3">Trigger</th>
                  <th scope="col" className="py-2">Task id / message</th>
                </tr>
              </thead>
              <tbody>
                {table.runs.map((r) => (
                  <tr key={r.id} className="border-b border-gray-100 align-top dark:border-gray-800/70" data-testid="run-row">
                    <td className="py-1.5 pr-3">
                      <Link prefetch={false} href={runPageUrl(r.taskId)} aria-label={`Open run ${r.taskId}`} title="Open the run">
                        <RunStateBadge state={r.state} />
                      </Link>
                    </td>
                    <td className="py-1.5 pr-3">
                      <Link className="link" prefetch={false} href={`/jobs/${encodeURIComponent(r.jobName)}`}>
                        {r.jobName}
                      </Link>
                    </td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">
                      <Link className="link" prefetch={false} href={runPageUrl(r.taskId)} tabIndex={-1}>
                        <Time instant={r.due} />
                      </Link>
                    </td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">
                      <Time instant={r.startedAt ?? r.launchedAt} />
                    </td>
                    <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">
                      {r.durationMs !== null
                        ? formatDuration(r.durationMs)
                        : r.finishedAt === null && (r.startedAt ?? r.launchedAt)
                          ? `${formatDuration(elapsed((r.startedAt ?? r.launchedAt)!, now))} so far`
                          : '—'}
                    </td>
                    <td className="py-1.5 pr-3">{r.host ?? '—'}</td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">
                      {r.trigger}
                      {lateFor(r) !== null ? (
                        <span className="muted">
                          {' '}
                          for <Time instant={lateFor(r)} />
                        </span>
                      ) : null}
                    </td>
                    <td className="max-w-md py-1.5">
                      <Link prefetch={false} href={runPageUrl(r.taskId)} className="link block truncate font-mono text-xs" title={r.taskId} tabIndex={-1}>
                        {r.taskId}
                      </Link>
                      {r.message || r.reason ? (
                        <span className="muted block truncate text-xs" title={[r.reason, r.message].filter(Boolean).join(': ')}>
                          {[r.reason, r.message].filter(Boolean).join(': ')}
                        </span>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="mt-3 flex items-center gap-3">
            {table.cursor ? (
              <button type="button" className="btn" onClick={onLoadMore} disabled={table.loading}>
                {table.loading ? 'Loading…' : 'Load older runs'}
              </button>
            ) : (
              <span className="muted text-xs">{table.runs.length === 1 ? 'The only run' : `All ${formatCount(table.runs.length)} runs`} in this window shown.</span>
            )}
          </div>
        </>
      )}
    </Section>
  );
}
