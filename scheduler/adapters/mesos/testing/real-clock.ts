import type { Clock } from '../../../ports';

/** The wall clock with Node timers, for tests that run against real servers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};
