/**
 * Every setting of Sisyphus, read from the environment once, here: each with its type, default and
 * what it accepts (zod), typed and passed down from the entry points (server/main.ts, boot.ts).
 * A bad value stops start-up with one line naming the variable and what it accepts
 * (`loadConfig` throws ConfigError). The README's configuration table lists every setting; a test
 * (config.test.ts) keeps the two in step, so SETTINGS is also the documentation's source.
 */
import os from 'node:os';
import { z } from 'zod';
import type { LongRunSettings } from './core/notify-long-run';
import type { NotifySettingsInput } from './core/notify-settings';

/** Chronos keeps a job in one ZooKeeper node (1 MiB at most), so a bigger body never was a job. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Env = Record<string, string | undefined>;

const fail = (ctx: z.RefinementCtx, message: string) => {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
};

/** An optional string: unset or blank → `def`. */
const text = <D extends string | null>(def: D) => z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? def : v.trim()));

/** A whole number in [min, max]: unset or blank → `def`. */
const int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
        return fail(ctx, `must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any size' : max}, got '${v}'`);
      }
      return n;
    });

/** A positive number (fractions allowed): unset or blank → `def`. */
const seconds = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) return fail(ctx, `must be a number of seconds (0 or more), got '${v}'`);
      return n;
    });

/** A multiple (fractions allowed, 0 or more): unset or blank → `def`. */
const multiple = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) return fail(ctx, `must be a number (0 or more, e.g. 2.5), got '${v}'`);
      return n;
    });

const bytes = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const m = /^\s*(\d+)\s*(|k|kb|kib|m|mb|mib)\s*$/i.exec(v);
      if (!m) return fail(ctx, `must be a number of bytes such as 1048576 or 1MiB, got '${v}'`);
      const unit = m[2].toLowerCase();
      const n = Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
      if (!Number.isSafeInteger(n) || n < 1024) return fail(ctx, `must be at least 1024 bytes, got '${v}'`);
      return n;
    });

/** `user:password` split at the first colon (the password may hold colons), or null. */
const userPassword = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return null;
      const i = v.indexOf(':');
      if (i < 0) return fail(ctx, `must be '${what}'`);
      return { user: v.slice(0, i), password: v.slice(i + 1) };
    });

const oneOf = <T extends string>(values: readonly T[], def: T) =>
  z
    .string()
    .optional()
    .transform((v, ctx): T => {
      if (v === undefined || v.trim() === '') return def;
      const found = values.find((x) => x === v.trim().toLowerCase());
      return found ?? fail(ctx, `must be one of ${values.join(', ')}, got '${v}'`);
    });

const encoding = z
  .string()
  .optional()
  .transform((v, ctx): 'json' | 'protobuf' => {
    const t = (v ?? '').trim().toLowerCase();
    if (t === '' || t === 'json' || t === 'application/json') return 'json';
    if (t === 'protobuf' || t === 'application/x-protobuf') return 'protobuf';
    return fail(ctx, `must be json or protobuf, got '${v}'`);
  });

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * Every setting: the variable, its default as the README shows it, and what it means. The README
 * table is checked against this list (config.test.ts).
 */
