'use client';
/**
 * A job's change history on its page (GET /api/jobs/{name}/versions): each version with its kind,
 * when, who and what it changed (the diff opens per version), and "Restore" to write an earlier
 * version again (POST …/versions/{n}/restore, itself a new version). Also shown for a deleted job,
 * whose versions can bring it back. `?version=n` in the page URL opens that version (the run page
 * links there: the version a run ran with).
 */
import { useCallback, useEffect, useState } from 'react';
import type { FieldChange, JobVersion } from '@/scheduler/core/job-version';
import type { RestoreResult, VersionPage } from '@/scheduler/api/job-history';
import type { UiEvent } from '@/scheduler/api/ui-types';
import { apiFetch, apiSend, useApi } from './api';
import { Badge } from './badges';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorMessage, Loading, Notice, Section } from './ui';
import { Time } from './time';

const enc = encodeURIComponent;
const PAGE = 20;

export const versionsUrl = (name: string) => `/api/jobs/${enc(name)}/versions?limit=${PAGE}`;

const TONE = { create: 'green', update: 'blue', restore: 'violet', delete: 'red', disable: 'gray', enable: 'green', pause: 'amber', resume: 'green' } as const;

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, null, 1));

function DiffTable({ diff }: { diff: FieldChange[] }) {
  if (diff.length === 0) return <p className="muted text-sm">No field changed.</p>;
  return (
    <table className="w-full table-fixed text-sm" aria-label="Changes">
      <thead>
        <tr className="text-left">
          <th className="table-head w-1/4 py-1 pr-3">Field</th>
          <th className="table-head py-1 pr-3">Before</th>
          <th className="table-head py-1">After</th>
        </tr>
      </thead>
      <tbody>
        {diff.map((c) => (
          <tr key={c.field} className="border-t border-gray-100 align-top dark:border-gray-800">
            <td className="py-1 pr-3 font-mono text-xs [overflow-wrap:anywhere]">{c.field}</td>
            <td className="py-1 pr-3 font-mono text-xs whitespace-pre-wrap text-red-700 [overflow-wrap:anywhere] dark:text-red-300">{show(c.before)}</td>
            <td className="py-1 font-mono text-xs whitespace-pre-wrap text-green-700 [overflow-wrap:anywhere] dark:text-green-300">{show(c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function summary(v: JobVersion): string {
  if (v.kind === 'delete') return 'deleted';
  if (v.kind === 'create') return `created: ${v.job.command}`;
  if (v.diff.length === 0) return 'no field changed';
  const fields = v.diff.map((c) => c.field);
  return fields.length > 4 ? `${fields.slice(0, 4).join(', ')} and ${fields.length - 4} more` : fields.join(', ');
}

export function JobVersions({ name, zone, focus, onRestored }: { name: string; zone?: string; focus?: number | null; onRestored?: () => void }) {
  const refreshOn = useCallback((e: UiEvent) => e.type === 'job' && e.name === name, [name]);
  const first = useApi<VersionPage>(versionsUrl(name), { refreshOn, throttleMs: 700 });
  const [older, setOlder] = useState<JobVersion[]>([]);
  const [more, setMore] = useState<number | null | undefined>(undefined);
  const [open, setOpen] = useState<Set<number>>(() => new Set(focus ? [focus] : []));
  const [restoring, setRestoring] = useState<JobVersion | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // a link to another version of this page (the run history's v2) opens it too
  useEffect(() => {
    if (focus) setOpen((s) => (s.has(focus) ? s : new Set(s).add(focus)));
  }, [focus]);

  // the focused version may be older than the first page: fetch it alone
  const [focused, setFocused] = useState<JobVersion | null>(null);
  useEffect(() => {
    if (!focus || !first.data || first.data.versions.some((v) => v.n === focus)) return;
    apiFetch<JobVersion>(`/api/jobs/${enc(name)}/versions/${focus}`).then(setFocused, (e: Error) => setError(e.message));
  }, [focus, first.data, name]);

  if (first.loading && !first.data) return <Loading label="Loading the change history…" />;
  // a name that never had a job: nothing to show
  if (!first.data && first.error?.status === 404) return null;
  const page = first.data;
  const versions = [...(page?.versions ?? []), ...older.filter((v) => !page?.versions.some((p) => p.n === v.n))];
  if (focused && !versions.some((v) => v.n === focused.n)) versions.push(focused);
  const latest = versions[0]?.n;
  const next = more === undefined ? (page?.nextBefore ?? null) : more;

  const loadOlder = async () => {
    if (next === null) return;
    const p = await apiFetch<VersionPage>(`/api/jobs/${enc(name)}/versions?limit=${PAGE}&before=${next}`);
    setOlder((o) => [...o, ...p.versions]);
    setMore(p.nextBefore);
  };
  const toggle = (n: number) =>
    setOpen((s) => {
      const t = new Set(s);
      if (t.has(n)) t.delete(n);
      else t.add(n);
      return t;
    });
  const restore = async () => {
    if (!restoring) return;
    const r = await apiSend<RestoreResult>('POST', `/api/jobs/${enc(name)}/versions/${restoring.n}/restore`);
    setNotice(`Restored version ${r.from} as version ${r.n ?? '?'}.`);
    first.refresh();
    onRestored?.();
  };

  return (
    <Section title="Change history">
      <Notice>{notice}</Notice>
      <ErrorMessage error={first.error ?? error} retry={first.refresh} />
      {versions.length === 0 ? (
        <p className="muted text-sm">No change recorded yet: versions are recorded from the first create, update, disable or delete on.</p>
      ) : (
        <ol className="divide-y divide-gray-100 dark:divide-gray-800" aria-label="Versions">
          {versions.map((v) => {
            const canRestore = v.kind !== 'delete' && (v.n !== latest || page?.exists === false);
            return (
              <li key={v.n} id={`version-${v.n}`} className={`py-2 ${focus === v.n ? 'rounded bg-sky-50 px-2 dark:bg-sky-950/40' : ''}`} aria-label={`Version ${v.n}`}>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <button type="button" className="link font-medium tabular-nums" aria-expanded={open.has(v.n)} onClick={() => toggle(v.n)}>
                    v{v.n}
                  </button>
                  <Badge tone={TONE[v.kind] ?? 'gray'}>{v.kind}</Badge>
                  <Time instant={v.at} zone={zone} />
                  {v.by ? <span className="muted">by {v.by}</span> : null}
                  <span className="muted min-w-0 truncate">{v.note ?? summary(v)}</span>
                  {canRestore ? (
                    <button type="button" className="btn btn-sm ml-auto" onClick={() => setRestoring(v)}>
                      Restore v{v.n}
                    </button>
                  ) : null}
                </div>
                {open.has(v.n) ? (
                  <div className="mt-2 space-y-2">
                    {v.kind === 'delete' ? (
                      <p className="muted text-sm">The job as it was deleted is the version before; restore that one to bring it back.</p>
                    ) : v.kind === 'create' ? (
                      <pre className="max-h-72 overflow-auto rounded bg-gray-50 p-2 font-mono text-xs dark:bg-gray-950" aria-label="The job as created">
                        {JSON.stringify(v.job, null, 2)}
                      </pre>
                    ) : (
                      <DiffTable diff={v.diff} />
                    )}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      {next !== null ? (
        <button type="button" className="btn btn-sm mt-2" onClick={() => void loadOlder().catch((e: Error) => setError(e.message))}>
          Older changes
        </button>
      ) : null}
      <ConfirmDialog
        open={restoring !== null}
        title={`Restore version ${restoring?.n ?? ''} of ${name}?`}
        confirmLabel="Restore"
        onConfirm={restore}
        onClose={() => setRestoring(null)}
      >
        <p>
          The job gets the settings it had in version {restoring?.n} (its run counters stay as they are). This is recorded as a new version, so it can be undone the same way.
        </p>
      </ConfirmDialog>
    </Section>
  );
}
