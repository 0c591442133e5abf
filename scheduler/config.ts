/**
 * Settings read from the environment, parsed once by zod: type, default and what each accepts.
 * A bad value stops start-up with one line naming the variable (`loadConfig` throws ConfigError).
 * The README's configuration table lists each of them.
 *
 * (Issue 14 moves every remaining `process.env` read of the scheduler here.)
 */
import { z } from 'zod';

/** Chronos keeps a job in one ZooKeeper node (1 MiB at most), so a bigger body never was a job. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const bytes = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const m = /^\s*(\d+)\s*(|k|kb|kib|m|mb|mib)\s*$/i.exec(v);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `must be a number of bytes such as 1048576 or 1MiB, got '${v}'` });
        return z.NEVER;
      }
      const unit = m[2].toLowerCase();
      const n = Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
      if (!Number.isSafeInteger(n) || n < 1024) {
        ctx.addIssue({ code: 'custom', message: `must be at least 1024 bytes, got '${v}'` });
        return z.NEVER;
      }
      return n;
    });

const credentials = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return null;
    const i = v.indexOf(':');
    if (i < 0) {
      ctx.addIssue({ code: 'custom', message: "must be 'user:password'" });
      return z.NEVER;
    }
    return { user: v.slice(0, i), password: v.slice(i + 1) };
  });

const schema = z.object({
  HTTP_MAX_BODY_BYTES: bytes(DEFAULT_MAX_BODY_BYTES),
  HTTP_CREDENTIALS: credentials,
});

export interface Config {
  /** Request bodies larger than this are refused with 413 before they are read. */
  maxBodyBytes: number;
  /** HTTP basic auth on every path, or null when open. */
  httpCredentials: { user: string; password: string } | null;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the settings of `env`; a bad value throws ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = schema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  return { maxBodyBytes: r.data.HTTP_MAX_BODY_BYTES, httpCredentials: r.data.HTTP_CREDENTIALS };
}

let current: Config | null = null;

/** The process's settings, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}

/** Reads the settings again (tests that change the environment call it). */
export function reloadConfig(env: Record<string, string | undefined> = process.env): Config {
  current = loadConfig(env);
  return current;
}
