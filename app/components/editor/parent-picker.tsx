/**
 * The parent picker of a dependent job: the chosen parents as removable chips, and a search of the
 * jobs (GET /api/jobs, debounced) to add one. A parent that would close a cycle is refused with
 * the reason: the job itself and its descendants (from GET /api/graph?focus=) at once, any other
 * cycle by the server's dry run (POST /api/validate?kind=dependency), which names it.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { GraphData, JobPage, ValidateResult } from '@/scheduler/api/ui-types';
import { apiSend, useApi } from '../api';
import { parentSearchUrl } from '../urls';
import type { FieldErrors } from './form-errors';
import type { Json } from './form-model';

const enc = encodeURIComponent;

export function ParentPicker({ parents, onChange, errors, jobName, json }: { parents: string[]; onChange: (p: string[]) => void; errors: FieldErrors; jobName: string; json: Json }) {
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [checking, setChecking] = useState<string | null>(null);
  const listId = useId();
  useEffect(() => {
    const t = setTimeout(() => setDebounced(q), 200);
    return () => clearTimeout(t);
  }, [q]);
  const results = useApi<JobPage>(parentSearchUrl(debounced));
  // The job's descendants: picking one as a parent would close a cycle.
  const graph = useApi<GraphData>(jobName ? `/api/graph?focus=${enc(jobName)}` : null);
  const descendants = useMemo(() => {
    const out = new Set<string>();
    if (!graph.data || !jobName) return out;
    const children = new Map<string, string[]>();
    for (const e of graph.data.edges) children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
    const stack = [jobName];
    while (stack.length) {
      const n = stack.pop()!;
      for (const c of children.get(n) ?? []) {
        if (out.has(c)) continue;
        out.add(c);
        stack.push(c);
      }
    }
    return out;
  }, [graph.data, jobName]);

  const add = useCallback(
    async (p: string) => {
      setRefusal(null);
      if (parents.includes(p)) return;
      if (p === jobName) {
        setRefusal(`${p} cannot be its own parent.`);
        return;
      }
      if (descendants.has(p)) {
        setRefusal(`${p} depends on ${jobName}: making it a parent would create a cycle.`);
        return;
      }
      // The server names the cycle when there is one.
      setChecking(p);
      try {
        if (jobName) {
          const body = { ...json, name: jobName, parents: [...parents, p] };
          delete (body as Json).schedule;
          const v = await apiSend<ValidateResult>('POST', '/api/validate?kind=dependency', body);
          const cycle = !v.ok ? v.errors.find((e) => e.field === 'parents' && /cycle/i.test(e.message)) : undefined;
          if (cycle) {
            setRefusal(`Refused ${p}: ${cycle.message}`);
            return;
          }
        }
        onChange([...parents, p]);
        setQ('');
      } catch (e) {
        setRefusal((e as Error).message);
      } finally {
        setChecking(null);
      }
    },
    [parents, jobName, descendants, json, onChange],
  );

  const inputRef = useRef<HTMLInputElement>(null);
  const options = (results.data?.jobs ?? []).filter((j) => !parents.includes(j.name));
  return (
    <div className="space-y-3">
      <div>
        <span className="label">Parents</span>
        <div className="flex flex-wrap gap-2" aria-label="Chosen parents" role="list">
          {parents.length === 0 ? <span className="muted text-sm">None yet: search below.</span> : null}
          {parents.map((p) => (
            <span key={p} role="listitem" className="inline-flex items-center gap-1 rounded-full bg-sky-100 px-2.5 py-1 font-mono text-xs text-sky-900 dark:bg-sky-900/50 dark:text-sky-100">
              {p}
              <button type="button" aria-label={`Remove parent ${p}`} className="ml-1 rounded-full px-1 hover:bg-sky-200 dark:hover:bg-sky-800" onClick={() => onChange(parents.filter((x) => x !== p))}>
                ✕
              </button>
            </span>
          ))}
        </div>
        {errors.parents ? <p className="field-error">{errors.parents}</p> : null}
      </div>
      <div>
        <label htmlFor="parent-search" className="label">
          Add a parent
        </label>
        <input
          ref={inputRef}
          id="parent-search"
          data-field="parents"
          role="combobox"
          aria-expanded={options.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          className="input"
          placeholder="Search jobs by name…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              // The job named exactly as typed, else the first match (the list may lag the typing).
              const exact = options.find((o) => o.name === q.trim());
              const pick = exact ?? (debounced === q ? options[0] : undefined);
              if (pick) void add(pick.name);
            }
          }}
        />
        {refusal ? (
          <p role="alert" className="field-error">
            {refusal}
          </p>
        ) : null}
        <ul id={listId} role="listbox" aria-label="Matching jobs" className="mt-2 max-h-56 divide-y divide-gray-100 overflow-auto rounded-md border border-gray-200 text-sm dark:divide-gray-800 dark:border-gray-800">
          {results.error ? <li className="field-error px-3 py-2">{results.error.message}</li> : null}
          {options.length === 0 && results.data ? <li className="muted px-3 py-2">No other job matches.</li> : null}
          {options.map((j) => {
            const cyclic = j.name === jobName || descendants.has(j.name);
            return (
              <li key={j.name} role="option" aria-selected={false} aria-disabled={cyclic}>
                <button
                  type="button"
                  disabled={checking !== null}
                  aria-disabled={cyclic || undefined}
                  title={cyclic ? `${j.name} depends on ${jobName}: it cannot be a parent` : undefined}
                  onClick={() => void add(j.name)}
                  className="flex w-full items-center justify-between gap-2 px-3 py-1.5 text-left hover:bg-gray-50 disabled:cursor-not-allowed disabled:opacity-60 aria-disabled:cursor-not-allowed aria-disabled:opacity-60 dark:hover:bg-gray-800"
                >
                  <span className="font-mono">{j.name}</span>
                  <span className="muted text-xs">{cyclic ? 'would create a cycle' : checking === j.name ? 'checking…' : j.kind === 'dependent' ? `after ${j.parents.join(', ')}` : j.schedule}</span>
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </div>
  );
}
