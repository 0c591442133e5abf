import type { Metadata } from 'next';

export const metadata: Metadata = { title: 'Graph' };

export default function GraphPage() {
  return (
    <section>
      <h1 className="text-2xl font-semibold">Graph</h1>
      <p className="mt-2 text-gray-600 dark:text-gray-400">Coming soon: this page is not built yet.</p>
    </section>
  );
}
