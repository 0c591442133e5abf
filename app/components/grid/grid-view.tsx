'use client';
/**
 * The pipeline grid (/grid): a group of jobs (a pipeline, a name prefix or an owner) as rows, parents
 * first, against its last N scheduled instants as columns, oldest first. Each cell is the job's
 * latest run in that span, coloured by its state and linking to its run page; a column with
 * failures offers "rerun failed and downstream" (../run/rerun-dialog.tsx). Live on run events.
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import type { GridCell, PipelineGrid } from '@/scheduler/api/ui-types';
import { useApi } from '../api';
import { EmptyState } from '../empty-state';
import { NameEllipsis } from '../name-ellipsis';
import { RerunDialog } from '../run/rerun-dialog';
import { formatInstant, useDisplayZone } from '../time';
import { ErrorMessage, Loading, Notice, PageHeader, Section } from '../ui';
import { gridDataUrl, gridPageUrl, runPageUrl, type GridQuery } from '../urls';

const CELL_COLOR: Record<string, string> = {
  FINISHED: 'bg-green-500',
  FAILED: 'bg-red-600',
  ERROR: 'bg-red-600',
  LOST: 'bg-red-400',
  DROPPED: 'bg-red-400',
  KILLED: 'bg-violet-500',
  KILLING: 'bg-violet-400',
  QUEUED: 'bg-amber-400',
  SKIPPED: 'bg-amber-200',
  STAGING: 'bg-sky-400',
  STARTING: 'bg-sky-400',
  RUNNING: 'bg-sky-500',
};
const FAILED = new Set(['FAILED', 'ERROR', 'LOST', 'DROPPED']);

export function GridView({ query }: { query: GridQuery }) {
  const router = useRouter();
  const grid = useApi<PipelineGrid>(gridDataUrl(query), { refreshOn: (e) => e.type === 'run', throttleMs: 2000 });
  const [rerun, setRerun] = useState<{ ids: string[]; label: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const zone = useDisplayZone();

  const pick = (q: GridQuery) => router.push(gridPageUrl({ ...q, n: query.n }));
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const by = String(f.get('by'));
    const value = String(f.get('value') ?? '').trim();
    pick(by === 'prefix' ? { prefix: value } : by === 'owner' ? { owner: value } : { job: value || undefined });
  };

  const g = grid.data;
  // one label per column (formatting is the costly part of 300 rows × 14 cells)
  const labels = useMemo(() => (g ? g.columns.map((c) => formatInstant(c, zone)) : []), [g, zone]);
  return (
    <div className="min-w-0 space-y-4">
      <PageHeader title="Pipeline grid" subtitle="Jobs against their last scheduled instants: which nights and steps broke. A cell opens its run." />
      <Section title="Group">
        <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" aria-label="Choose the jobs">
          {g && g.pipelines.length ? (
            <label className="flex min-w-0 flex-col text-sm">
              <span className="label">Pipeline</span>
              <select
                className="input max-w-full"
                value={g.group.by === 'pipeline' ? g.pipelines.find((p) => g.jobs.some((j) => j.name === p.job))?.job ?? '' : ''}
                onChange={(e) => pick({ job: e.target.value })}
              >
                <option value="">—</option>
                {g.pipelines.map((p) => (
                  <option key={p.job} value={p.job}>
                    {p.job} ({p.size} jobs)
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label className="flex flex-col text-sm">
            <span className="label">or by</span>
            <select name="by" className="input" defaultValue={query.prefix ? 'prefix' : query.owner ? 'owner' : 'job'}>
              <option value="job">pipeline of job</option>
              <option value="prefix">name prefix</option>
              <option value="owner">owner</option>
            </select>
          </label>
          <label className="flex min-w-0 flex-1 flex-col text-sm">
            <span className="label">Name</span>
            <input name="value" className="input" defaultValue={query.prefix ?? query.owner ?? query.job ?? ''} placeholder="etl-nightly" />
          </label>
          <button type="submit" className="btn">
            Show
          </button>
        </form>
      </Section>
      <Notice>{notice}</Notice>
      <ErrorMessage error={grid.error} retry={grid.refresh} />
      {!g ? (
        grid.loading ? <Loading label="Loading the grid…" /> : null
      ) : g.jobs.length === 0 ? (
        <EmptyState title="No jobs in this group" action={<Link className="btn" href="/jobs">Jobs</Link>}>
          No job matches {g.group.by} “{g.group.value}”.
        </EmptyState>
      ) : (
        <Section
          title={`${g.group.by === 'pipeline' ? `Pipeline of ${g.group.value}` : `${g.group.by} ${g.group.value}`}: ${g.jobs.length} jobs × ${g.columns.length} instants`}
          actions={g.omittedJobs ? <span className="muted text-xs">{g.omittedJobs} more jobs not shown</span> : null}
        >
          {g.columns.length === 0 ? (
            <p className="muted text-sm">None of these jobs has run yet.</p>
          ) : (
            <div className="max-h-[70vh] overflow-auto" data-testid="grid-scroll">
              <table className="border-separate border-spacing-0 text-xs" aria-label="Pipeline grid">
                <thead>
                  <tr>
                    <th scope="col" className="table-head sticky top-0 left-0 z-20 bg-white pr-2 text-left dark:bg-gray-950">
                      Job
                    </th>
                    {g.columns.map((c, ci) => {
                      const failed = g.cells.map((row) => row[ci]).filter((cell): cell is GridCell => cell !== null && FAILED.has(cell.state));
                      const label = labels[ci];
                      return (
                        <th key={c} scope="col" className="table-head sticky top-0 z-10 bg-white px-1 align-bottom dark:bg-gray-950">
                          <span className="block whitespace-nowrap [writing-mode:vertical-rl] rotate-180" title={label}>
                            {label}
                          </span>
                          {failed.length ? (
                            <button
                              type="button"
                              className="mt-1 rounded bg-red-600 px-1 text-[10px] font-semibold text-white"
                              aria-label={`Rerun the ${failed.length} failed jobs of ${label} and their downstream`}
                              title="Rerun failed and downstream"
                              onClick={() => setRerun({ ids: failed.map((f) => f.taskId), label })}
                            >
                              ↻{failed.length}
                            </button>
                          ) : null}
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {g.jobs.map((j, ri) => (
                    <tr key={j.name}>
                      <th scope="row" className="sticky left-0 z-10 max-w-[10rem] truncate bg-white py-0.5 pr-2 text-left font-normal dark:bg-gray-950" title={j.parents.length ? `after ${j.parents.join(', ')}` : 'scheduled'}>
                        <Link className={`link flex min-w-0 ${j.disabled ? 'line-through' : ''}`} prefetch={false} href={`/jobs/${encodeURIComponent(j.name)}`}>
                          {j.parents.length ? <span className="shrink-0 whitespace-pre">└ </span> : null}
                          <NameEllipsis name={j.name} />
                        </Link>
                      </th>
                      {g.columns.map((c, ci) => {
                        const cell = g.cells[ri][ci];
                        return (
                          <td key={c} className="p-0.5 text-center">
                            {cell ? (
                              // a plain link: thousands of next/link components cost the first render more than they give
                              <a
                                href={runPageUrl(cell.taskId)}
                                aria-label={`${j.name} ${labels[ci]}: ${cell.state.toLowerCase()}${cell.attempts > 1 ? `, ${cell.attempts} runs` : ''}`}
                                data-state={cell.state}
                                className={`block h-5 w-5 rounded-sm ${CELL_COLOR[cell.state] ?? 'bg-gray-400'}${cell.attempts > 1 ? ' ring-2 ring-inset ring-gray-900/30' : ''}`}
                              />
                            ) : (
                              <span aria-hidden="true" className="block h-5 w-5 rounded-sm border border-dashed border-gray-300 dark:border-gray-700" />
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Legend />
        </Section>
      )}
      <RerunDialog
        taskIds={rerun?.ids ?? null}
        title={`Rerun the failed jobs of ${rerun?.label ?? ''} and their downstream?`}
        onClose={() => setRerun(null)}
        onDone={(r) => {
          setNotice(`Queued ${r.queued.length} rerun${r.queued.length === 1 ? '' : 's'}; ${r.plan.downstream.length} downstream job${r.plan.downstream.length === 1 ? '' : 's'} follow as their parents succeed.`);
          grid.refresh();
        }}
      />
    </div>
  );
}

function Legend() {
  const items: Array<[string, string]> = [
    ['finished', CELL_COLOR.FINISHED],
    ['failed', CELL_COLOR.FAILED],
    ['running', CELL_COLOR.RUNNING],
    ['queued', CELL_COLOR.QUEUED],
    ['killed', CELL_COLOR.KILLED],
  ];
  return (
    <p className="muted mt-3 flex flex-wrap gap-3 text-xs">
      {items.map(([label, color]) => (
        <span key={label} className="inline-flex items-center gap-1">
          <span aria-hidden="true" className={`inline-block h-3 w-3 rounded-sm ${color}`} /> {label}
        </span>
      ))}
      <span>outlined: more than one run (retries, reruns)</span>
    </p>
  );
}
