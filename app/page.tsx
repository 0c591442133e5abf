export default function DashboardPage() {
  return (
    <section>
      <h1 className="text-2xl font-semibold">Dashboard</h1>
      <p className="mt-2 text-gray-600 dark:text-gray-400">Sisyphus is running.</p>
    </section>
  );
}
