import type { Metadata } from 'next';
import { DashboardView } from './components/dashboard-view';
import { Preloaded } from './components/preload';
import { preload } from './components/server-data';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const preloaded = await preload({ '/api/dashboard': (ui) => ui.dashboard() });
  return (
    <Preloaded {...preloaded}>
      <DashboardView />
    </Preloaded>
  );
}
