'use client';
/**
 * Dark mode: the system preference by default, or a stored choice ("sisyphus-theme" = dark|light
 * in localStorage). The `dark` class on <html> is set before first paint by THEME_SCRIPT (inline
 * in the layout's <head>) and kept in sync here; globals.css maps it with `@custom-variant dark`.
 */
import { useEffect, useSyncExternalStore } from 'react';

import { THEME_KEY } from './theme-script';

export type ThemeChoice = 'system' | 'light' | 'dark';

const subscribers = new Set<() => void>();
function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'dark' || v === 'light' ? v : 'system';
  } catch {
    return 'system';
  }
}
function subscribe(cb: () => void) {
  subscribers.add(cb);
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  // The OS switching at dusk, or another tab choosing: re-apply, then re-render the toggle.
  const onChange = () => {
    apply(read());
    cb();
  };
  mq.addEventListener('change', onChange);
  window.addEventListener('storage', onChange);
  return () => {
    subscribers.delete(cb);
    mq.removeEventListener('change', onChange);
    window.removeEventListener('storage', onChange);
  };
}

function apply(choice: ThemeChoice) {
  const dark = choice === 'system' ? window.matchMedia('(prefers-color-scheme: dark)').matches : choice === 'dark';
  document.documentElement.classList.toggle('dark', dark);
}

export function setTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    /* not persisted */
  }
  apply(choice);
  for (const s of [...subscribers]) s();
}

export function useTheme(): ThemeChoice {
  return useSyncExternalStore(subscribe, read, () => 'system');
}

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const ICON: Record<ThemeChoice, string> = { system: '◐', light: '☀', dark: '☾' };

export function ThemeToggle() {
  const choice = useTheme();
  useEffect(() => apply(choice), [choice]);
  return (
    <button
      type="button"
      className="btn btn-sm"
      onClick={() => setTheme(NEXT[choice])}
      aria-label={`Theme: ${choice}. Switch to ${NEXT[choice]}`}
      title={`Theme: ${choice} (click for ${NEXT[choice]})`}
    >
      <span aria-hidden="true">{ICON[choice]}</span>
      <span className="hidden sm:inline capitalize">{choice}</span>
    </button>
  );
}
