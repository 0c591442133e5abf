'use client';
/**
 * One job (/jobs/[name]): configuration, the schedule in words and its next 10 runs (DST gap and
 * repeat flagged), duration percentiles and chart, run history, and a live tail of the current or
 * last run's stdout/stderr. Actions: run now (with arguments), kill, mark success, edit, delete
 * (the confirmation says what happens to the children), backfill (backfill/). Live on `job` and
 * `run` events.
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import dynamic from 'next/dynamic';
import type { JobDetail, PreviewRun, RunPage, RunRow, UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend, useApi, type UseApiResult } from './api';
import { Badge, isActiveRun, JobStateBadge, RunStateBadge, StatusBadge } from './badges';
import { BackfillPanel } from './backfill/backfill-panel';
import { ConfirmDialog } from './confirm-dialog';
import { ConfigList } from './job-config-list';
import { EmptyState } from './empty-state';
import { JobPause, type PauseView } from './job-pause';
import { LogTail } from './log-tail';
import { JobVersions } from './job-versions';
import { JobNotifications } from './notifications-table';
import { Time, formatDuration, useDisplayZone } from './time';
import { ErrorMessage, Loading, Notice, PageHeader, Section } from './ui';
import { jobDetailUrls, jobVersionPageUrl } from './urls';

const enc = encodeURIComponent;
// recharts loads after the page shows (see duration-chart.tsx)
const DurationChart = dynamic(() => import('./duration-chart').then((m) => m.DurationChart), { ssr: false });

export function JobDetailView({ name, version = null }: { name: string; version?: number | null }) {
  const router = useRouter();
  // Set while this page deletes the job: its own deletion is not refetched (a 404) on the way out.
  const deleting = useRef(false);
  const aboutThisJob = useCallback((e: UiEvent) => !deleting.current && ((e.type === 'job' && e.name === name) || (e.type === 'run' && e.run.jobName === name)), [name]);
  const urls = jobDetailUrls(name);
  const detail = useApi<JobDetail>(urls.detail, { refreshOn: aboutThisJob, throttleMs: 700 });
  const next = useApi<PreviewRun[]>(urls.next, {
    refreshOn: (e) => !deleting.current && ((e.type === 'job' && e.name === name) || (e.type === 'run' && e.run.jobName === name && e.run.state === 'QUEUED')),
    throttleMs: 1500,
  });
  // The history's first page is asked for with the detail, not after it arrives (one round trip less).
  const history = useApi<RunPage>(urls.history, {
    refreshOn: (e) => !deleting.current && e.type === 'run' && e.run.jobName === name,
    throttleMs: 700,
  });
  const [action, setAction] = useState<null | 'delete' | 'run' | 'kill' | 'success'>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [args, setArgs] = useState('');
  const [logTask, setLogTask] = useState<string | null>(null);

  if (detail.loading && !detail.data) return <Loading label={`Loading ${name}…`} />;
  if (!detail.data) {
    if (detail.error && (detail.error.status === 404 || detail.error.status === 400)) {
      return (
        <div className="space-y-6">
          <EmptyState title={`No job named “${name}”`} action={<Link href="/jobs/deleted" className="btn">Deleted jobs</Link>}>
            It may have been deleted or renamed. {detail.error.message}
          </EmptyState>
          {detail.error.status === 404 ? <JobVersions name={name} focus={version} onRestored={detail.refresh} /> : null}
        </div>
      );
    }
    return <ErrorMessage error={detail.error ?? 'No data'} retry={detail.refresh} />;
  }
  const d = detail.data;
  const row = d.row;
  const running = row.state.running > 0;
  // The log shows the run picked in the history, else the current run once launched, else the
  // latest launched one (a queued retry has no output yet: its failed attempt has).
  const launched = d.currentRun && (d.currentRun.launchedAt !== null || d.currentRun.state !== 'QUEUED') ? d.currentRun : history.data?.runs.find((r) => r.launchedAt !== null) ?? null;
  const currentTask = logTask ?? launched?.taskId ?? d.currentRun?.taskId ?? null;
  const logRun = history.data?.runs.find((r) => r.taskId === currentTask) ?? (d.currentRun?.taskId === currentTask ? d.currentRun : null);
  const logFailed = logRun !== null && ['FAILED', 'ERROR', 'LOST', 'DROPPED', 'KILLED'].includes(logRun.state);

  const act = async () => {
    setNotice(null);
    if (action === 'run') {
      const q = args.trim() ? `?arguments=${enc(args.trim())}` : '';
      await apiSend('PUT', `/v1/scheduler/job/${enc(name)}${q}`);
      setNotice('Queued a manual run.');
    } else if (action === 'kill') {
      await apiSend('DELETE', `/v1/scheduler/task/kill/${enc(name)}`);
      setNotice('Kill requested for the running tasks.');
    } else if (action === 'success') {
      const text = await apiSend<string>('PUT', `/v1/scheduler/job/success/${enc(name)}`);
      setNotice(typeof text === 'string' ? text : 'Marked as successful.');
    } else if (action === 'delete') {
      deleting.current = true;
      try {
        await apiSend('DELETE', `/v1/scheduler/job/${enc(name)}`);
      } catch (e) {
        deleting.current = false;
        throw e;
      }
      router.push('/jobs');
      return;
    }
    detail.refresh();
  };

  const isDependency = row.kind === 'dependent';
  return (
    <div className="space-y-6">
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-2">
            <span className={row.disabled ? 'line-through decoration-gray-400' : ''}>{row.name}</span>
            <StatusBadge status={row.status} retry={row.state.retry} />
            <JobStateBadge state={row.state} />
            {row.disabled ? <Badge tone="gray">disabled</Badge> : null}
            {row.highPriority ? <Badge tone="violet">high priority</Badge> : null}
          </span>
        }
        subtitle={row.description || undefined}
        actions={
          <>
            <button type="button" className="btn btn-primary" onClick={() => setAction('run')}>
              Run now
            </button>
            <button type="button" className="btn" onClick={() => setAction('kill')} disabled={!running && row.state.queued === 0}>
              Kill
            </button>
            <button type="button" className="btn" onClick={() => setAction('success')}>
              Mark success
            </button>
            <Link className="btn" href={`/jobs/${enc(name)}/edit`}>
              Edit
            </Link>
            <button type="button" className="btn btn-danger" onClick={() => setAction('delete')}>
              Delete
            </button>
          </>
        }
      />
      <Notice>{notice}</Notice>
      <JobPause name={name} pause={d.job.pause as PauseView | undefined} zone={row.scheduleTimeZone} onChanged={detail.refresh} />
      <ErrorMessage error={detail.error} retry={detail.refresh} />
      {d.queueReason && d.currentRun ? (
        <p data-testid="queue-reason" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          <Link className="font-medium underline" href={`/runs/${enc(d.currentRun.taskId)}`}>
            Queued
          </Link>
          , waiting: {d.queueReason}
        </p>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-5">
        <Section title="Configuration" className="lg:col-span-3">
          <ConfigList detail={d} />
        </Section>
        <Section title="Schedule" className="lg:col-span-2">
          <p className="text-sm font-medium">{d.scheduleText}</p>
          {isDependency ? (
            <p className="muted mt-2 text-sm">
              Runs after every parent has succeeded since its last run:{' '}
              {row.parents.map((p, i) => (
                <span key={p}>
                  {i ? ', ' : ''}
                  <Link className="link" href={`/jobs/${enc(p)}`}>
                    {p}
                  </Link>
                </span>
              ))}
            </p>
          ) : (
            <NextRuns zone={row.scheduleTimeZone} runs={next.data} error={next.error?.message} />
          )}
          {d.children.length ? (
            <p className="muted mt-3 text-sm">
              Children:{' '}
              {d.children.map((c, i) => (
                <span key={c}>
                  {i ? ', ' : ''}
                  <Link className="link" href={`/jobs/${enc(c)}`}>
                    {c}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          <p className="mt-3 text-sm">
            <Link className="link" href={`/graph?focus=${enc(name)}`}>
              Show in the dependency graph
            </Link>
          </p>
        </Section>
      </div>

      <Section
        title="Log"
        actions={
          currentTask ? (
            <Link className="link truncate font-mono text-xs" href={`/runs/${enc(currentTask)}`} title="Open the run">
              {currentTask}
            </Link>
          ) : null
        }
      >
        {currentTask ? (
          <LogTail key={`${currentTask}:${logFailed}`} taskId={currentTask} active={isActive(d, currentTask)} initialFile={logFailed ? 'stderr' : 'stdout'} />
        ) : (
          <p className="muted text-sm">This job has not run yet. “Run now” starts it and its output appears here live.</p>
        )}
      </Section>

      <BackfillPanel name={name} scheduled={!isDependency && !row.disabled} />

      <History name={name} detail={d} first={history} onShowLog={setLogTask} shownTask={currentTask} />

      <JobVersions name={name} zone={row.scheduleTimeZone} focus={version} onRestored={detail.refresh} />

      <JobNotifications name={name} />

      <ConfirmDialog
        open={action !== null}
        title={
          action === 'delete' ? `Delete ${name}?` : action === 'run' ? `Run ${name} now?` : action === 'kill' ? `Kill the tasks of ${name}?` : `Mark ${name} as successful?`
        }
        confirmLabel={action === 'delete' ? 'Delete' : action === 'run' ? 'Run now' : action === 'kill' ? 'Kill' : 'Mark success'}
        danger={action === 'delete' || action === 'kill'}
        onConfirm={act}
        onClose={() => setAction(null)}
      >
        {action === 'delete' ? <DeleteConsequences detail={d} /> : null}
        {action === 'run' ? (
          <div>
            <p>A manual run is queued now, in addition to the schedule.</p>
            <label className="label mt-3" htmlFor="run-args">
              Arguments (optional)
            </label>
            <input id="run-args" className="input font-mono" value={args} onChange={(e) => setArgs(e.target.value)} placeholder="--date 2026-01-01" />
            <p className="hint">Appended to the command (the `arguments` query parameter of PUT /v1/scheduler/job/{'{name}'}).</p>
          </div>
        ) : null}
        {action === 'kill' ? <p>Every running task of this job is killed; queued runs stay queued.</p> : null}
        {action === 'success' ? <p>Records a success now, as if a run had finished: dependents whose parents have all succeeded will fire.</p> : null}
      </ConfirmDialog>
    </div>
  );
}

function isActive(d: JobDetail, taskId: string): boolean {
  return d.currentRun?.taskId === taskId ? isActiveRun(d.currentRun.state) : false;
}

function DeleteConsequences({ detail }: { detail: JobDetail }) {
  const { row, children } = detail;
  return (
    <div className="space-y-2">
      <p>The job is deleted, its schedule removed and its running tasks killed. Its run history is kept.</p>
      {children.length === 0 ? (
        <p>No other job depends on it.</p>
      ) : row.kind === 'dependent' ? (
        <p>
          Its {children.length} dependent{children.length === 1 ? '' : 's'} (<b>{children.join(', ')}</b>) will be re-parented to its parents (<b>{row.parents.join(', ')}</b>).
        </p>
      ) : (
        <p>
          Its {children.length} dependent{children.length === 1 ? '' : 's'} (<b>{children.join(', ')}</b>) will become scheduled job{children.length === 1 ? '' : 's'} with its schedule{' '}
          <code className="font-mono">{row.schedule}</code>
          {row.scheduleTimeZone ? ` (${row.scheduleTimeZone})` : ''}, losing their other parents, container, environment, arguments, constraints and description (as Chronos does).
        </p>
      )}
    </div>
  );
}

function NextRuns({ zone, runs, error }: { zone: string; runs: PreviewRun[] | undefined; error?: string }) {
  if (error) return <p className="field-error">{error}</p>;
  if (!runs) return <Loading label="Computing the next runs…" />;
  if (runs.length === 0) return <p className="muted mt-2 text-sm">No future runs (the repetitions are used up or the job is disabled).</p>;
  return <PreviewTable runs={runs} zone={zone} />;
}

/** The next runs of a schedule: viewer's time, the job's wall time, DST flags. Used by the editor too. */
export function PreviewTable({ runs, zone }: { runs: PreviewRun[]; zone: string }) {
  const shown = useDisplayZone(zone);
  return (
    <div className="mt-3 overflow-x-auto">
    <table className="w-full text-sm">
      <caption className="sr-only">Next runs</caption>
      <thead>
        <tr>
          <th className="table-head pb-1">#</th>
          <th className="table-head pb-1">When ({shown})</th>
          <th className="table-head pb-1">In the job&apos;s zone</th>
          <th className="table-head pb-1">
            <span className="sr-only">Flags</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r, i) => (
          <tr key={r.at} className="border-t border-gray-100 dark:border-gray-800">
            <td className="muted py-1 pr-2 tabular-nums">{i + 1}</td>
            <td className="py-1 pr-2 whitespace-nowrap tabular-nums">
              <Time instant={r.at} zone={zone} />
            </td>
            <td className="muted py-1 pr-2 whitespace-nowrap tabular-nums" title={r.local}>
              <Time instant={r.at} zone={zone} fixed />
            </td>
            <td className="py-1">
              {r.flags.map((f) => (
                <Badge key={f} tone={f === 'overdue' ? 'red' : f === 'paused' ? 'gray' : 'amber'} title={FLAG_TEXT[f]}>
                  {FLAG_LABEL[f]}
                </Badge>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

const FLAG_TEXT: Record<PreviewRun['flags'][number], string> = {
  'dst-gap': 'This wall time does not exist on that day (clocks spring forward): the run happens at the time moved forward by the gap.',
  'dst-repeat': 'This wall time happens twice on that day (clocks fall back): the run happens once, at the first occurrence.',
  overdue: 'Due in the past and not yet run.',
  paused: "Inside the job's pause: this instant will not run (the schedule goes on after the pause ends).",
};

const FLAG_LABEL: Record<PreviewRun['flags'][number], string> = { 'dst-gap': 'DST gap', 'dst-repeat': 'DST repeat', overdue: 'overdue', paused: 'paused' };

function History({
  name,
  detail,
  first,
  onShowLog,
  shownTask,
}: {
  name: string;
  detail: JobDetail;
  /** The first page (`${base}`), fetched by the page alongside the detail. */
  first: UseApiResult<RunPage>;
  onShowLog: (t: string) => void;
  shownTask: string | null;
}) {
  const base = jobDetailUrls(name).history;
  const [more, setMore] = useState<RunRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<string | null>(null);
  useEffect(() => {
    setMore([]);
    setCursor(undefined);
  }, [name]);
  const runs = useMemo(() => {
    const seen = new Set<string>();
    return [...(first.data?.runs ?? []), ...more].filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
  }, [first.data, more]);
  const nextCursor = cursor === undefined ? first.data?.nextCursor ?? null : cursor;
  const loadMore = async () => {
    if (!nextCursor) return;
    try {
      const page = await apiFetch<RunPage>(`${base}&cursor=${enc(nextCursor)}`);
      setMore((m) => [...m, ...page.runs]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError((e as Error).message);
    }
  };
  const zone = detail.row.scheduleTimeZone;
  const chart = useMemo(
    () =>
      runs
        .filter((r) => r.durationMs !== null)
        .slice(0, 60)
        .reverse()
        .map((r) => ({ at: r.startedAt ?? r.queuedAt, seconds: (r.durationMs ?? 0) / 1000, state: r.state, taskId: r.taskId })),
    [runs],
  );
  const shown = useDisplayZone(zone);

  return (
    <Section title="Run history" actions={<Link className="link text-xs" href={`/runs?job=${enc(name)}`}>All runs</Link>}>
      <ErrorMessage error={first.error} retry={first.refresh} className="mb-2" />
      {chart.length > 1 ? (
        <figure className="mb-4">
          <figcaption className="muted mb-1 text-xs">Duration of the last {chart.length} finished runs (seconds)</figcaption>
          <div className="h-40 w-full" data-testid="duration-chart">
            <DurationChart chart={chart} zone={shown} />
          </div>
        </figure>
      ) : null}
      {first.loading && !first.data ? (
        <Loading label="Loading runs…" />
      ) : runs.length === 0 ? (
        <p className="muted text-sm">No runs yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Run history">
            <thead>
              <tr>
                <th className="table-head py-1 pr-3">Due / started</th>
                <th className="table-head py-1 pr-3">State</th>
                <th className="table-head py-1 pr-3">Trigger</th>
                <th className="table-head py-1 pr-3 text-right">Duration</th>
                <th className="table-head py-1 pr-3">Host</th>
                <th className="table-head py-1 pr-3">Message</th>
                <th className="table-head py-1">
                  <span className="sr-only">Log</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} className={`border-t border-gray-100 dark:border-gray-800 ${shownTask === r.taskId ? 'bg-sky-50 dark:bg-sky-950/30' : ''}`}>
                  <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">
                    <Link className="link" prefetch={false} href={`/runs/${enc(r.taskId)}`} aria-label={`Open run ${r.taskId}`}>
                      <Time instant={r.startedAt ?? r.due} zone={zone} seconds />
                    </Link>
                  </td>
                  <td className="py-1.5 pr-3">
                    <RunStateBadge state={r.state} />
                  </td>
                  <td className="py-1.5 pr-3 text-xs">
                    {r.trigger}
                    {r.attempt > 0 ? ` · try ${r.attempt + 1}` : ''}
                    {r.jobVersion ? (
                      <Link className="link ml-1" href={jobVersionPageUrl(name, r.jobVersion)} title={`ran with version ${r.jobVersion} of the job`}>
                        v{r.jobVersion}
                      </Link>
                    ) : null}
                    {r.arguments ? <span className="muted font-mono"> {r.arguments}</span> : null}
                  </td>
                  <td className="py-1.5 pr-3 text-right tabular-nums">{formatDuration(r.durationMs)}</td>
                  <td className="py-1.5 pr-3 text-xs">{r.host ?? '—'}</td>
                  <td className="max-w-[18rem] truncate py-1.5 pr-3 text-xs" title={r.message ?? ''}>
                    {r.message ?? r.reason ?? ''}
                  </td>
                  <td className="py-1.5 text-right">
                    <button type="button" className="link text-xs" onClick={() => onShowLog(r.taskId)} aria-label={`Show the log of run ${r.taskId}`}>
                      log
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError ? <p className="field-error">{moreError}</p> : null}
      {nextCursor ? (
        <button type="button" className="btn mt-3" onClick={loadMore}>
          Load older runs
        </button>
      ) : null}
    </Section>
  );
}
