/**
 * What the benchmarks run against: a fresh PostgreSQL database per benchmark, mesos-local in its
 * own process, and the real Sisyphus app (`next build` + `server/main.ts`) for the REST figures.
 *
 * The app is built from a copy of the working tree under /tmp (other engineers work in this
 * checkout; building in place would race their `npm start`, and a half-written page of theirs must
 * not break this build). The copy's next.config.js only gets `turbopack.root = "/"` so the
 * symlinked node_modules resolves; everything else is the project's own configuration.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../../scheduler/testing/free-port';
import { treeRssMiB } from './proc';
// @ts-expect-error: plain JS module shared with scripts/start.mjs (no types)
import { buildServerBundle, bundleCurrent, bundledMain } from '../../scripts/lib/server-bundle.mjs';
import { progress, say, sleep, waitFor } from './util';

/** The checkout (npm runs scripts from the package root). */
export const ROOT = findRoot();
function findRoot(): string {
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'bench', 'lib', 'services.ts')) && fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error('run the benchmarks from the Sisyphus checkout (npm run bench)');
  }
}
export const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const children = new Set<ChildProcess>();

/** Kills every child this process started (each by its own process group). */
export function killChildren(): void {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', killChildren);

/**
 * Environment for every child the bench starts: bench/lib/orphan-guard.cjs preloaded, so the child
 * (and its own children) exit within a second of the bench process dying, whatever killed it.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const guard = path.join(ROOT, 'bench', 'lib', 'orphan-guard.cjs');
  const nodeOptions = [extra.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '', `--require ${guard}`].join(' ').trim();
  return { ...process.env, ...extra, BENCH_PARENT_PID: String(process.pid), NODE_OPTIONS: nodeOptions };
}

/** A free loopback port (scheduler/testing/free-port.ts), for the benchmarks' children. */
export { freePort };

/* ------------------------------------------------------------------ PostgreSQL */

export interface DbStats {
  commits: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export interface BenchDb {
  name: string;
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Commits of the database and row writes of its user tables (pg_stat, flushed ~1 s late). */
  stats(): Promise<DbStats>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createBenchDb(prefix = 'sisyphus_bench'): Promise<BenchDb> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const client = new pg.Client({ connectionString: url });
  client.on('notice', () => {});
  client.on('error', () => {}); // the database dropped under us: the next query says so
  await client.connect();
  return {
    name,
    url,
    async query(sql, params) {
      return (await client.query(sql, params)).rows;
    },
    async stats() {
      const [d] = (
        await client.query<{ c: string }>(`SELECT xact_commit::text AS c FROM pg_stat_database WHERE datname = current_database()`)
      ).rows;
      const [t] = (
        await client.query<{ i: string; u: string; d: string }>(
          `SELECT coalesce(sum(n_tup_ins),0)::text AS i, coalesce(sum(n_tup_upd),0)::text AS u, coalesce(sum(n_tup_del),0)::text AS d FROM pg_stat_user_tables`,
        )
      ).rows;
      return { commits: Number(d.c), inserted: Number(t.i), updated: Number(t.u), deleted: Number(t.d) };
    },
    async drop() {
      await client.end().catch(() => {});
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch(() => {});
    },
  };
}

/**
 * Drops databases left by an interrupted earlier run: only those nobody is connected to, so a
 * bench running at the same time (another engineer's, or the lead's baseline) keeps its database.
 */
export async function dropStaleBenchDbs(): Promise<void> {
  const names = await admin(
    async (c) =>
      (
        await c.query<{ datname: string }>(
          `SELECT d.datname FROM pg_database d
            WHERE (d.datname LIKE 'sisyphus_bench_%' OR d.datname LIKE 'sisyphus_uibench_%' OR d.datname LIKE 'peer_bench_%')
              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
        )
      ).rows,
  );
  for (const { datname } of names) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)).catch(() => {});
}

/* ------------------------------------------------------------------ mesos-local */

export interface MesosProcess {
  url: string;
  pid: number;
  metrics(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
  children.delete(child);
}

/** Starts mesos-local (bench/lib/mesos-child.ts) with these MesosLocal options. */
export async function startMesos(opts: Record<string, unknown>): Promise<MesosProcess> {
  // BENCH_MESOS_NODE_ARGS, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof', profiles mesos-local
  const nodeArgs = (process.env.BENCH_MESOS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, 'bench', 'lib', 'mesos-child.ts'), JSON.stringify(opts)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: childEnv({ NODE_OPTIONS: '--max-old-space-size=4096' }),
  });
  track(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`mesos-local exited ${code}: ${err}`)));
  });
  return {
    url,
    pid: child.pid!,
    async metrics() {
      const r = await fetch(`${url}/metrics/snapshot`);
      return (await r.json()) as Record<string, number>;
    },
    stop: () => stopChild(child),
  };
}

/* ------------------------------------------------------------------ the app */

/** Where the bench builds its copy of the app; BENCH_APP_DIR lets two benches run side by side. */
export const APP_DIR = process.env.BENCH_APP_DIR ?? path.join(os.tmpdir(), ROOT === '/work/main' ? 'sisyphus-bench-app' : `sisyphus-bench-app-${path.basename(ROOT)}`);
const COPY_EXCLUDES = ['node_modules', '.next', '.git', 'data', 'bench/results', '.sisyphus-test', 'e2e/artifacts', 'coverage'];

/** Copies the working tree and runs `next build` there unless the copy's last build is current. */
export async function buildApp(): Promise<string> {
  fs.mkdirSync(APP_DIR, { recursive: true });
  execFileSync('rsync', ['-a', '--delete', '--checksum', ...COPY_EXCLUDES.flatMap((e) => ['--exclude', e]), '--exclude', 'next.config.js', `${ROOT}/`, `${APP_DIR}/`]);
  const cfg = fs.readFileSync(path.join(ROOT, 'next.config.js'), 'utf8').replace(
    /module\.exports\s*=\s*nextConfig;?/,
    '// bench copy: node_modules is a symlink into the checkout\nnextConfig.turbopack = { ...(nextConfig.turbopack ?? {}), root: "/" };\nmodule.exports = nextConfig;',
  );
  const cfgPath = path.join(APP_DIR, 'next.config.js');
  if (!fs.existsSync(cfgPath) || fs.readFileSync(cfgPath, 'utf8') !== cfg) fs.writeFileSync(cfgPath, cfg);
  const nm = path.join(APP_DIR, 'node_modules');
  if (!fs.existsSync(nm)) fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), nm);
  const buildId = path.join(APP_DIR, '.next', 'BUILD_ID');
  const newest = newestMtime(APP_DIR);
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newest) {
    if (!bundleCurrent(APP_DIR, newest)) await buildServerBundle(APP_DIR);
    return APP_DIR;
  }
  say('building the app (next build in a copy of the working tree, ~40 s)…');
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
      cwd: APP_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }),
      detached: true,
    });
    track(child);
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const tick = setInterval(() => progress(`next build… ${Math.round((Date.now() - t0) / 1000)} s`), 1000);
    child.once('exit', (code) => {
      clearInterval(tick);
      if (code === 0) resolve();
      else reject(new Error(`next build failed (exit ${code}):\n${out}`));
    });
  });
  await buildServerBundle(APP_DIR);
  say(`app built in ${Math.round((Date.now() - t0) / 1000)} s (and the server bundle: scripts/lib/server-bundle.mjs)`);
  return APP_DIR;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === '.next') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.isFile()) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

export interface AppProcess {
  url: string;
  pid: number;
  /** Resident memory of the server process tree, in MiB. */
  rssMiB(): number;
  stop(): Promise<void>;
}

/**
 * The server of the built copy, against this database and master, as `npm start` runs it: the
 * compiled server (.next/server-bundle/server/main.mjs) under plain node; `tsx: true` runs
 * server/main.ts under `node --import tsx` instead (for comparison). Resolves once /ping answers.
 */
export async function startApp(opts: {
  dbUrl: string;
  master: string;
  mesos?: MesosProcess;
  env?: Record<string, string>;
  appDir?: string;
  tsx?: boolean;
  settleMs?: number;
  /** How long it may take to answer /ping (and subscribe, with `mesos`); 120 s (60 s) by default. */
  readyTimeoutMs?: number;
  /** Called with the server's pid as soon as it is spawned (to sample its RSS from the start). */
  onSpawn?: (pid: number) => void;
}): Promise<AppProcess> {
  const port = await freePort();
  // e.g. BENCH_APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the app alone
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const dir = opts.appDir ?? APP_DIR;
  const entry = opts.tsx ? ['--import', 'tsx', path.join(dir, 'server', 'main.ts')] : [bundledMain(dir)];
  const child = spawn(process.execPath, [...nodeArgs, ...entry, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: childEnv({
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: opts.dbUrl,
      MESOS_MASTER: opts.master,
      PORT: String(port),
      LOG_LEVEL: process.env.BENCH_APP_LOG_LEVEL ?? 'warn',
      ...opts.env,
    }),
  });
  track(child);
  opts.onSpawn?.(child.pid!);
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(
    'the app to answer /ping',
    async () => {
      if (exited) throw new Error(`the server exited:\n${out}`);
      try {
        const r = await fetch(`${url}/ping`);
        return r.ok;
      } catch {
        return false;
      }
    },
    opts.readyTimeoutMs ?? 120_000,
    200,
  );
  if (opts.mesos) {
    // The scheduler is up once its framework subscribed to the master (boot registers the
    // worker as the API's runtime right after), then a moment more.
    const m = opts.mesos;
    await waitFor("the app's framework to subscribe", async () => (await m.metrics())['master/frameworks_active'] >= 1, opts.readyTimeoutMs ?? 60_000, 200);
    await sleep(opts.settleMs ?? 1000);
  }
  return {
    url,
    pid: child.pid!,
    rssMiB: () => treeRssMiB(child.pid!),
    async stop() {
      await stopChild(child, 10_000);
      await sleep(200);
    },
  };
}
