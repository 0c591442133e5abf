import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppShell } from './components/app-shell';
import { Providers } from './components/providers';
import { EARLY_INPUT_SCRIPT } from './components/early-input';
import { THEME_SCRIPT } from './components/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Sisyphus', template: '%s · Sisyphus' },
  description: 'A Chronos-compatible job scheduler for Apache Mesos',
  // An inline icon: no /favicon.ico request (and no 404 in the console).
  icons: {
    icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%230284c7'/%3E%3Cpath d='M4 12 L8 4 L12 12' stroke='white' stroke-width='2' fill='none'/%3E%3C/svg%3E",
  },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the `dark` class before first paint (stored choice, else the system preference). */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
        {/* Notes input before the page's JavaScript runs; replayed once hydrated (Providers). */}
        <script dangerouslySetInnerHTML={{ __html: EARLY_INPUT_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-gray-50 font-sans text-gray-900 antialiased dark:bg-gray-950 dark:text-gray-100">
        <Providers>
          <AppShell>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
