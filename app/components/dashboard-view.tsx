'use client';
/**
 * The dashboard (/): counts by last status and state, runs going now, queued runs with the reason
 * each waits, recent failures, framework health and cluster utilization. Live: refetched on every
 * event from /api/events (coalesced to one fetch a second).
 */
import Link from 'next/link';
import { useSyncExternalStore, type ReactNode } from 'react';
import type { Dashboard, RunRow } from '@/scheduler/api/ui-types';
import { useApi } from './api';
import { RunStateBadge } from './badges';
import { EmptyState } from './empty-state';
import { Time, formatAgo, useNow } from './time';
import { ErrorMessage, Loading, PageHeader, Section, Stat } from './ui';

export function DashboardView() {
  const { data, error, loading, refresh } = useApi<Dashboard>('/api/dashboard', { refreshOn: true, throttleMs: 1000, pollMs: 15_000 });
  const now = useNow(5000);

  if (loading && !data) return <Loading label="Loading the dashboard…" />;
  if (!data) return <ErrorMessage error={error ?? 'No data'} retry={refresh} />;

  const c = data.counts;
  return (
    <div className="space-y-6">
      <PageHeader title="Dashboard" subtitle={`${c.jobs} job${c.jobs === 1 ? '' : 's'}${c.disabled ? `, ${c.disabled} disabled` : ''}`} />
      <ErrorMessage error={error} retry={refresh} />
      {c.jobs === 0 ? <GettingStarted /> : null}

      <section aria-label="Job counts" className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-8">
        <Stat label="Success" value={c.success} tone="text-green-700 dark:text-green-400" href="/jobs?status=success" />
        <Stat label="Failure" value={c.failure} tone={c.failure ? 'text-red-700 dark:text-red-400' : ''} href="/jobs?status=failure" />
        <Stat label="Retrying" value={c.retrying} tone={c.retrying ? 'text-amber-700 dark:text-amber-400' : ''} href="/jobs?state=retrying" />
        <Stat label="Fresh" value={c.fresh} href="/jobs?status=fresh" />
        <Stat label="Running" value={c.running} tone={c.running ? 'text-sky-700 dark:text-sky-400' : ''} href="/jobs?state=running" />
        <Stat label="Queued" value={c.queued} tone={c.queued ? 'text-amber-700 dark:text-amber-400' : ''} href="/jobs?state=queued" />
        <Stat label="Idle" value={c.idle} href="/jobs?state=idle" />
        <Stat label="Disabled" value={c.disabled} href="/jobs?disabled=true" />
      </section>

      <div className="grid gap-6 lg:grid-cols-2">
        <Section title={`Running now (${data.running.length})`}>
          {data.running.length === 0 ? (
            <p className="muted text-sm">Nothing is running.</p>
          ) : (
            <RunList runs={data.running} render={(r) => <span className="muted">started {r.startedAt ? formatAgo(r.startedAt, now) : r.launchedAt ? `launching ${formatAgo(r.launchedAt, now)}` : '—'}{r.host ? ` on ${r.host}` : ''}</span>} />
          )}
        </Section>

        <Section title={`Queued (${data.queued.length})`}>
          {data.queued.length === 0 ? (
            <p className="muted text-sm">No run is waiting.</p>
          ) : (
            <ul className="divide-y divide-gray-100 text-sm dark:divide-gray-800">
              {data.queued.map((q) => (
                <li key={q.run.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                  <Link className="link font-medium" prefetch={false} href={`/jobs/${encodeURIComponent(q.run.jobName)}`}>
                    {q.run.jobName}
                  </Link>
                  <Link className="muted hover:underline" prefetch={false} href={`/runs/${encodeURIComponent(q.run.taskId)}`} aria-label={`Open run ${q.run.taskId}`}>
                    queued {formatAgo(q.run.queuedAt, now)}
                  </Link>
                  <span className="w-full text-amber-800 dark:text-amber-300">
                    <span className="sr-only">Waiting because: </span>
                    {q.retryAt !== undefined ? (
                      <>
                        retry due at <Time instant={q.retryAt} relative />
                      </>
                    ) : (
                      q.reason
                    )}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section
          title={`Recent failed attempts (${data.recentFailures.length})`}
          actions={
            <span className="text-xs">
              <Link className="link" href="/jobs?status=failure">
                {c.failure} failing job{c.failure === 1 ? '' : 's'}
              </Link>
              {' · '}
              <Link className="link" href="/jobs?state=retrying">
                {c.retrying} retrying
              </Link>
            </span>
          }
        >
          {data.recentFailures.length === 0 ? (
            <p className="muted text-sm">No recent failed attempts.</p>
          ) : (
            <RunList
              runs={data.recentFailures}
              render={(r) => (
                <>
                  <span className="muted">
                    <Time instant={r.finishedAt ?? r.queuedAt} />
                  </span>
                  {r.message ? <span className="w-full truncate font-mono text-xs text-red-700 dark:text-red-400" title={r.message}>{r.message}</span> : null}
                </>
              )}
            />
          )}
        </Section>

        <FrameworkSection data={data} now={now} />
      </div>
    </div>
  );
}

function RunList({ runs, render }: { runs: RunRow[]; render: (r: RunRow) => ReactNode }) {
  return (
    <ul className="divide-y divide-gray-100 text-sm dark:divide-gray-800">
      {runs.map((r) => (
        <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
          <Link className="link font-medium" prefetch={false} href={`/jobs/${encodeURIComponent(r.jobName)}`}>
            {r.jobName}
          </Link>
          <Link prefetch={false} href={`/runs/${encodeURIComponent(r.taskId)}`} aria-label={`Open run ${r.taskId}`} title="Open the run">
            <RunStateBadge state={r.state} />
          </Link>
          {r.attempt > 0 ? <span className="muted text-xs">attempt {r.attempt + 1}</span> : null}
          {render(r)}
        </li>
      ))}
    </ul>
  );
}

function Meter({ label, used, total, unit }: { label: string; used: number; total: number; unit: string }) {
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div>
      <div className="flex justify-between text-xs">
        <span>{label}</span>
        <span className="muted tabular-nums">
          {round(used)} / {round(total)} {unit} ({Math.round(pct)}%)
        </span>
      </div>
      <div
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
        className="mt-1 h-2 overflow-hidden rounded-full bg-gray-200 dark:bg-gray-800"
      >
        <div className={`h-full rounded-full ${pct > 90 ? 'bg-red-500' : pct > 70 ? 'bg-amber-500' : 'bg-sky-500'}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10) / 10);

function FrameworkSection({ data, now }: { data: Dashboard; now: number }) {
  const f = data.framework;
  const status = !f.configured ? 'not configured' : f.connected ? 'connected' : 'disconnected';
  const tone = !f.configured ? 'text-gray-600 dark:text-gray-400' : f.connected ? 'text-green-700 dark:text-green-400' : 'text-red-700 dark:text-red-400';
  return (
    <Section title="Framework health" actions={<Link className="link text-xs" href="/cluster">Cluster</Link>}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
        <dt className="muted">Mesos</dt>
        <dd className={`font-medium ${tone}`}>
          {status}
          {f.suppressed ? <span className="muted font-normal"> · offers suppressed (queue empty)</span> : null}
        </dd>
        <dt className="muted">Master</dt>
        <dd className="truncate font-mono text-xs">{f.master ?? '—'}</dd>
        <dt className="muted">Framework id</dt>
        <dd className="truncate font-mono text-xs">{f.frameworkId ?? '—'}</dd>
        <dt className="muted">Leader</dt>
        <dd className="font-mono text-xs">
          {data.leader.leader ?? 'unknown'}
          {data.leader.isLeader ? <span className="muted font-sans"> (this instance)</span> : null}
        </dd>
        <dt className="muted">Last event</dt>
        <dd>{f.lastEventAt ? formatAgo(f.lastEventAt, now) : '—'}</dd>
        <dt className="muted">Last offer</dt>
        <dd>{f.lastOfferAt ? formatAgo(f.lastOfferAt, now) : 'none yet'}</dd>
      </dl>
      {data.utilization ? (
        <div className="mt-4 space-y-2">
          <Meter label="CPUs" used={data.utilization.cpus.used} total={data.utilization.cpus.total} unit="" />
          <Meter label="Memory" used={data.utilization.mem.used} total={data.utilization.mem.total} unit="MB" />
        </div>
      ) : (
        <p className="muted mt-4 text-sm">Cluster utilization is unknown (master not reachable).</p>
      )}
      <h3 className="mt-4 mb-1 text-xs font-semibold tracking-wide text-gray-500 uppercase dark:text-gray-400">Watchdog and connection events</h3>
      {f.recent.length === 0 ? (
        <p className="muted text-sm">None.</p>
      ) : (
        <ul className="max-h-40 space-y-1 overflow-auto text-xs">
          {f.recent.slice(0, 10).map((e, i) => (
            <li key={`${e.at}-${i}`} className="flex gap-2">
              <span className="muted shrink-0 tabular-nums">
                <Time instant={e.at} seconds />
              </span>
              <span className="font-medium">{e.kind}</span>
              <span className="muted truncate" title={e.detail}>
                {e.detail}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

const noSubscribe = () => () => {};

function GettingStarted() {
  const host = useSyncExternalStore(noSubscribe, () => window.location.host, () => 'localhost:8080');
  const curl = `curl -X POST -H 'Content-Type: application/json' \\
  http://${host}/v1/scheduler/iso8601 \\
  -d '{"name":"hello","command":"echo hello","schedule":"R/2030-01-01T00:00:00Z/PT1H","owner":"you@example.com"}'`;
  return (
    <EmptyState
      title="No jobs yet"
      action={
        <>
          <Link href="/jobs/new" className="btn btn-primary">
            Create your first job
          </Link>
        </>
      }
    >
      <p>Sisyphus runs your commands on Mesos on a schedule (ISO 8601 repeating intervals or cron) or after other jobs finish.</p>
      <p className="mt-2">Create one with the form, or with the Chronos REST API:</p>
      <pre className="mt-2 overflow-x-auto rounded-md bg-gray-900 p-3 text-left font-mono text-xs text-gray-100">{curl}</pre>
    </EmptyState>
  );
}
