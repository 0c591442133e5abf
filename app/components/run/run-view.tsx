'use client';
/**
 * The run page (/runs/[taskId]): every attempt for the instant the run is for as a tab; on a failed
 * attempt its exit message and Mesos reason and its stderr first; the state timeline
 * (run-steps.tsx); while queued, why it waits; actions: kill, rerun failed and downstream
 * (rerun-dialog.tsx), mark success. Live on the job's `run` events.
 */
import Link from 'next/link';
import { useCallback, useRef, useState } from 'react';
import type { RunDetail, RunRow, UiEvent } from '@/scheduler/api/ui-types';
import { apiSend, useApi } from '../api';
import { isActiveRun, RunStateBadge } from '../badges';
import { ConfirmDialog } from '../confirm-dialog';
import { EmptyState } from '../empty-state';
import { LogTail } from '../log-tail';
import { formatDuration, Time } from '../time';
import { ErrorMessage, Loading, Notice, PageHeader, Section } from '../ui';
import { gridPageUrl, jobVersionPageUrl, runDetailUrl, runPageUrl } from '../urls';
import { RerunDialog } from './rerun-dialog';
import { RunSteps } from './run-steps';

const enc = encodeURIComponent;
const FAILED: ReadonlySet<string> = new Set(['FAILED', 'ERROR', 'LOST', 'DROPPED', 'KILLED']);

