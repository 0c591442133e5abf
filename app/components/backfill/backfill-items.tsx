'use client';
/**
 * One backfill's instants as a small grid (GET /api/backfills/{id}): a row per instant, a cell per
 * job with its state, linked to its run; a failed, blocked or skipped cell says why on hover.
 * Shown when the backfill's row is opened on the job page.
 */
import Link from 'next/link';
import type { BackfillDetailView, BackfillItemView } from '@/scheduler/api/backfill-service';
import { useApi } from '../api';
import { ErrorMessage, Loading } from '../ui';

const enc = encodeURIComponent;
const TONE: Record<BackfillItemView['state'], string> = {
  pending: 'text-gray-500',
  running: 'text-sky-700 dark:text-sky-300',
  succeeded: 'text-green-700 dark:text-green-300',
  failed: 'text-red-700 dark:text-red-300',
  skipped: 'text-gray-500',
  blocked: 'text-amber-700 dark:text-amber-300',
  cancelled: 'text-gray-500',
};

export function BackfillItems({ id, live }: { id: string; live: boolean }) {
  const detail = useApi<BackfillDetailView>(`/api/backfills/${enc(id)}`, {
    refreshOn: (e) => live && e.type === 'run' && e.run.trigger === 'backfill',
    throttleMs: 700,
  });
  if (!detail.data) return detail.error ? <ErrorMessage error={detail.error} retry={detail.refresh} /> : <Loading label="Loading the instants…" />;
  const d = detail.data;
  const byDue = new Map<string, BackfillItemView[]>();
  for (const i of d.items) byDue.set(i.due, [...(byDue.get(i.due) ?? []), i]);
  return (
    <div className="mt-2 max-h-80 overflow-auto">
      <table className="w-full text-xs" aria-label={`Backfill ${id} instants`}>
        <thead>
          <tr className="text-left">
            <th className="py-1 pr-3 font-medium">Instant</th>
            {d.jobs.map((j) => (
              <th key={j.name} className="py-1 pr-3 font-medium">
                {j.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...byDue].map(([due, items]) => (
            <tr key={due} className="border-t border-gray-100 dark:border-gray-800">
              <td className="py-1 pr-3 font-mono">{due}</td>
              {items.map((i) => (
                <td key={i.seq} className={`py-1 pr-3 ${TONE[i.state]}`} title={i.note ?? undefined}>
                  {i.taskId ? (
                    <Link className="underline" href={`/runs/${enc(i.taskId)}`}>
                      {i.state}
                    </Link>
                  ) : (
                    i.state
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
