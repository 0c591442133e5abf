import type { Clock } from '../ports';

/** The real clock. Timers longer than Node's 24.8-day limit are chained. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const MAX = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = (left: number) => {
      handle = setTimeout(() => (left > MAX ? arm(left - MAX) : fn()), Math.min(Math.max(0, left), MAX));
      handle.unref?.();
    };
    arm(ms);
    return () => clearTimeout(handle);
  },
};
