#!/usr/bin/env node
/**
 * Brings up what the tests need, and is quiet and quick when it is all there already:
 *
 *   postgres   PostgreSQL on 127.0.0.1:5432 (started if down), with a database `test`
 *   zookeeper  ZooKeeper on 127.0.0.1:2181 from Debian's `zookeeper` package, started detached
 *   chromium   /usr/bin/chromium from Debian's `chromium` package, for the e2e tests
 *   ffmpeg     ffmpeg and ffprobe from Debian's `ffmpeg` package, for the nightly-transcode example
 *              (examples/nightly-transcode/) and its e2e test
 *   mesos      real Apache Mesos for the real-Mesos tier (test/mesos/): its runtime packages and
 *              the build (../shared/mesos, MESOS_BUILD or MESOS_HOME) unpacked into .cache/mesos/
 *              (scripts/mesos.ts install). No cluster is started here: the tier starts its own
 *              master and agents on free ports and stops them. Without a build: one line, no failure.
 *
 *   registry   docker-registry on 127.0.0.1:5000 with a test image built from Debian packages
 *   dockerd    Debian's docker.io engine on unix:///tmp/sisyphus-docker/docker.sock
 *              (these two: scripts/lib/containers.mjs, for the container tests)
 *
 * Usage: node scripts/services.mjs [--only=postgres,zookeeper,chromium,ffmpeg,mesos,registry,dockerd]
 * Each step prints one line when it had to do something and nothing otherwise. A failure prints
 * one line naming what failed and how to fix it, and exits 1.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { aptInstall } from './lib/apt.mjs';
import { dockerd, registry } from './lib/containers.mjs';
import { ROOT, ScriptError, capture, lastLine, portOpen, runMain, say, waitUntil } from './lib/util.mjs';

const PG_HOST = '127.0.0.1';
const PG_PORT = 5432;
const PG_USER = process.env.PGUSER || 'postgres';
const TEST_DB = 'test';

const ZK_HOST = '127.0.0.1';
const ZK_PORT = 2181;
const ZK_HOME = '/usr/share/zookeeper';
const ZK_JAR = '/usr/share/java/zookeeper.jar';
/** Outside the checkout on purpose: one ZooKeeper serves every checkout and fresh clone. */
const ZK_DIR = path.join(os.tmpdir(), 'sisyphus-zookeeper');

const CHROMIUM = '/usr/bin/chromium';

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------- PostgreSQL

async function postgres() {
  const started = Date.now();
  const done = [];
  if (!(await portOpen(PG_PORT, PG_HOST))) {
    await startPostgres();
    done.push('started PostgreSQL');
  }
  if (await createTestDatabase()) done.push(`created database ${TEST_DB}`);
  if (done.length) say(`${done.join(', ')} on ${PG_HOST}:${PG_PORT} (${seconds(started)})`);
}

async function startPostgres() {
  let versions = [];
  try {
    versions = fs
      .readdirSync('/etc/postgresql')
      .filter((v) => fs.existsSync(`/etc/postgresql/${v}/main`))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // not installed
  }
  if (!versions.length) {
    throw new ScriptError(
      'PostgreSQL is not installed (no cluster under /etc/postgresql); install it with: apt-get install -y postgresql',
    );
  }
  const version = versions[0];
  const r = await capture('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  // Exit 2 means "already running": then it is listening elsewhere or still starting up.
  if (r.code !== 0 && r.code !== 2) {
    throw new ScriptError(
      `could not start PostgreSQL ${version}/main (${lastLine(r.output)}); see /var/log/postgresql/postgresql-${version}-main.log`,
    );
  }
  if (!(await waitUntil(() => portOpen(PG_PORT, PG_HOST), 30_000))) {
    throw new ScriptError(
      `PostgreSQL ${version}/main started but does not listen on ${PG_HOST}:${PG_PORT}; check listen_addresses and port in /etc/postgresql/${version}/main/postgresql.conf`,
    );
  }
}

/** Creates the test database when missing; true when it had to. */
async function createTestDatabase() {
  let pg;
  try {
    pg = (await import('pg')).default;
  } catch {
    throw new ScriptError('the pg package is missing; run: npm install');
  }
  const client = new pg.Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: 'postgres' });
  try {
    await client.connect();
  } catch (err) {
    throw new ScriptError(
      `cannot connect to PostgreSQL at ${PG_HOST}:${PG_PORT} as ${PG_USER} (${err.message}); tests expect trust auth for local TCP (pg_hba.conf) or PGUSER/PGPASSWORD set`,
    );
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEST_DB]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${TEST_DB}"`);
    } catch (err) {
      // 42P04: another process created it meanwhile.
      if (err.code !== '42P04') {
        throw new ScriptError(`cannot create database ${TEST_DB} (${err.message}); the user ${PG_USER} needs CREATEDB`);
      }
    }
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

// ----------------------------------------------------------------------------------- ZooKeeper

/** Sends a four-letter-word command and resolves the reply ('' when nothing answers). */
function fourLetterWord(word, port = ZK_PORT, host = ZK_HOST, timeoutMs = 1000) {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect({ port, host }, () => socket.end(word));
    const finish = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('data', (d) => (reply += d));
    socket.on('end', finish);
    socket.on('error', finish);
  });
}

