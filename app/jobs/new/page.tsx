import type { Metadata } from 'next';
import { JobEditor } from '../../components/job-editor';

export const metadata: Metadata = { title: 'New job' };

export default function NewJobPage() {
  return <JobEditor />;
}
