import type { Metadata } from 'next';
import { DeletedJobsView } from '../../components/deleted-jobs-view';

export const metadata: Metadata = { title: 'Deleted jobs' };

/** Jobs deleted (and not created again), from their history: each can be restored. */
export default function DeletedJobsPage() {
  return <DeletedJobsView />;
}
