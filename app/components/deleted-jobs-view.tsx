'use client';
/**
 * The deleted jobs (GET /api/versions?deleted=1): who deleted each and when, and "Restore" to
 * bring it back as it was deleted (POST /api/jobs/{name}/versions/{n}/restore); its page shows
 * its whole history, where any earlier version can be restored instead.
 */
import Link from 'next/link';
import { useCallback, useState } from 'react';
import type { DeletedJobs, RestoreResult } from '@/scheduler/api/job-history';
import type { DeletedJob } from '@/scheduler/ports';
import type { UiEvent } from '@/scheduler/api/ui-types';
import { apiSend, useApi } from './api';
import { ConfirmDialog } from './confirm-dialog';
import { EmptyState } from './empty-state';
import { ErrorMessage, Loading, Notice, PageHeader, Section } from './ui';
import { Time } from './time';

const enc = encodeURIComponent;

export function DeletedJobsView() {
  const refreshOn = useCallback((e: UiEvent) => e.type === 'job', []);
  const list = useApi<DeletedJobs>('/api/versions?deleted=1', { refreshOn, throttleMs: 1000 });
  const [restoring, setRestoring] = useState<DeletedJob | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const restore = async () => {
    if (!restoring) return;
    const r = await apiSend<RestoreResult>('POST', `/api/jobs/${enc(restoring.name)}/versions/${restoring.n}/restore`);
    setNotice(`Restored ${r.name} (version ${r.n ?? '?'}).`);
    list.refresh();
  };

  return (
    <div className="space-y-6">
      <PageHeader title="Deleted jobs" subtitle="Jobs deleted and not created again, latest first. Their history stays; restore brings one back." actions={<Link href="/jobs" className="btn">Jobs</Link>} />
      <Notice>{notice}</Notice>
      <ErrorMessage error={list.error} retry={list.refresh} />
      {list.loading && !list.data ? <Loading label="Loading deleted jobs…" /> : null}
      {list.data && list.data.jobs.length === 0 ? <EmptyState title="No deleted jobs">A job deleted from now on is listed here with its history.</EmptyState> : null}
      {list.data && list.data.jobs.length > 0 ? (
        <Section title="Deleted">
          <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="Deleted jobs">
            <thead>
              <tr className="text-left">
                <th className="table-head py-1 pr-3">Job</th>
                <th className="table-head py-1 pr-3">Deleted</th>
                <th className="table-head py-1 pr-3">By</th>
                <th className="table-head py-1 pr-3">Command</th>
                <th className="table-head py-1" />
              </tr>
            </thead>
            <tbody>
              {list.data.jobs.map((j) => (
                <tr key={j.name} className="border-t border-gray-100 dark:border-gray-800">
                  <td className="py-1.5 pr-3">
                    <Link className="link" href={`/jobs/${enc(j.name)}`}>
                      {j.name}
                    </Link>
                  </td>
                  <td className="py-1.5 pr-3 whitespace-nowrap">
                    <Time instant={j.at} />
                  </td>
                  <td className="muted py-1.5 pr-3">{j.by ?? '—'}</td>
                  <td className="max-w-xs truncate py-1.5 pr-3 font-mono text-xs" title={j.job.command}>
                    {j.job.command}
                  </td>
                  <td className="py-1.5 text-right">
                    <button type="button" className="btn btn-sm" onClick={() => setRestoring(j)}>
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </Section>
      ) : null}
      <ConfirmDialog open={restoring !== null} title={`Restore ${restoring?.name ?? ''}?`} confirmLabel="Restore" onConfirm={restore} onClose={() => setRestoring(null)}>
        <p>The job comes back as it was when it was deleted; its schedule starts again. Its history keeps the delete and records the restore.</p>
      </ConfirmDialog>
    </div>
  );
}