export const SETTINGS = {
  DATABASE_URL: { schema: text(null), default: 'unset: embedded PGlite under `SISYPHUS_DATA_DIR`', meaning: 'a PostgreSQL URL, e.g. `postgresql://user@host:5432/sisyphus`' },
  SISYPHUS_DATA_DIR: { schema: text('./data'), default: '`./data`', meaning: 'where embedded data lives (the PGlite database)' },
  JOB_VERSIONS_KEPT: { schema: int(100, 1), default: '`100`', meaning: "versions of each job kept in its history (`GET /api/jobs/{name}/versions`); older ones are dropped" },
  MESOS_MASTER: { schema: text(null), default: 'unset: start `mesos-local` on 127.0.0.1:5050', meaning: '`http://host:5050`, `host1:5050,host2:5050`, or `zk://host:2181/mesos`' },
  MESOS_ENCODING: { schema: encoding, default: '`json`', meaning: '`json` or `protobuf`: the encoding of calls and events with the Mesos master' },
  MESOS_CREDENTIALS: { schema: userPassword('principal:secret'), default: 'unset', meaning: '`principal:secret` for HTTP basic auth with the Mesos master (and agents)' },
  MESOS_ROLE: { schema: text('*'), default: '`*`', meaning: 'the Mesos role the framework subscribes with and takes resources of' },
  MESOS_USER: { schema: text('root'), default: '`root`', meaning: 'the user the framework registers as (tasks run as the job\'s `runAsUser`)' },
  MESOS_FRAMEWORK_NAME: { schema: text('sisyphus'), default: '`sisyphus`', meaning: 'the framework name shown in the Mesos UI' },
  MESOS_CALL_TIMEOUT_MS: { schema: int(75_000, 1), default: '`75000`', meaning: 'how long a call to the master may take before it is given up' },
  MESOS_DECLINE_IDLE_SECONDS: { schema: seconds(300), default: '`300`', meaning: 'refuse filter of declined offers while no work waits' },
  MESOS_DECLINE_BUSY_SECONDS: { schema: seconds(2), default: '`2`', meaning: 'refuse filter of declined offers (and unused resources) while work waits' },
  MESOS_REVIVE_MIN_INTERVAL_MS: { schema: int(5_000, 0), default: '`5000`', meaning: 'at most one REVIVE this often while work waits' },
  ZK: { schema: text(null), default: 'unset: a single instance, always the leader', meaning: 'ZooKeeper hosts for leader election, e.g. `zk1:2181,zk2:2181`' },
  ZK_PATH: { schema: text('/sisyphus/leader'), default: '`/sisyphus/leader`', meaning: 'ZooKeeper path under which the instances elect their leader (created with its parents)' },
  ZK_SESSION_TIMEOUT_MS: { schema: int(4_000, 1_000), default: '`4000`', meaning: 'ZooKeeper session timeout: how long a dead leader keeps the leadership (4 s is the shortest a ZooKeeper server with its default `tickTime` of 2 s grants)' },
  STANDBY_POLL_MS: { schema: int(500, 0), default: '`500`', meaning: 'how often a follower reads the changes of the jobs and of the unfinished runs to keep its copy of them warm for a takeover; `0`: none (a new leader reads every job and unfinished run)' },
  TAKEOVER_RETRY_MS: { schema: int(1_000, 1), default: '`1000`', meaning: 'first wait before a failed takeover (loading the scheduler) is tried again; doubles up to 15 s' },
  SISYPHUS_HOSTNAME: { schema: text(null), default: "the machine's hostname", meaning: 'the host other instances reach this one at; the instance id is `SISYPHUS_HOSTNAME:PORT`' },
  PORT: { schema: int(8080, 1, 65535), default: '`8080`', meaning: 'HTTP port of the app' },
  HOSTNAME: { schema: text('0.0.0.0'), default: '`0.0.0.0`', meaning: 'the address the app binds' },
  HTTP_CREDENTIALS: { schema: userPassword('user:password'), default: 'unset: open', meaning: '`user:password` for HTTP basic auth on the API and the UI' },
  HTTP_MAX_BODY_BYTES: { schema: bytes(DEFAULT_MAX_BODY_BYTES), default: '`1MiB`', meaning: 'the largest request body (a number of bytes, or with `KiB`/`MiB`); larger ones get 413' },
  RETRY_DELAY_MS: { schema: int(60_000, 0), default: '`60000`', meaning: "delay before a failed run is retried (Chronos's `--failure_retry`)" },
  DISABLE_AFTER_FAILURES: { schema: int(0, 0), default: '`0` (never)', meaning: "disable a job after this many failures since its last success (Chronos's `--disable_after_failures`)" },
  BACKFILL_MAX_INSTANTS: { schema: int(1000, 1, 100_000), default: '`1000`', meaning: 'the most instants one backfill may run (`POST /api/jobs/{name}/backfill`); a longer range is a 400' },
  CATCH_UP_MAX: { schema: int(100, 1), default: '`100`', meaning: 'at most this many missed instants of one job run (and are recorded skipped) after downtime, under `catchUp: all` or `none`; the rest are skipped' },
  CATCH_UP_GRACE_MS: { schema: int(60_000, 0), default: '`60000`', meaning: 'an instant at most this late is on time, not missed (it runs under `catchUp: none`)' },
  SCHEDULE_PREPARE_AHEAD_MS: { schema: int(5_000, 0, 60_000), default: '`5000`', meaning: "how long before its instant a scheduled run is stored and held, so jobs due together only launch at the instant (a change to the job meanwhile withdraws it); `0`: made at the instant" },
  METRICS_MAX_JOB_LABELS: { schema: int(500, 1), default: '`500`', meaning: 'at most this many distinct `job` labels in /metrics; runs of further jobs count under `_other`' },
  LOG_LEVEL: { schema: oneOf(LOG_LEVELS, 'info'), default: '`info`', meaning: '`trace`, `debug`, `info`, `warn`, `error` or `silent`' },
  SISYPHUS_URL: { schema: text(null), default: 'unset: `http://SISYPHUS_HOSTNAME:PORT`', meaning: "the web UI's address as people reach it: links in notifications point there" },
  MAIL_SERVER: { schema: text(null), default: 'unset: no mail', meaning: "SMTP server `host:port` that mails a job's owners (Chronos's `--mail_server`)" },
  MAIL_USER: { schema: text(null), default: 'unset', meaning: "SMTP user (Chronos's `--mail_user`)" },
  MAIL_PASSWORD: { schema: text(null), default: 'unset', meaning: "SMTP password (Chronos's `--mail_password`)" },
  MAIL_FROM: { schema: text(null), default: 'unset', meaning: "the mails' sender address, required with `MAIL_SERVER` (Chronos's `--mail_from`)" },
  MAIL_SSL: { schema: text(null), default: '`false`', meaning: "`true`: TLS from the first byte (SMTPS, usually port 465); `false`: STARTTLS when offered (Chronos's `--mail_ssl`)" },
  SLACK_URL: { schema: text(null), default: 'unset', meaning: "Slack incoming-webhook URL notifications are posted to (Chronos's `--slack_url`)" },
  MATTERMOST_URL: { schema: text(null), default: 'unset', meaning: 'Mattermost incoming-webhook URL notifications are posted to' },
  SENTRY_DSN: { schema: text(null), default: 'unset', meaning: "Sentry DSN `https://<key>@<host>/<project>` that failures are sent to as events (Chronos's `--raven_dsn`)" },
  NOTIFY_WEBHOOK_URL: { schema: text(null), default: 'unset', meaning: 'a URL that receives a JSON document per notification (PagerDuty, Opsgenie, a bot)' },
  NOTIFY_WEBHOOK_SECRET: { schema: text(null), default: 'unset: unsigned', meaning: 'signs each webhook body: header `X-Sisyphus-Signature: sha256=<hex HMAC-SHA256 of the body>`' },
  NOTIFY_WINDOW_SECONDS: { schema: int(600, 0), default: '`600`', meaning: 'one message per job, event kind and recipient within this many seconds (`0`: every one)' },
  NOTIFY_DIGEST_AFTER: { schema: int(5, 1), default: '`5`', meaning: 'more than this many notifications for one recipient at once go as one digest' },
  NOTIFY_GATHER_MS: { schema: int(2_000, 0), default: '`2000`', meaning: 'how long a notification waits for others arriving together (they may form a digest)' },
  NOTIFY_MAX_ATTEMPTS: { schema: int(10, 1), default: '`10`', meaning: 'delivery attempts of a notification (5 s apart, doubling up to 10 min) before it is marked failed' },
  NOTIFY_LONG_RUN_FACTOR: { schema: multiple(3), default: '`3`', meaning: "a run still running after this many times its job's p95 duration (of its successful runs) is a `still-running` event (`0`: only past `maxCompletionTime`)" },
  NOTIFY_LONG_RUN_MIN_RUNS: { schema: int(5, 1), default: '`5`', meaning: 'successful runs a job needs before its p95 duration sets its `still-running` limit' },
  NOTIFY_LONG_RUN_MIN_SECONDS: { schema: seconds(60), default: '`60`', meaning: 'the p95-based `still-running` limit is at least this many seconds' },
  SISYPHUS_MIGRATIONS_DIR: { schema: text(null), default: '`prisma/migrations`, found upward', meaning: 'the migrations applied at start (tests point it elsewhere)' },
} as const;

