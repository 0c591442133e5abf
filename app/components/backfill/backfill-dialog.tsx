'use client';
/**
 * The job page's backfill dialog: a range (ISO 8601 instants, UTC by default), downstream,
 * concurrency and force; a preview of what would run, asked of the server as the fields change
 * (POST /api/jobs/{name}/backfill with dryRun: the instants, the jobs downstream, those already
 * run), and on confirmation the backfill starts. A refused field is shown under the form with its
 * name, as the server words it.
 */
import { useEffect, useState } from 'react';
import type { BackfillPlanView, BackfillView } from '@/scheduler/api/backfill-service';
import { apiSend, ApiRequestError } from '../api';
import { ConfirmDialog } from '../confirm-dialog';
import { Loading } from '../ui';

const enc = encodeURIComponent;
const DAY = 86_400_000;
const isoSeconds = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Form {
  from: string;
  to: string;
  downstream: boolean;
  concurrency: string;
  force: boolean;
}

function body(f: Form, dryRun: boolean) {
  const c = Number(f.concurrency);
  return { from: f.from.trim(), to: f.to.trim(), downstream: f.downstream, concurrency: f.concurrency.trim() === '' || !Number.isFinite(c) ? f.concurrency : c, force: f.force, dryRun };
}

export function BackfillDialog({ name, open, onClose, onStarted }: { name: string; open: boolean; onClose: () => void; onStarted: (b: BackfillView) => void }) {
  const [form, setForm] = useState<Form>(() => {
    const today = Math.floor(Date.now() / DAY) * DAY;
    return { from: isoSeconds(today - 7 * DAY), to: isoSeconds(today - 1000), downstream: true, concurrency: '2', force: false };
  });
  const [plan, setPlan] = useState<BackfillPlanView | null>(null);
  const [problem, setProblem] = useState<{ field: string | null; message: string } | null>(null);
  const [planning, setPlanning] = useState(false);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));

  useEffect(() => {
    if (!open) return;
    let live = true;
    setPlanning(true);
    const t = setTimeout(() => {
      apiSend<BackfillPlanView>('POST', `/api/jobs/${enc(name)}/backfill`, body(form, true)).then(
        (p) => {
          if (!live) return;
          setPlan(p);
          setProblem(null);
          setPlanning(false);
        },
        (e: unknown) => {
          if (!live) return;
          setPlan(null);
          setProblem({ field: e instanceof ApiRequestError ? e.field : null, message: (e as Error).message });
          setPlanning(false);
        },
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [open, name, form]);

  const start = async () => {
    const b = await apiSend<BackfillView>('POST', `/api/jobs/${enc(name)}/backfill`, body(form, false));
    onStarted(b);
  };

  return (
    <ConfirmDialog open={open} title={`Backfill ${name}`} confirmLabel="Start backfill" onConfirm={start} onClose={onClose}>
      <div className="space-y-3" data-testid="backfill-form">
        <p>Runs the job for every instant of its schedule in a past range, each run at its instant.</p>
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block text-sm">
            <span className="font-medium">From</span>
            <input className="input mt-1 w-full font-mono text-xs" value={form.from} onChange={(e) => set('from', e.target.value)} aria-invalid={problem?.field === 'from'} />
          </label>
          <label className="block text-sm">
            <span className="font-medium">To</span>
            <input className="input mt-1 w-full font-mono text-xs" value={form.to} onChange={(e) => set('to', e.target.value)} aria-invalid={problem?.field === 'to'} />
          </label>
          <label className="block text-sm">
            <span className="font-medium">Concurrency</span>
            <input className="input mt-1 w-24" inputMode="numeric" value={form.concurrency} onChange={(e) => set('concurrency', e.target.value)} aria-invalid={problem?.field === 'concurrency'} />
          </label>
          <div className="space-y-1 pt-5 text-sm">
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={form.downstream} onChange={(e) => set('downstream', e.target.checked)} /> Also run what is downstream
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={form.force} onChange={(e) => set('force', e.target.checked)} /> Run instants again that already ran
            </label>
          </div>
        </div>
        {problem ? (
          <p className="field-error" data-testid="backfill-problem">
            {problem.field ? <span className="font-medium">{problem.field}: </span> : null}
            {problem.message}
          </p>
        ) : planning && !plan ? (
          <Loading label="Working out what would run…" />
        ) : plan ? (
          <Preview plan={plan} />
        ) : null}
      </div>
    </ConfirmDialog>
  );
}

function Preview({ plan }: { plan: BackfillPlanView }) {
  const shown = plan.instants.length <= 6 ? plan.instants : [...plan.instants.slice(0, 3), '…', ...plan.instants.slice(-2)];
  const runs = plan.total - (plan.force ? 0 : plan.alreadyRun);
  return (
    <div className="space-y-2 rounded-md border border-gray-200 p-3 dark:border-gray-700" data-testid="backfill-preview">
      <p className="font-medium">
        {plan.instants.length} instant{plan.instants.length === 1 ? '' : 's'} × {plan.jobs.length} job{plan.jobs.length === 1 ? '' : 's'}: {runs} run{runs === 1 ? '' : 's'},
        at most {plan.concurrency} instant{plan.concurrency === 1 ? '' : 's'} at once
      </p>
      <ul className="font-mono text-xs" aria-label="Instants">
        {shown.map((i, k) => (
          <li key={`${i}-${k}`}>{i}</li>
        ))}
      </ul>
      {plan.jobs.length > 1 ? (
        <p aria-label="Runs downstream">
          For each instant, in this order: {plan.jobs.map((j) => j.name).join(' → ')}
        </p>
      ) : null}
      {plan.disabled.length ? <p className="muted">Disabled, not run: {plan.disabled.join(', ')}</p> : null}
      {plan.alreadyRun ? (
        <p className="muted">{plan.force ? `${plan.alreadyRun} already ran and run again.` : `${plan.alreadyRun} already ran and are skipped.`}</p>
      ) : null}
    </div>
  );
}
