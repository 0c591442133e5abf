'use client';
/**
 * Notifications and their delivery state: the job page's recent notifications, and the
 * notifications page (channels, problems in their settings, failed deliveries with the reason).
 * Data: GET /api/notifications (scheduler/api/notifications-service.ts).
 */
import Link from 'next/link';
import type { NotificationRow, NotificationsView } from '@/scheduler/api/notifications-service';
import type { UiEvent } from '@/scheduler/api/ui-types';
import { useApi } from './api';
import { Badge } from './badges';
import { Time } from './time';
import { ErrorMessage, Loading, Section } from './ui';

const enc = encodeURIComponent;
const TONE: Record<string, 'green' | 'red' | 'gray' | 'blue' | 'amber'> = { sent: 'green', failed: 'red', pending: 'amber', sending: 'blue', suppressed: 'gray' };

/** Refetch when a run of the job ends or the job changes (what makes notifications). */
const onJobEvents = (job: string | null) => (e: UiEvent) =>
  (e.type === 'run' && (job === null || e.run.jobName === job)) || (e.type === 'job' && (job === null || e.name === job));

function stateText(r: NotificationRow): string {
  if (r.state === 'pending' && r.lastError) return `retrying (attempt ${r.attempts + 1})`;
  return r.state;
}

export function NotificationsTable({ rows, showJob }: { rows: NotificationRow[]; showJob: boolean }) {
  if (rows.length === 0) return <p className="muted text-sm">No notifications.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="Notifications">
        <thead className="muted text-xs uppercase">
          <tr>
            <th className="py-1 pr-3">At</th>
            {showJob ? <th className="py-1 pr-3">Job</th> : null}
            <th className="py-1 pr-3">Event</th>
            <th className="py-1 pr-3">Channel</th>
            <th className="py-1 pr-3">State</th>
            <th className="py-1">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-gray-200 align-top dark:border-gray-800" data-notification-state={r.state}>
              <td className="py-1 pr-3 whitespace-nowrap">
                <Time instant={r.createdAt} seconds />
              </td>
              {showJob ? (
                <td className="py-1 pr-3">
                  <Link className="link" href={`/jobs/${enc(r.job)}`}>
                    {r.job}
                  </Link>
                </td>
              ) : null}
              <td className="py-1 pr-3" title={r.detail}>
                {r.event}
              </td>
              <td className="py-1 pr-3">
                {r.channel}
                {r.recipient ? <span className="muted"> → {r.recipient}</span> : null}
              </td>
              <td className="py-1 pr-3 whitespace-nowrap">
                <Badge tone={TONE[r.state] ?? 'gray'}>{stateText(r)}</Badge>
                {r.nextAt !== null && r.lastError ? (
                  <div className="muted text-xs">
                    next try <Time instant={r.nextAt} seconds />
                  </div>
                ) : null}
              </td>
              <td className="py-1 text-xs break-words">{r.lastError ?? r.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The job page's panel: its recent notifications. */
export function JobNotifications({ name }: { name: string }) {
  const q = useApi<NotificationsView>(`/api/notifications?job=${enc(name)}&limit=20`, { refreshOn: onJobEvents(name), throttleMs: 1_000 });
  return (
    <Section title="Notifications" actions={<Link className="link text-xs" href="/notifications">Failed deliveries</Link>}>
      <ErrorMessage error={q.error} retry={q.refresh} />
      {q.data ? <NotificationsTable rows={q.data.rows} showJob={false} /> : q.loading ? <Loading /> : null}
    </Section>
  );
}

/** The notifications page: channels, problems, failed deliveries, recent notifications. */
export function NotificationsView() {
  const failed = useApi<NotificationsView>('/api/notifications?failed=1&limit=200', { refreshOn: onJobEvents(null), throttleMs: 2_000 });
  const recent = useApi<NotificationsView>('/api/notifications?limit=50', { refreshOn: onJobEvents(null), throttleMs: 2_000 });
  const d = failed.data;
  return (
    <div className="space-y-6">
      <Section title="Channels">
        {d ? (
          <>
            <p className="text-sm">{d.configured.length ? `Sending on: ${d.configured.join(', ')}.` : 'No channel is configured (MAIL_SERVER, SLACK_URL, MATTERMOST_URL, SENTRY_DSN, NOTIFY_WEBHOOK_URL).'}</p>
            {d.problems.length ? (
              <ul className="mt-2 space-y-1 text-sm text-red-700 dark:text-red-300" aria-label="Notification problems">
                {d.problems.map((p, i) => (
                  <li key={i}>
                    <strong>{p.setting}</strong>: {p.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : failed.loading ? (
          <Loading />
        ) : null}
      </Section>
      <Section title="Failed deliveries">
        <ErrorMessage error={failed.error} retry={failed.refresh} />
        {d ? <NotificationsTable rows={d.rows} showJob /> : null}
      </Section>
      <Section title="Recent notifications">
        <ErrorMessage error={recent.error} retry={recent.refresh} />
        {recent.data ? <NotificationsTable rows={recent.data.rows} showJob /> : null}
      </Section>
    </div>
  );
}