/** Read by scripts/start.mjs (`npm start`) only, before this process exists; listed in the README too. */
export const LAUNCHER_SETTINGS = {
  MESOS_LOCAL_PORT: { default: '`5050`', meaning: 'port of the embedded `mesos-local` that `npm start` runs when `MESOS_MASTER` is unset' },
} as const;

const TEST_PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const TEST_ZK = '127.0.0.1:2181';

/** Read by the test suite only (never by the product); listed in the README too. */
export const TEST_SETTINGS = {
  SISYPHUS_TEST_PG_URL: { default: `\`${TEST_PG_URL}\``, meaning: 'tests only: the PostgreSQL server on which each test file creates and drops its own database' },
  SISYPHUS_TEST_ZK: { default: `\`${TEST_ZK}\``, meaning: 'tests only: `host:port` of the ZooKeeper the election and failover tests use' },
} as const;

/** SISYPHUS_TEST_ZK: the ZooKeeper the tests use. */
export function testZookeeper(env: Record<string, string | undefined> = process.env): string {
  return env.SISYPHUS_TEST_ZK || TEST_ZK;
}

/** SISYPHUS_TEST_PG_URL: the server the tests' throwaway databases live on. */
export function testDatabaseServerUrl(env: Record<string, string | undefined> = process.env): string {
  return env.SISYPHUS_TEST_PG_URL || TEST_PG_URL;
}

