/** Structured logs (pino). LOG_LEVEL sets the level (default info; "silent" in tests). */
import pino from 'pino';

export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'sisyphus' },
});
