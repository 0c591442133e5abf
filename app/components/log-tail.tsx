'use client';
/**
 * Live tail of a run's sandbox stdout / stderr (GET /api/runs/{taskId}/log?file&offset): while the
 * run is active it polls every second from the last offset; a finished run is read to the end once.
 * Keeps the last MAX_CHARS characters. Used on the job page and exported for the runs page.
 */
import { useEffect, useRef, useState } from 'react';
import type { LogChunk } from '@/scheduler/api/ui-types';
import { apiFetch, ApiRequestError } from './api';

const MAX_CHARS = 256 * 1024;
const CHUNK = 64 * 1024;

type File = 'stdout' | 'stderr';

function useLog(taskId: string, file: File, active: boolean) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ eof: boolean; unavailable?: string; error?: string; truncated: boolean }>({ eof: false, truncated: false });
  const offset = useRef(0);
  const activeRef = useRef(active);
  activeRef.current = active;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    offset.current = 0;
    setText('');
    setStatus({ eof: false, truncated: false });
    const tick = async () => {
      if (stopped) return;
      let delay = 1000;
      try {
        const chunk = await apiFetch<LogChunk>(`/api/runs/${encodeURIComponent(taskId)}/log?file=${file}&offset=${offset.current}&length=${CHUNK}`);
        if (stopped) return;
        if (chunk.unavailable) {
          setStatus((s) => ({ ...s, unavailable: chunk.unavailable, error: undefined }));
          if (!activeRef.current) return;
        } else {
          if (chunk.data) {
            setText((t) => {
              const all = t + chunk.data;
              if (all.length > MAX_CHARS) {
                setStatus((s) => ({ ...s, truncated: true }));
                return all.slice(all.length - MAX_CHARS);
              }
              return all;
            });
          }
          const grew = chunk.nextOffset > offset.current;
          offset.current = Math.max(offset.current, chunk.nextOffset);
          setStatus((s) => ({ ...s, eof: chunk.eof, unavailable: undefined, error: undefined }));
          if (chunk.eof && !activeRef.current) return;
          if (grew && chunk.data.length >= CHUNK) delay = 0; // more is waiting: read on
        }
      } catch (e) {
        if (stopped) return;
        setStatus((s) => ({ ...s, error: e instanceof ApiRequestError ? e.message : String(e) }));
        delay = 3000;
        if (!activeRef.current) delay = 5000;
      }
      if (!activeRef.current && delay > 0) delay = Math.max(delay, 1000);
      timer = setTimeout(tick, delay);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [taskId, file]);

  // A run that becomes active again (or finishes) keeps the same loop; when it finishes, one
  // more read drains the file (the loop stops itself at eof).
  return { text, ...status };
}

/** `initialFile`: the file shown first (stderr for a failed run: that is where its error is). */
export function LogTail({ taskId, active, className = '', initialFile = 'stdout' }: { taskId: string; active: boolean; className?: string; initialFile?: File }) {
  const [file, setFile] = useState<File>(initialFile);
  const log = useLog(taskId, file, active);
  const pre = useRef<HTMLPreElement>(null);
  const [follow, setFollow] = useState(true);

  useEffect(() => {
    if (follow && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [log.text, follow]);

  return (
    <div className={className}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <div role="tablist" aria-label="Log file" className="inline-flex rounded-md border border-gray-300 p-0.5 dark:border-gray-700">
          {(initialFile === 'stderr' ? (['stderr', 'stdout'] as const) : (['stdout', 'stderr'] as const)).map((f) => (
            <button
              key={f}
              type="button"
              role="tab"
              aria-selected={file === f}
              onClick={() => setFile(f)}
              className={`rounded px-2.5 py-1 font-mono text-xs ${file === f ? 'bg-gray-900 text-white dark:bg-gray-100 dark:text-gray-900' : 'text-gray-600 dark:text-gray-300'}`}
            >
              {f}
            </button>
          ))}
        </div>
        <span className="muted text-xs">
          {log.unavailable ? `not available: ${log.unavailable}` : active ? (
            <span className="inline-flex items-center gap-1">
              <span aria-hidden="true" className="h-1.5 w-1.5 animate-pulse rounded-full bg-green-500" /> live, refreshed every second
            </span>
          ) : log.eof ? 'complete' : 'reading…'}
          {log.truncated ? ' · showing the last 256 KB' : ''}
        </span>
        <label className="ml-auto flex items-center gap-1 text-xs">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> follow
        </label>
        <a className="link text-xs" href={`/api/runs/${encodeURIComponent(taskId)}/log?file=${file}&offset=0&length=10485760`} target="_blank" rel="noreferrer">
          raw
        </a>
      </div>
      {log.error ? <p role="alert" className="field-error mb-1">{log.error}</p> : null}
      <pre
        ref={pre}
        tabIndex={0}
        aria-label={`${file} of ${taskId}`}
        data-testid={`log-${file}`}
        className="h-72 overflow-auto rounded-md bg-gray-950 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap text-gray-100 dark:border dark:border-gray-800"
      >
        {log.text || <span className="text-gray-500">{log.unavailable ? '' : log.eof ? `(${file} is empty)` : '(waiting for output…)'}</span>}
      </pre>
    </div>
  );
}
