'use client';
/**
 * The job page's backfills (GET /api/backfills?job=…): each with its range, state and progress
 * (done of total, with what failed, was blocked or skipped), and Pause / Resume / Cancel while it
 * is open (POST /api/backfills/{id}/…), and its instants when opened (backfill-items.tsx).
 * "Backfill…" opens the dialog (backfill-dialog.tsx). Live:
 * refetched when a backfill run changes, and every 2 s while one is open.
 */
import { useEffect, useState } from 'react';
import type { BackfillView } from '@/scheduler/api/backfill-service';
import { apiSend, useApi } from '../api';
import { Badge } from '../badges';
import { ErrorMessage, Notice, Section } from '../ui';
import { BackfillDialog } from './backfill-dialog';
import { BackfillItems } from './backfill-items';

const enc = encodeURIComponent;
const OPEN = new Set(['running', 'paused', 'cancelling']);
const TONE: Record<string, Parameters<typeof Badge>[0]['tone']> = { running: 'blue', paused: 'amber', cancelling: 'gray', cancelled: 'gray', done: 'green' };

export function BackfillPanel({ name, scheduled }: { name: string; scheduled: boolean }) {
  const list = useApi<BackfillView[]>(`/api/backfills?job=${enc(name)}`, {
    refreshOn: (e) => e.type === 'run' && e.run.trigger === 'backfill',
    throttleMs: 700,
  });
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const anyOpen = (list.data ?? []).some((b) => OPEN.has(b.state));
  const { refresh } = list;
  useEffect(() => {
    if (!anyOpen) return;
    const t = setInterval(refresh, 2000);
    return () => clearInterval(t);
  }, [anyOpen, refresh]);

  const act = async (b: BackfillView, action: 'pause' | 'resume' | 'cancel') => {
    setError(null);
    try {
      await apiSend('POST', `/api/backfills/${enc(b.id)}/${action}`);
    } catch (e) {
      setError((e as Error).message);
    }
    refresh();
  };

  const backfills = list.data ?? [];
  if (!scheduled && backfills.length === 0) return null;
  return (
    <Section
      title="Backfills"
      actions={
        scheduled ? (
          <button type="button" className="btn btn-sm" onClick={() => setOpen(true)}>
            Backfill…
          </button>
        ) : null
      }
    >
      <Notice>{notice}</Notice>
      <ErrorMessage error={error ?? list.error} />
      {backfills.length === 0 ? (
        <p className="muted text-sm">No backfill yet. “Backfill…” runs this job for past instants of its schedule.</p>
      ) : (
        <ul className="space-y-3" aria-label="Backfills">
          {backfills.map((b) => (
            <BackfillRow key={b.id} b={b} onAct={act} />
          ))}
        </ul>
      )}
      <BackfillDialog
        name={name}
        open={open}
        onClose={() => setOpen(false)}
        onStarted={(b) => {
          setNotice(`Backfill ${b.id} started: ${b.total} runs.`);
          refresh();
        }}
      />
    </Section>
  );
}

function BackfillRow({ b, onAct }: { b: BackfillView; onAct: (b: BackfillView, a: 'pause' | 'resume' | 'cancel') => void }) {
  const c = b.counts;
  const settled = c.succeeded + c.failed + c.skipped + c.blocked + c.cancelled;
  const pct = b.total === 0 ? 100 : Math.round((settled / b.total) * 100);
  const [shown, setShown] = useState(false);
  return (
    <li className="rounded-md border border-gray-200 p-3 text-sm dark:border-gray-800" aria-label={`Backfill ${b.id}`} data-state={b.state}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="flex flex-wrap items-center gap-2">
          <span className="font-medium">#{b.id}</span>
          <Badge tone={TONE[b.state] ?? 'gray'}>{b.state}</Badge>
          <span className="muted font-mono text-xs">
            {b.from} → {b.to}
          </span>
          {b.jobs.length > 1 ? <span className="muted text-xs">with {b.jobs.slice(1).map((j) => j.name).join(', ')}</span> : null}
        </span>
        <span className="flex gap-2">
          {b.state === 'running' ? (
            <button type="button" className="btn btn-sm" onClick={() => onAct(b, 'pause')}>
              Pause
            </button>
          ) : null}
          {b.state === 'paused' ? (
            <button type="button" className="btn btn-sm" onClick={() => onAct(b, 'resume')}>
              Resume
            </button>
          ) : null}
          {b.state === 'running' || b.state === 'paused' ? (
            <button type="button" className="btn btn-sm btn-danger" onClick={() => onAct(b, 'cancel')}>
              Cancel
            </button>
          ) : null}
        </span>
      </div>
      <div className="mt-2 h-2 overflow-hidden rounded bg-gray-200 dark:bg-gray-800" role="progressbar" aria-label={`Backfill ${b.id} progress`} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <div className="h-full bg-sky-500" style={{ width: `${pct}%` }} />
      </div>
      <p className="muted mt-1 text-xs" data-testid="backfill-progress">
        {settled} of {b.total} done: {c.succeeded} succeeded
        {c.running ? `, ${c.running} running` : ''}
        {c.failed ? `, ${c.failed} failed` : ''}
        {c.blocked ? `, ${c.blocked} blocked by a failed parent` : ''}
        {c.skipped ? `, ${c.skipped} already run` : ''}
        {c.cancelled ? `, ${c.cancelled} cancelled` : ''}
      </p>
      <details className="mt-1" onToggle={(e) => setShown((e.target as HTMLDetailsElement).open)}>
        <summary className="link cursor-pointer text-xs">Instants</summary>
        {shown ? <BackfillItems id={b.id} live={OPEN.has(b.state)} /> : null}
      </details>
    </li>
  );
}