type Parsed = { [K in keyof typeof SETTINGS]: z.output<(typeof SETTINGS)[K]['schema']> };

const schema = z.object(Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, v.schema])) as { [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K]['schema'] });

export interface Config {
  http: {
    port: number;
    host: string;
    /** HTTP basic auth on every path, or null when open. */
    credentials: { user: string; password: string } | null;
    /** Request bodies larger than this are refused with 413 before they are read. */
    maxBodyBytes: number;
  };
  database: { url: string | null; dataDir: string; migrationsDir: string | null; versionsKept: number };
  mesos: {
    master: string | null;
    encoding: 'json' | 'protobuf';
    credentials: { principal: string; secret: string } | null;
    role: string;
    user: string;
    frameworkName: string;
    callTimeoutMs: number;
    declineIdleSeconds: number;
    declineBusySeconds: number;
    reviveMinIntervalMs: number;
  };
  zk: { servers: string | null; path: string; sessionTimeoutMs: number; standbyPollMs: number };
  instance: {
    /** The host other instances reach this one at. */
    hostname: string;
    /** `hostname:port`: the instance id. */
    id: string;
  };
  worker: { retryDelayMs: number; disableAfterFailures: number; takeoverRetryMs: number; catchUpMax: number; catchUpGraceMs: number; prepareAheadMs: number };
  metrics: { maxJobLabels: number };
  backfill: { maxInstants: number };
  notify: {
    /** The channels' settings as given (checked by core/notify-settings.ts, never fatal). */
    input: NotifySettingsInput;
    /** The UI's base URL for links. */
    baseUrl: string;
    windowMs: number;
    digestAfter: number;
    gatherMs: number;
    maxAttempts: number;
    /** When a run is "still running" (core/notify-long-run.ts). */
    longRun: LongRunSettings;
  };
  logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the settings of `env`; a bad value throws ConfigError naming the variable. */
export function loadConfig(env: Env = process.env): Config {
  const r = schema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const s = r.data as Parsed;
  const hostname = s.SISYPHUS_HOSTNAME ?? os.hostname();
  return {
    http: { port: s.PORT, host: s.HOSTNAME, credentials: s.HTTP_CREDENTIALS, maxBodyBytes: s.HTTP_MAX_BODY_BYTES },
    database: { url: s.DATABASE_URL, dataDir: s.SISYPHUS_DATA_DIR, migrationsDir: s.SISYPHUS_MIGRATIONS_DIR, versionsKept: s.JOB_VERSIONS_KEPT },
    mesos: {
      master: s.MESOS_MASTER,
      encoding: s.MESOS_ENCODING,
      credentials: s.MESOS_CREDENTIALS ? { principal: s.MESOS_CREDENTIALS.user, secret: s.MESOS_CREDENTIALS.password } : null,
      role: s.MESOS_ROLE,
      user: s.MESOS_USER,
      frameworkName: s.MESOS_FRAMEWORK_NAME,
      callTimeoutMs: s.MESOS_CALL_TIMEOUT_MS,
      declineIdleSeconds: s.MESOS_DECLINE_IDLE_SECONDS,
      declineBusySeconds: s.MESOS_DECLINE_BUSY_SECONDS,
      reviveMinIntervalMs: s.MESOS_REVIVE_MIN_INTERVAL_MS,
    },
    zk: { servers: s.ZK, path: s.ZK_PATH, sessionTimeoutMs: s.ZK_SESSION_TIMEOUT_MS, standbyPollMs: s.STANDBY_POLL_MS },
    instance: { hostname, id: `${hostname}:${s.PORT}` },
    worker: { retryDelayMs: s.RETRY_DELAY_MS, disableAfterFailures: s.DISABLE_AFTER_FAILURES, takeoverRetryMs: s.TAKEOVER_RETRY_MS, catchUpMax: s.CATCH_UP_MAX, catchUpGraceMs: s.CATCH_UP_GRACE_MS, prepareAheadMs: s.SCHEDULE_PREPARE_AHEAD_MS },
    metrics: { maxJobLabels: s.METRICS_MAX_JOB_LABELS },
    backfill: { maxInstants: s.BACKFILL_MAX_INSTANTS },
    notify: {
      input: {
        mailServer: s.MAIL_SERVER,
        mailUser: s.MAIL_USER,
        mailPassword: s.MAIL_PASSWORD,
        mailFrom: s.MAIL_FROM,
        mailSsl: s.MAIL_SSL,
        slackUrl: s.SLACK_URL,
        mattermostUrl: s.MATTERMOST_URL,
        sentryDsn: s.SENTRY_DSN,
        webhookUrl: s.NOTIFY_WEBHOOK_URL,
        webhookSecret: s.NOTIFY_WEBHOOK_SECRET,
      },
      baseUrl: s.SISYPHUS_URL ?? `http://${hostname}:${s.PORT}`,
      windowMs: s.NOTIFY_WINDOW_SECONDS * 1000,
      digestAfter: s.NOTIFY_DIGEST_AFTER,
      gatherMs: s.NOTIFY_GATHER_MS,
      maxAttempts: s.NOTIFY_MAX_ATTEMPTS,
      longRun: { factor: s.NOTIFY_LONG_RUN_FACTOR, minRuns: s.NOTIFY_LONG_RUN_MIN_RUNS, minMs: s.NOTIFY_LONG_RUN_MIN_SECONDS * 1000 },
    },
    logLevel: env.LOG_LEVEL === undefined && env.VITEST ? 'silent' : s.LOG_LEVEL,
  };
}

let current: Config | null = null;

/** The process's settings, read on first use (the entry points read them first, to fail early). */
export function config(): Config {
  current ??= loadConfig();
  return current;
}

/** Reads the settings again (tests that change the environment), with `overrides` over the environment (an entry point's command-line flags). */
export function reloadConfig(overrides: Env = {}): Config {
  current = loadConfig({ ...process.env, ...overrides });
  return current;
}
