/**
 * Probe logging shared by the probes that watch the real worker (probe-herd, probe-running): the
 * store with every call timed, and log lines stamped relative to an instant the probe chooses.
 */

/** The store with every call timed (depth 2: store.runs.createMany, tx.runs.updateMany, …). Calls
 * of 5 ms or more, and every call whose first argument is an array (with its length), are logged as
 * `path.key ×n: ms ms (from t0)`. */
export function timed<T extends object>(target: T, path: string, log: (line: string) => void): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const v = Reflect.get(t, key, receiver) as unknown;
      if (typeof key !== 'string') return v;
      if (typeof v === 'function') {
        return (...args: unknown[]) => {
          const wrapped = args.map((a) => (typeof a === 'function' ? (tx: object) => (a as (x: object) => unknown)(timed(tx, `${path}.tx`, log)) : a));
          const t0 = Date.now();
          const r = (v as (...a: unknown[]) => unknown).apply(t, wrapped);
          if (r instanceof Promise) {
            const n = Array.isArray(args[0]) ? ` ×${args[0].length}` : '';
            return r.then((x) => {
              const ms = Date.now() - t0;
              if (ms >= 5 || n) log(`${path}.${key}${n}: ${ms} ms (from ${t0})`);
              return x;
            });
          }
          return r;
        };
      }
      if (v && typeof v === 'object' && path.split('.').length < 3) return timed(v as object, `${path}.${key}`, log);
      return v;
    },
  });
}

/** A log that appends to `lines`, each line prefixed with the time relative to `origin()` (absolute
 * while it is 0), and its `(from t)` rewritten the same way. */
export function relativeLog(lines: string[], origin: () => number): (line: string) => void {
  const rel = (ms: number) => {
    const o = origin();
    return o ? `${ms - o >= 0 ? '+' : ''}${ms - o}` : String(ms);
  };
  return (line) => {
    lines.push(`${rel(Date.now())} ${line.replace(/\(from (\d+)\)/, (_, t: string) => `(from ${rel(Number(t))})`)}`);
  };
}
