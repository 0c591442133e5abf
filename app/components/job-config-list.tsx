/**
 * The job page's configuration card: command, schedule, zone, resources, owner, flags, counters
 * (with a retry in progress in words), last success and error, run durations (failed runs
 * counted), arguments, environment and container. Split from job-detail-view.tsx.
 */
import type { ReactNode } from 'react';
import type { JobDetail } from '@/scheduler/api/ui-types';
import { retryWords } from '@/scheduler/core/job-health';
import { effectivePolicy, type ConcurrencyPolicy } from '@/scheduler/core/overlap-policy';
import { Time, formatDuration } from './time';

/** The job's overlap policy in words, with whether it is the default (concurrencyPolicy, core/overlap-policy.ts). */
function policyWords(j: Record<string, unknown>): string {
  const policy = effectivePolicy({ concurrent: j.concurrent === true, concurrencyPolicy: j.concurrencyPolicy as ConcurrencyPolicy | undefined });
  const words: Record<ConcurrencyPolicy, string> = {
    Queue: 'Queue: the next run starts right after it ends (default, as Chronos)',
    Allow: 'Allow: the next run starts beside it (concurrent)',
    Forbid: 'Forbid: the instant is skipped, recorded with the reason',
    Replace: 'Replace: it is killed, then the next run starts',
  };
  return words[policy];
}

const jitterWords = (jitter: unknown): string =>
  typeof jitter === 'string' && jitter ? `launches spread up to ${jitter} after each instant (SISYPHUS_DUE stays the instant)` : 'none (default): launches at each instant';

export function ConfigList({ detail }: { detail: JobDetail }) {
  const j = detail.job as Record<string, unknown>;
  const row = detail.row;
  const container = j.container as Record<string, unknown> | undefined;
  const env = (j.environmentVariables as Array<{ name: string; value: string }> | undefined) ?? [];
  const args = (j.arguments as string[] | undefined) ?? [];
  const items: Array<[string, ReactNode]> = [
    ['Command', <code key="c" className="font-mono text-xs break-all whitespace-pre-wrap">{row.command || '—'}</code>],
    ['Shell', j.shell === false ? 'no (command is the executable)' : 'yes'],
    [row.kind === 'dependent' ? 'Parents' : 'Schedule', row.kind === 'dependent' ? row.parents.join(', ') : <code key="s" className="font-mono text-xs">{row.schedule}</code>],
    ['Time zone', row.scheduleTimeZone || 'UTC (default)'],
    ['Resources', `${row.cpus} CPU · ${row.mem} MB mem · ${row.disk} MB disk`],
    ['Retries', String(j.retries ?? '—')],
    ['Owner', [row.ownerName, row.owner].filter(Boolean).join(' · ') || '—'],
    ['When a run is still going', policyWords(j)],
    ...(row.kind === 'dependent' ? [] : ([['Jitter', jitterWords(j.jitter)]] as Array<[string, ReactNode]>)),
    ['Flags', [j.concurrent ? 'concurrent' : 'not concurrent', row.highPriority ? 'high priority' : null, j.softError ? 'soft error' : null, row.disabled ? 'disabled' : 'enabled'].filter(Boolean).join(' · ')],
    [
      'Counters',
      `${row.successCount} success${row.successCount === 1 ? '' : 'es'} · ${row.errorCount} error${row.errorCount === 1 ? '' : 's'}${
        row.state.retry ? ` · attempt ${row.state.retry.attempt - 1} failed, ${retryWords(row.state.retry)}` : ''
      }`,
    ],
    ['Last success', row.lastSuccess ? <Time key="ls" instant={Date.parse(row.lastSuccess)} relative /> : 'never'],
    [
      'Last error',
      row.lastError ? (
        <Time key="le" instant={Date.parse(row.lastError)} relative />
      ) : row.state.retry ? (
        `none counted yet: ${retryWords(row.state.retry)} (an error counts once the attempts are used up)`
      ) : (
        'never'
      ),
    ],
    [
      'Durations',
      detail.stats.count
        ? `p50 ${formatDuration(detail.stats.p50)} · p95 ${formatDuration(detail.stats.p95)} · p99 ${formatDuration(detail.stats.p99)} · mean ${formatDuration(detail.stats.mean)} (${detail.stats.count} run${detail.stats.count === 1 ? '' : 's'}${detail.stats.failed ? `, ${detail.stats.failed} failed` : ''})`
        : 'no run has ended yet',
    ],
  ];
  if (row.kind !== 'dependent') items.push(['After downtime', catchUpWords(j.catchUp, j.catchUpWindow)]);
  if (args.length) items.push(['Arguments', <code key="a" className="font-mono text-xs">{args.join(' ')}</code>]);
  if (env.length)
    items.push([
      'Environment',
      <ul key="e" className="font-mono text-xs">
        {env.map((e) => (
          <li key={e.name}>
            {e.name}={e.value}
          </li>
        ))}
      </ul>,
    ]);
  if (container)
    items.push([
      'Container',
      <span key="ct" className="font-mono text-xs">
        {String(container.type ?? 'DOCKER')} {String(container.image)} · network {String(container.network ?? 'HOST')}
        {container.forcePullImage ? ' · force pull' : ''}
      </span>,
    ]);
  return (
    <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm">
      {items.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="muted">{k}</dt>
          <dd className="min-w-0">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The job's catch-up policy in words (scheduler/core/catch-up.ts), defaults named. */
function catchUpWords(policy: unknown, window: unknown): string {
  if (policy === 'none') return 'skip missed instants (catchUp none)';
  if (policy === 'all') return `run every missed instant within ${typeof window === 'string' ? window : 'P1D'} (catchUp all)`;
  return 'one run catches up (catchUp latest, the default)';
}
