import type { Metadata } from 'next';
import { Suspense } from 'react';
import { JobsView } from '../components/jobs-view';
import { Loading } from '../components/ui';

export const metadata: Metadata = { title: 'Jobs' };

export default function JobsPage() {
  return (
    <Suspense fallback={<Loading label="Loading jobs…" />}>
      <JobsView />
    </Suspense>
  );
}
