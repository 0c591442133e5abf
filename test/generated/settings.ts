/**
 * fast-check settings of the property tests: one fixed seed by default, so `npm test` is
 * repeatable; `FC_SEED=<n>` replays another (a failure prints its seed and shrink path, and
 * `FC_SEED=<seed> FC_PATH=<path>` replays exactly that counterexample); `FC_RUNS=<factor>`
 * multiplies the number of cases (e.g. 10 for a long local run).
 */
import type fc from 'fast-check';

export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_261_205;
const FACTOR = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 1;

export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  if (!Number.isInteger(FC_SEED)) throw new Error(`FC_SEED=${process.env.FC_SEED} is not an integer`);
  if (!(FACTOR > 0)) throw new Error(`FC_RUNS=${process.env.FC_RUNS} is not a positive number`);
  return {
    seed: FC_SEED,
    numRuns: Math.max(1, Math.round(numRuns * FACTOR)),
    ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
    // the counterexample, seed and shrink path are in the thrown error's message (vitest prints it)
    verbose: 0,
  };
}

/** Resolves to `p`'s value, or rejects after `ms` (an answer that never comes is a failure, not a stuck test). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}
