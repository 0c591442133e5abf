'use client';
/** Small shared pieces: an error shown where it happens, the outcome of an action, a loading line, a stat tile, a section. */
import type { ReactNode } from 'react';

export function ErrorMessage({ error, retry, className = '' }: { error: { message: string } | string | null | undefined; retry?: () => void; className?: string }) {
  if (!error) return null;
  const message = typeof error === 'string' ? error : error.message;
  return (
    <div
      role="alert"
      className={`flex items-start justify-between gap-3 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-300 ${className}`}
    >
      <span>{message}</span>
      {retry ? (
        <button type="button" className="btn btn-sm" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** What an action just did ("Run queued", "Job deleted"): a status line, nothing when empty. */
export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="status" className="rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-800 dark:border-green-800 dark:bg-green-950/40 dark:text-green-300">
      {children}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="muted animate-pulse py-4 text-sm">
      {label}
    </p>
  );
}

export function Stat({ label, value, tone, href }: { label: string; value: ReactNode; tone?: string; href?: string }) {
  const body = (
    <>
      <div className="text-xs font-medium tracking-wide text-gray-500 uppercase dark:text-gray-400">{label}</div>
      <div className={`mt-1 text-2xl font-semibold tabular-nums ${tone ?? ''}`}>{value}</div>
    </>
  );
  const cls = 'block rounded-lg border border-gray-200 bg-white px-4 py-3 dark:border-gray-800 dark:bg-gray-900';
  return href ? (
    <a href={href} className={`${cls} hover:border-sky-400 dark:hover:border-sky-600`}>
      {body}
    </a>
  ) : (
    <div className={cls}>{body}</div>
  );
}

export function Section({ title, children, actions, className = '' }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`card ${className}`} aria-label={title}>
      <div className="mb-3 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold tracking-wide text-gray-600 uppercase dark:text-gray-300">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-5 flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight [overflow-wrap:anywhere]">{title}</h1>
        {subtitle ? <div className="muted mt-1 text-sm">{subtitle}</div> : null}
      </div>
      {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
    </div>
  );
}