async function zookeeper() {
  // ruok first: a bare connect-and-close makes ZooKeeper log a warning with a stack trace.
  if ((await fourLetterWord('ruok')) === 'imok' || (await portOpen(ZK_PORT, ZK_HOST))) return;
  const started = Date.now();
  const done = [];
  if (!fs.existsSync(ZK_HOME) || !fs.existsSync(ZK_JAR)) {
    await aptInstall(['zookeeper']);
    done.push('installed zookeeper');
  }
  const log = await startZookeeper();
  done.push(`started ZooKeeper on ${ZK_HOST}:${ZK_PORT} (log: ${log})`);
  say(`${done.join(', ')} (${seconds(started)})`);
}

const ZOO_CFG = (dataDir) => `# Written by scripts/services.mjs: a standalone ZooKeeper for Sisyphus's tests.
tickTime=2000
initLimit=10
syncLimit=5
dataDir=${dataDir}
clientPort=${ZK_PORT}
clientPortAddress=${ZK_HOST}
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
`;

/** INFO to the console, which is redirected to the log file. */
const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n
`;

/**
 * Debian's own class path: zookeeper.jar names its dependencies in its manifest. The two logging
 * jars (hard dependencies of libzookeeper-java) bind SLF4J to log4j; with the whole of
 * /usr/share/java on the class path SLF4J would pick whichever binding comes first, often "nop".
 */
const ZK_CLASSPATH = ['zookeeper.jar', 'slf4j-log4j12.jar', 'log4j-1.2.jar']
  .map((jar) => `/usr/share/java/${jar}`)
  .join(':');

async function startZookeeper() {
  const dataDir = path.join(ZK_DIR, 'data');
  const cfg = path.join(ZK_DIR, 'zoo.cfg');
  const log4j = path.join(ZK_DIR, 'log4j.properties');
  const log = path.join(ZK_DIR, 'zookeeper.log');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(cfg, ZOO_CFG(dataDir));
  fs.writeFileSync(log4j, LOG4J_PROPERTIES);

  const out = fs.openSync(log, 'a');
  const child = spawn(
    'java',
    [
      '-Xmx256m',
      `-Dzookeeper.log.dir=${ZK_DIR}`,
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      ZK_CLASSPATH,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      cfg,
    ],
    { cwd: ZK_DIR, detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exited = false;
  let spawnError = '';
  child.on('error', (err) => {
    exited = true;
    spawnError = err.message;
  });
  child.on('exit', () => (exited = true));
  child.unref();
  if (child.pid) fs.writeFileSync(path.join(ZK_DIR, 'zookeeper.pid'), `${child.pid}\n`);

  const ready = await waitUntil(async () => {
    if ((await fourLetterWord('ruok')) === 'imok') return true;
    // Another process may have started one meanwhile (ours then exits: port taken).
    return exited && (await portOpen(ZK_PORT, ZK_HOST));
  }, 60_000);
  if (!ready) {
    if (!exited) child.kill();
    const why = spawnError ? `cannot run java (${spawnError}); install a JRE: apt-get install -y default-jre-headless` : `see ${log}`;
    throw new ScriptError(`ZooKeeper did not come up on ${ZK_HOST}:${ZK_PORT}; ${why}`);
  }
  return log;
}

// ------------------------------------------------------------------------------------ Chromium

async function chromium() {
  if (fs.existsSync(CHROMIUM)) return;
  const started = Date.now();
  await aptInstall(['chromium']);
  if (!fs.existsSync(CHROMIUM)) {
    throw new ScriptError(`the chromium package installed no ${CHROMIUM}; check: dpkg -L chromium`);
  }
  say(`installed chromium (${CHROMIUM}) (${seconds(started)})`);
}

// -------------------------------------------------------------------------------------- ffmpeg

const FFMPEG_TOOLS = ['/usr/bin/ffmpeg', '/usr/bin/ffprobe'];

async function ffmpeg() {
  if (FFMPEG_TOOLS.every((f) => fs.existsSync(f))) return;
  const started = Date.now();
  await aptInstall(['ffmpeg']);
  const missing = FFMPEG_TOOLS.filter((f) => !fs.existsSync(f));
  if (missing.length) throw new ScriptError(`the ffmpeg package installed no ${missing.join(', ')}; check: dpkg -L ffmpeg`);
  say(`installed ffmpeg (${FFMPEG_TOOLS.join(', ')}) (${seconds(started)})`);
}

// --------------------------------------------------------------------------------------- Mesos

async function mesos() {
  const r = await capture(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'mesos.ts'), 'install']);
  if (r.output.trim()) process.stdout.write(r.output.endsWith('\n') ? r.output : `${r.output}\n`);
  if (r.code !== 0) throw new ScriptError(lastLine(r.output) || `scripts/mesos.ts install failed (exit ${r.code})`);
}

// ---------------------------------------------------------------------------------------- main

const STEPS = { postgres, zookeeper, chromium, ffmpeg, mesos, registry, dockerd };

function selectedSteps(argv) {
  const only = argv.find((a) => a.startsWith('--only='));
  const unknownArg = argv.find((a) => !a.startsWith('--only='));
  if (unknownArg) throw new ScriptError(`unknown argument ${unknownArg}; usage: services.mjs [--only=${Object.keys(STEPS).join(',')}]`);
  if (!only) return Object.keys(STEPS);
  const names = only.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(n in STEPS));
  if (unknown.length) throw new ScriptError(`unknown service ${unknown.join(', ')}; known: ${Object.keys(STEPS).join(', ')}`);
  return names;
}

runMain(async () => {
  for (const name of selectedSteps(process.argv.slice(2))) await STEPS[name]();
});
