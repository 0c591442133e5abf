/** Small helpers shared by the benchmarks: progress line, statistics, waiting, concurrency. */

let lastProgress = '';
const tty = process.stderr.isTTY;
let lastPlainAt = 0;

/** One progress line on stderr, rewritten in place on a terminal, throttled to 1 line / 2 s otherwise. */
export function progress(text: string): void {
  lastProgress = text;
  if (tty) {
    process.stderr.write(`\r\x1b[2K[bench] ${text}`);
    return;
  }
  const now = Date.now();
  if (now - lastPlainAt >= 2000) {
    lastPlainAt = now;
    process.stderr.write(`[bench] ${text}\n`);
  }
}

/** A line that stays (ends the current progress line first). */
export function say(text: string): void {
  if (tty && lastProgress) process.stderr.write('\r\x1b[2K');
  lastProgress = '';
  process.stderr.write(`[bench] ${text}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const v = [...xs].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Nearest-rank percentile (q in 0..1) of unsorted values. */
export function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const v = Float64Array.from(xs).sort();
  const i = Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1));
  return v[i];
}

/** Polls probe until it returns a truthy value; throws after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Runs fn(i) for i in [0, n) with at most `limit` calls in flight. */
export async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** Seeded PRNG (mulberry32, scheduler/testing/prng.ts), so packing workloads are reproducible. */
export { prng as rng } from '../../scheduler/testing/prng';
