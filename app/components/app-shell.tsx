'use client';
/**
 * The header (brand, navigation with the current page marked, instance badge, toggles) and main.
 * Its links are not prefetched: every page is rendered per request with its data, so a prefetch
 * would only fetch the layout, and a page's own requests right after it loads would queue behind
 * a dozen of them (six connections per host).
 */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { InstanceBadge } from './instance-badge';
import { KeyboardShortcuts } from './shortcuts';
import { ThemeToggle } from './theme';
import { TimeZoneToggle } from './time';

export const NAV: ReadonlyArray<{ href: string; label: string; key: string }> = [
  { href: '/', label: 'Dashboard', key: 'd' },
  { href: '/jobs', label: 'Jobs', key: 'j' },
  { href: '/graph', label: 'Graph', key: 'g' },
  { href: '/runs', label: 'Runs', key: 'r' },
  { href: '/grid', label: 'Grid', key: 'p' },
  { href: '/cluster', label: 'Cluster', key: 'c' },
  { href: '/notifications', label: 'Notifications', key: 'o' },
];

const isCurrent = (pathname: string, href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? '/';
  return (
    <>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-gray-900"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-gray-200 bg-white/90 backdrop-blur dark:border-gray-800 dark:bg-gray-950/90">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5">
          <Link href="/" prefetch={false} className="flex items-center gap-2 font-semibold tracking-tight">
            <span aria-hidden="true" className="inline-block h-5 w-5 rounded bg-gradient-to-br from-sky-500 to-indigo-600" />
            Sisyphus
          </Link>
          <nav aria-label="Main">
            <ul className="flex flex-wrap gap-1 text-sm">
              {NAV.map((item) => {
                const current = isCurrent(pathname, item.href);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      prefetch={false}
                      aria-current={current ? 'page' : undefined}
                      title={`${item.label} (g ${item.key})`}
                      className={`rounded-md px-2.5 py-1.5 ${
                        current
                          ? 'bg-gray-100 font-medium text-gray-900 dark:bg-gray-800 dark:text-white'
                          : 'text-gray-600 hover:bg-gray-50 hover:text-gray-900 dark:text-gray-400 dark:hover:bg-gray-900 dark:hover:text-gray-100'
                      }`}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="ml-auto flex flex-wrap items-center gap-3">
            <InstanceBadge />
            <TimeZoneToggle />
            <ThemeToggle />
            <Link href="/jobs/new" prefetch={false} className="btn btn-primary btn-sm" title="New job (n)">
              New job
            </Link>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        {children}
      </main>
      <footer className="mx-auto max-w-7xl px-4 pb-6 text-xs text-gray-400 dark:text-gray-600">
        Press <kbd className="kbd">?</kbd> for keyboard shortcuts · Chronos API at <code>/v1/scheduler</code>
      </footer>
      <KeyboardShortcuts />
    </>
  );
}
