/** Structured logs (pino). LOG_LEVEL sets the level (default info; "silent" in tests). */
import pino from 'pino';
import { config } from '../config';

/** The configured level; a bad setting is reported by the entry point, in one line, not here. */
function level(): string {
  try {
    return config().logLevel;
  } catch {
    return 'info';
  }
}

export const log = pino({
  level: level(),
  base: { service: 'sisyphus' },
});
