#!/usr/bin/env node
/**
 * `npm start`: runs the whole product with embedded defaults on a fresh machine after `npm install`.
 *
 *   1. Builds the Next.js app when .next/BUILD_ID is missing or older than any source file.
 *   2. Unless MESOS_MASTER is set, starts mesos-local (mesos-local/main.ts, once it exists) as a
 *      child process on MESOS_LOCAL_PORT (5050) and points the app at it.
 *   3. Starts the server (server/main.ts: the scheduler, the API, and Next.js for the pages) on
 *      PORT (8080) bound to HOSTNAME (0.0.0.0), compiled ahead of time (scripts/lib/server-bundle.mjs,
 *      made after each build) and run by plain node.
 * SIGINT/SIGTERM are forwarded to the children; when the app exits, mesos-local is stopped too.
 * Failures print one line (after the build output, when the build is what failed) and exit 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, ScriptError, capture, lastLine, portOpen, runMain, say } from './lib/util.mjs';
import { newestBuildInput } from './lib/build-inputs.mjs';
import { buildServerBundle, bundleCurrent, bundledMain } from './lib/server-bundle.mjs';

const NEXT_BIN = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
const BUILD_ID = path.join(ROOT, '.next', 'BUILD_ID');
const MESOS_LOCAL_MAIN = path.join(ROOT, 'mesos-local', 'main.ts');
const PRISMA_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const PRISMA_CLIENT = path.join(ROOT, 'scheduler', 'adapters', 'prisma', 'generated', 'client.ts');

function parsePort(value, name) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ScriptError(`${name}=${value} is not a TCP port (1-65535)`);
  }
  return port;
}

/**
 * HOSTNAME when the user set it, else 0.0.0.0. Docker (and some shells) export HOSTNAME as the
 * machine's own name; binding to that would make the app unreachable on localhost, so that value
 * is treated as unset.
 */
function bindHost() {
  const h = process.env.HOSTNAME;
  return h && h !== os.hostname() ? h : '0.0.0.0';
}

/** Why the app must be built before it starts, or null when the last build is current. */
function buildReason() {
  if (!fs.existsSync(BUILD_ID)) return 'building the web app (first start only, ~1-2 min)…';
  if (newestBuildInput(ROOT) > fs.statSync(BUILD_ID).mtimeMs) return 'sources changed since the last build: rebuilding the web app (~1-2 min)…';
  return null;
}

async function build(env, reason) {
  say(reason);
  const started = Date.now();
  const r = await capture(process.execPath, [NEXT_BIN, 'build'], { env });
  if (r.code !== 0) {
    const tail = r.output.split('\n').slice(-60).join('\n');
    process.stderr.write(`${tail}\n`);
    throw new ScriptError(`the web app did not build (next build exited ${r.code}; its output is above)`);
  }
  say(`built in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function generatePrismaClient(env) {
  if (!fs.existsSync(PRISMA_SCHEMA) || fs.existsSync(PRISMA_CLIENT)) return;
  const r = await capture(process.execPath, [path.join(ROOT, 'scripts', 'prisma-generate.mjs')], { env });
  if (r.code !== 0) throw new ScriptError(`prisma generate failed: ${lastLine(r.output)}`);
}

runMain(async () => {
  if (!fs.existsSync(NEXT_BIN)) throw new ScriptError('dependencies are missing; run: npm install');

  const port = parsePort(process.env.PORT ?? '8080', 'PORT');
  const host = bindHost();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(port), HOSTNAME: host };

  if (await portOpen(port)) throw new ScriptError(`port ${port} is already in use; stop what listens there or set PORT`);

  await generatePrismaClient(env);
  const reason = buildReason();
  if (reason) await build(env, reason);
  if (!bundleCurrent(ROOT, fs.statSync(BUILD_ID).mtimeMs)) {
    try {
      await buildServerBundle(ROOT);
    } catch (e) {
      throw new ScriptError(`the server did not compile: ${e.message}`);
    }
  }

  /** Live children, so a signal or an exit reaches every one of them. */
  const children = new Set();
  let stopping = false;
  const stopAll = (signal) => {
    for (const child of children) child.kill(signal);
  };
  const onSignal = (signal) => {
    stopping = true;
    stopAll(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('exit', () => stopAll('SIGKILL'));
  // `kill <pid of npm>` stops npm and its shell but not this process: notice being orphaned
  // (the parent changes) and stop as if sent SIGTERM, so no server is left behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) onSignal('SIGTERM');
  }, 1000).unref();

  // Hook: the embedded Mesos master, when no real one is configured.
  let mesos = null;
  if (!process.env.MESOS_MASTER && fs.existsSync(MESOS_LOCAL_MAIN)) {
    const mesosPort = parsePort(process.env.MESOS_LOCAL_PORT ?? '5050', 'MESOS_LOCAL_PORT');
    if (await portOpen(mesosPort)) {
      throw new ScriptError(
        `port ${mesosPort} (mesos-local) is already in use; stop what listens there, or set MESOS_MASTER to use it`,
      );
    }
    // Same loader as `npx tsx mesos-local/main.ts`, in one process so a signal reaches it directly.
    mesos = spawn(process.execPath, ['--import', 'tsx', MESOS_LOCAL_MAIN], {
      cwd: ROOT,
      env: { ...env, MESOS_LOCAL_PORT: String(mesosPort) },
      stdio: 'inherit',
    });
    children.add(mesos);
    env.MESOS_MASTER = `http://127.0.0.1:${mesosPort}`;
  }

  const app = spawn(process.execPath, [bundledMain(ROOT), '-p', String(port), '-H', host], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  children.add(app);

  return new Promise((resolve, reject) => {
    let appExited = false;
    if (mesos) {
      mesos.on('exit', (code, signal) => {
        children.delete(mesos);
        if (stopping || appExited) return;
        stopping = true;
        app.kill('SIGTERM');
        reject(new ScriptError(`mesos-local exited (${signal ?? `code ${code}`}); stopped the app too`));
      });
    }
    app.on('error', (err) => reject(new ScriptError(`cannot start the web app: ${err.message}`)));
    app.on('exit', (code, signal) => {
      appExited = true;
      children.delete(app);
      const finish = () => {
        if (stopping) resolve(0);
        else if (code === 0) resolve(0);
        else reject(new ScriptError(`the web app exited (${signal ?? `code ${code}`})`));
      };
      if (mesos && children.has(mesos)) {
        mesos.kill('SIGTERM');
        const force = setTimeout(() => mesos.kill('SIGKILL'), 5000);
        mesos.on('exit', () => {
          clearTimeout(force);
          finish();
        });
      } else {
        finish();
      }
    });
  });
});
