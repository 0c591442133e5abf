import type { Metadata } from 'next';
import { ClusterView } from '@/app/components/cluster/cluster-view';
import { Preloaded } from '@/app/components/preload';
import { preload } from '@/app/components/server-data';

export const metadata: Metadata = { title: 'Cluster' };

export default async function ClusterPage() {
  const preloaded = await preload({ '/api/cluster': (ui) => ui.cluster() });
  return (
    <Preloaded {...preloaded}>
      <ClusterView />
    </Preloaded>
  );
}
