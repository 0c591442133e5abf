import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Jobs' };

export default function JobsPage() {
  return (
    <section>
      <h1 className="text-2xl font-semibold">Jobs</h1>
      <p className="mt-2 text-gray-600 dark:text-gray-400">Coming soon: this page is not built yet.</p>
    </section>
  );
}
