'use client';
/**
 * "Rerun failed and downstream" (run page, pipeline grid): asks the server what would run
 * (GET /api/rerun), lists it, and on confirmation queues it (POST /api/rerun). The failed jobs get
 * a new attempt at their due instant; the jobs downstream run as their parents succeed.
 */
import { useEffect, useState } from 'react';
import type { RerunPlanView, RerunResult } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend } from '../api';
import { ConfirmDialog } from '../confirm-dialog';
import { Time } from '../time';
import { Loading } from '../ui';

export function RerunDialog({
  taskIds,
  title,
  onClose,
  onDone,
}: {
  /** Runs to rerun (null: closed). */
  taskIds: string[] | null;
  title: string;
  onClose: () => void;
  onDone: (result: RerunResult) => void;
}) {
  const [plan, setPlan] = useState<RerunPlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = taskIds?.join('\n') ?? null;
  useEffect(() => {
    setPlan(null);
    setError(null);
    if (key === null) return;
    const q = key.split('\n').map((t) => `task=${encodeURIComponent(t)}`).join('&');
    apiFetch<RerunPlanView>(`/api/rerun?${q}`).then(setPlan, (e: Error) => setError(e.message));
  }, [key]);

  const confirm = async () => {
    if (!taskIds) return;
    const result = await apiSend<RerunResult>('POST', '/api/rerun', { taskIds });
    onDone(result);
  };

  return (
    <ConfirmDialog open={taskIds !== null} title={title} confirmLabel="Rerun" onConfirm={confirm} onClose={onClose}>
      {error ? <p className="field-error">Could not plan the rerun: {error}</p> : !plan ? <Loading label="Working out what would run…" /> : <PlanList plan={plan} />}
    </ConfirmDialog>
  );
}

function PlanList({ plan }: { plan: RerunPlanView }) {
  return (
    <div className="space-y-3" data-testid="rerun-plan">
      {plan.rerun.length === 0 ? (
        <p>Nothing to rerun.</p>
      ) : (
        <div>
          <p className="font-medium">Runs again now ({plan.rerun.length}):</p>
          <ul className="mt-1 list-disc pl-5" aria-label="Rerun now">
            {plan.rerun.map((r) => (
              <li key={r.jobName}>
                <b>{r.jobName}</b>, attempt {r.attempt + 1} for <Time instant={r.intendedDue ?? r.due} />
                {r.failed ? '' : ' (its last attempt did not fail)'}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.downstream.length ? (
        <div>
          <p className="font-medium">Then, each once its parents have succeeded ({plan.downstream.length}):</p>
          <ul className="mt-1 list-disc pl-5" aria-label="Then downstream">
            {plan.downstream.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : plan.rerun.length ? (
        <p className="muted">No job depends on {plan.rerun.length === 1 ? 'it' : 'them'}.</p>
      ) : null}
      {plan.disabled.length ? (
        <p className="text-amber-800 dark:text-amber-300">
          Disabled, will not run: {plan.disabled.join(', ')}
        </p>
      ) : null}
      {plan.notRerun.length ? (
        <ul className="muted list-disc pl-5" aria-label="Not rerun">
          {plan.notRerun.map((n) => (
            <li key={n.jobName}>
              {n.jobName}: not rerun, {n.why}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
