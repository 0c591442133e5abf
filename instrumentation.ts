/**
 * Next.js calls register() once when a server process starts. The scheduler worker lives in the
 * same process as the web app and is started from here, on the Node.js runtime only (never in the
 * edge runtime, which has no sockets or timers worth the name).
 */

/** Marks a process whose worker has been started, so a second register() call is a no-op. */
const BOOTED = Symbol.for('sisyphus.scheduler.booted');

type BootFlag = { [BOOTED]?: true };

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;

  // TODO(worker): the guard below is what keeps the worker to exactly one per process, even when
  // Next.js calls register() again (dev server reloads, several route workers in one process).
  // Keep it when scheduler/runtime/boot.ts starts the real worker; boot() itself must also be safe
  // to await once and then leave running.
  const flags = globalThis as typeof globalThis & BootFlag;
  if (flags[BOOTED]) return;
  flags[BOOTED] = true;

  const { boot } = await import('./scheduler/runtime/boot');
  await boot();
}
