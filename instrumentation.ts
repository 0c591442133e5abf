/**
 * Next.js calls register() once when a server process starts. The scheduler worker lives in the
 * same process as the web app and is started from here, on the Node.js runtime only (never in the
 * edge runtime, which has no sockets or timers worth the name).
 */

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;

  // One scheduler per process, even when Next.js calls register() again (dev server reloads,
  // several route workers in one process) or server/main.ts booted it already.
  const { registry } = await import('./scheduler/registry');
  if (registry.booted.get()) return;
  registry.booted.set(true);

  const { boot } = await import('./scheduler/runtime/boot');
  await boot();
}
