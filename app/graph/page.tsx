import type { Metadata } from 'next';
import { Suspense } from 'react';
import { GraphView } from '@/app/components/graph/graph-view';

export const metadata: Metadata = { title: 'Graph' };

export default function GraphPage() {
  return (
    <Suspense>
      <GraphView />
    </Suspense>
  );
}
