import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { AppShell } from './components/app-shell';
import { APP_ICON_DATA_URL } from './components/app-icon';
import { Providers } from './components/providers';
import { EARLY_INPUT_SCRIPT } from './components/early-input';
import { THEME_SCRIPT } from './components/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Sisyphus', template: '%s · Sisyphus' },
  description: 'A Chronos-compatible job scheduler for Apache Mesos',
  // An inline icon: a page needs no request for it (GET /favicon.ico serves the same one).
  icons: { icon: APP_ICON_DATA_URL },
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
