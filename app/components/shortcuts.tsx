'use client';
/**
 * Keyboard shortcuts, active everywhere except while typing in a field:
 *   /        focus the page's search box (any element with data-search-input)
 *   g d      dashboard     g j  jobs     g g  graph     g r  runs     g c  cluster
 *   n        new job
 *   ?        this help
 * Esc leaves a focused field (blur), so shortcuts work again.
 */
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

export const GO_TARGETS: Record<string, { href: string; label: string }> = {
  d: { href: '/', label: 'Dashboard' },
  j: { href: '/jobs', label: 'Jobs' },
  g: { href: '/graph', label: 'Graph' },
  r: { href: '/runs', label: 'Runs' },
  c: { href: '/cluster', label: 'Cluster' },
  p: { href: '/grid', label: 'Pipeline grid' },
};

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

export function KeyboardShortcuts() {
  const router = useRouter();
  const [help, setHelp] = useState(false);
  const pendingG = useRef<number>(0);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e.target)) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      if (document.querySelector('dialog[open]') && e.key !== '?') return;
      const now = Date.now();
      if (pendingG.current && now - pendingG.current < 1500) {
        pendingG.current = 0;
        const t = GO_TARGETS[e.key];
        if (t) {
          e.preventDefault();
          router.push(t.href);
        }
        return;
      }
      switch (e.key) {
        case 'g':
          pendingG.current = now;
          break;
        case '/': {
          const input = document.querySelector<HTMLInputElement>('[data-search-input]');
          if (input) {
            e.preventDefault();
            input.focus();
            input.select();
          }
          break;
        }
        case 'n':
          e.preventDefault();
          router.push('/jobs/new');
          break;
        case '?':
          e.preventDefault();
          setHelp((h) => !h);
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (help && !d.open) d.showModal();
    if (!help && d.open) d.close();
  }, [help]);

  const rows: Array<[string[], string]> = [
    [['/'], 'Focus search'],
    ...Object.entries(GO_TARGETS).map(([k, t]): [string[], string] => [['g', k], `Go to ${t.label}`]),
    [['n'], 'New job'],
    [['Enter'], 'Open the focused row'],
    [['Esc'], 'Leave a field / close a dialog'],
    [['?'], 'Show this help'],
  ];
  return (
    <dialog
      ref={dialog}
      aria-labelledby="shortcuts-title"
      onClose={() => setHelp(false)}
      className="m-auto w-full max-w-sm rounded-lg border border-gray-200 bg-white p-5 text-gray-900 shadow-xl backdrop:bg-black/40 dark:border-gray-700 dark:bg-gray-900 dark:text-gray-100"
    >
      <h2 id="shortcuts-title" className="mb-3 text-lg font-semibold">
        Keyboard shortcuts
      </h2>
      <dl className="space-y-1.5 text-sm">
        {rows.map(([keys, what]) => (
          <div key={what} className="flex items-center justify-between gap-4">
            <dt className="flex gap-1">
              {keys.map((k) => (
                <kbd key={k} className="kbd">
                  {k}
                </kbd>
              ))}
            </dt>
            <dd className="muted">{what}</dd>
          </div>
        ))}
      </dl>
      <div className="mt-4 text-right">
        <button type="button" className="btn" onClick={() => setHelp(false)} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