export function RunView({ taskId }: { taskId: string }) {
  // the job the run belongs to, once known: only its run events refresh the page
  const jobName = useRef<string | null>(null);
  const aboutThisJob = useCallback((e: UiEvent) => e.type === 'run' && (jobName.current === null || e.run.jobName === jobName.current), []);
  const detail = useApi<RunDetail>(runDetailUrl(taskId), { refreshOn: aboutThisJob, throttleMs: 700 });
  const [selected, setSelected] = useState(taskId);
  const [action, setAction] = useState<null | 'kill' | 'success'>(null);
  const [rerun, setRerun] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  if (detail.loading && !detail.data) return <Loading label="Loading the run…" />;
  if (!detail.data) {
    if (detail.error && (detail.error.status === 404 || detail.error.status === 400)) {
      return (
        <EmptyState title="No such run" action={<Link href="/runs" className="btn">All runs</Link>}>
          {detail.error.message}
        </EmptyState>
      );
    }
    return <ErrorMessage error={detail.error ?? 'No data'} retry={detail.refresh} />;
  }
  const d = detail.data;
  const attempts = d.attempts;
  const current = attempts.find((a) => a.run.taskId === selected) ?? attempts.find((a) => a.run.taskId === d.taskId) ?? attempts[0];
  const run = current.run;
  jobName.current = run.jobName;
  const failed = FAILED.has(run.state);
  const latest = attempts[attempts.length - 1].run;

  const act = async () => {
    setNotice(null);
    if (action === 'kill') {
      await apiSend('DELETE', `/v1/scheduler/task/kill/${enc(run.jobName)}`);
      setNotice(`Kill requested for the running tasks of ${run.jobName}.`);
    } else if (action === 'success') {
      const text = await apiSend<string>('PUT', `/v1/scheduler/job/success/${enc(run.jobName)}`);
      setNotice(typeof text === 'string' ? text : 'Marked as successful.');
    }
    detail.refresh();
  };

  return (
    <div className="min-w-0 space-y-6">
      <PageHeader
        title={
          <span className="flex min-w-0 flex-wrap items-center gap-2">
            <Link className="link break-all" href={`/jobs/${enc(run.jobName)}`}>
              {run.jobName}
            </Link>
            <RunStateBadge state={run.state} />
          </span>
        }
        subtitle={
          <span>
            For <Time instant={run.intendedDue ?? run.due} seconds /> · {attempts.length} attempt{attempts.length === 1 ? '' : 's'}
            {d.job.exists ? '' : ' · the job has been deleted'}
          </span>
        }
        actions={
          <>
            {isActiveRun(latest.state) ? (
              <button type="button" className="btn" onClick={() => setAction('kill')} disabled={!d.job.exists || latest.state === 'QUEUED'}>
                Kill
              </button>
            ) : (
              <button type="button" className="btn btn-primary" onClick={() => setRerun([latest.taskId])} disabled={!d.job.exists}>
                {d.job.downstream > 0 ? 'Rerun with downstream' : 'Rerun'}
              </button>
            )}
            <button type="button" className="btn" onClick={() => setAction('success')} disabled={!d.job.exists}>
              Mark success
            </button>
            {d.job.exists ? (
              <Link className="btn" href={gridPageUrl({ job: run.jobName })}>
                Pipeline grid
              </Link>
            ) : null}
          </>
        }
      />
      <Notice>{notice}</Notice>
      <ErrorMessage error={detail.error} retry={detail.refresh} />

      <div role="tablist" aria-label="Attempts" className="flex flex-wrap gap-1">
        {attempts.map((a, i) => (
          <button
            key={a.run.taskId}
            type="button"
            role="tab"
            id={`tab-${i}`}
            aria-selected={a.run.taskId === run.taskId}
            aria-controls="attempt-panel"
            onClick={() => {
              setSelected(a.run.taskId);
              window.history.replaceState(null, '', runPageUrl(a.run.taskId));
            }}
            className={`rounded-md border px-3 py-1.5 text-sm ${
              a.run.taskId === run.taskId ? 'border-gray-900 bg-gray-900 text-white dark:border-gray-100 dark:bg-gray-100 dark:text-gray-900' : 'border-gray-300 dark:border-gray-700'
            }`}
          >
            Attempt {i + 1} · {a.run.state.toLowerCase()}
          </button>
        ))}
      </div>

      <div id="attempt-panel" role="tabpanel" aria-labelledby={`tab-${attempts.indexOf(current)}`} className="space-y-6">
        {failed ? (
          <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/40 dark:text-red-200">
            <p className="font-medium">
              {run.state.toLowerCase()}
              {run.finishedAt !== null ? (
                <>
                  {' '}
                  at <Time instant={run.finishedAt} seconds />
                </>
              ) : null}
            </p>
            <p className="break-words" data-testid="exit-status">{run.message ?? 'no message from Mesos'}</p>
            {run.reason ? <p className="font-mono text-xs break-all" data-testid="mesos-reason">{run.reason}</p> : null}
          </div>
        ) : null}
        {current.waiting ? (
          <p data-testid="queue-reason" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
            <span className="font-medium">Waiting: </span>
            {current.waiting}
          </p>
        ) : null}

        <Section title="Log">
          {run.launchedAt === null && run.state === 'QUEUED' ? (
            <p className="muted text-sm">This attempt has not been launched yet: its output appears here once it runs.</p>
          ) : run.launchedAt === null ? (
            <p className="muted text-sm">This attempt was never launched ({run.state.toLowerCase()}), so it has no output.</p>
          ) : (
            <LogTail key={run.taskId} taskId={run.taskId} active={isActiveRun(run.state)} initialFile={failed ? 'stderr' : 'stdout'} />
          )}
        </Section>

        <div className="grid min-w-0 gap-6 lg:grid-cols-2">
          <Section title="State timeline">
            <RunSteps steps={current.steps} />
          </Section>
          <Section title="Details">
            <RunFacts run={run} detail={d} />
          </Section>
        </div>
      </div>

      <ConfirmDialog
        open={action !== null}
        title={action === 'kill' ? `Kill the running tasks of ${run.jobName}?` : `Mark ${run.jobName} as successful?`}
        confirmLabel={action === 'kill' ? 'Kill' : 'Mark success'}
        danger={action === 'kill'}
        onConfirm={act}
        onClose={() => setAction(null)}
      >
        {action === 'kill' ? <p>Every running task of this job is killed; queued runs stay queued.</p> : <p>Records a success now, as if a run had finished: dependents whose parents have all succeeded will fire.</p>}
      </ConfirmDialog>
      <RerunDialog
        taskIds={rerun}
        title={`Rerun ${run.jobName}${d.job.downstream ? ' and what depends on it' : ''}?`}
        onClose={() => setRerun(null)}
        onDone={(r) => {
          setNotice(`Queued ${r.queued.length} rerun${r.queued.length === 1 ? '' : 's'}${r.plan.downstream.length ? `; ${r.plan.downstream.length} downstream job${r.plan.downstream.length === 1 ? '' : 's'} follow as their parents succeed` : ''}.${r.failed.length ? ` Not queued: ${r.failed.map((f) => `${f.jobName} (${f.error})`).join('; ')}` : ''}`);
          detail.refresh();
        }}
      />
    </div>
  );
}

function RunFacts({ run, detail }: { run: RunRow; detail: RunDetail }) {
  const items: Array<[string, React.ReactNode]> = [
    ['Task id', <code key="t" className="font-mono text-xs break-all">{run.taskId}</code>],
    ['Trigger', run.trigger],
    ['For', <span key="i" title="SISYPHUS_DUE in the task's environment"><Time instant={run.intendedDue ?? run.due} /> <span className="muted text-xs">SISYPHUS_DUE</span></span>],
    [
      'Job version',
      run.jobVersion ? (
        <Link key="v" className="link" href={jobVersionPageUrl(run.jobName, run.jobVersion)}>
          version {run.jobVersion}
        </Link>
      ) : (
        '—'
      ),
    ],
    ['Agent', run.host ? `${run.host}${run.agentId ? ` (${run.agentId})` : ''}` : '—'],
    ['Duration', formatDuration(run.durationMs)],
    ['Arguments', run.arguments ? <code key="a" className="font-mono text-xs break-all">{run.arguments}</code> : '—'],
    ['Parents', detail.job.parents.length ? detail.job.parents.join(', ') : '—'],
    ['Children', detail.job.children.length ? detail.job.children.join(', ') : '—'],
  ];
  return (
    <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="muted">{k}</dt>
          <dd className="min-w-0 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
