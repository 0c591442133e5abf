/**
 * Polling for tests that drive real processes (mesos-local, PostgreSQL) on the system clock, where
 * no event says when the state is reached. With a TestClock, await events instead.
 */

/**
 * Calls `probe` every 50 ms until it returns a truthy value, and returns that; after `timeoutMs`
 * fails naming `what` and the last value. A probe that throws fails the wait at once.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    const v = await probe();
    if (v) return v;
    last = v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}
