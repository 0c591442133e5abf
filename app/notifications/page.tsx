import type { Metadata } from 'next';
import { NotificationsView } from '@/app/components/notifications-table';
import { PageHeader } from '@/app/components/ui';

export const metadata: Metadata = { title: 'Notifications' };
export const dynamic = 'force-dynamic';

export default function NotificationsPage() {
  return (
    <>
      <PageHeader title="Notifications" subtitle="Mail, Slack, Mattermost, Sentry and webhook deliveries: what failed and why." />
      <NotificationsView />
    </>
  );
}
