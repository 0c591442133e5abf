/**
 * Small helpers shared by the scripts in scripts/: one-line failures, child processes, ports.
 * Plain Node.js only (these run before anything is built or generated).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (the directory holding package.json). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** An expected failure: the scripts print its message as one line and exit non-zero. */
export class ScriptError extends Error {}

/** Prints one line on stdout, prefixed so it is clear which tool spoke. */
export function say(line) {
  process.stdout.write(`sisyphus: ${line}\n`);
}

/**
 * Runs main(); a ScriptError (or any error) becomes one line on stderr and exit code 1.
 * Set SISYPHUS_DEBUG=1 to see the stack of an unexpected error.
 */
export function runMain(main) {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`sisyphus: ${message.split('\n')[0]}\n`);
      if (process.env.SISYPHUS_DEBUG && !(err instanceof ScriptError) && err instanceof Error) {
        process.stderr.write(`${err.stack}\n`);
      }
      process.exit(1);
    },
  );
}

/**
 * Runs a command to completion with its output captured (not shown).
 * Resolves { code, output } where output is stdout and stderr interleaved; never rejects for a
 * non-zero exit, only when the program cannot be started at all (code -1, output says why).
 */
export function capture(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    } catch (err) {
      resolve({ code: -1, output: String(err) });
      return;
    }
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ code: -1, output: `${cmd}: ${err.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output }));
  });
}

/** Runs a command with its output streamed to ours; resolves its exit code. */
export function stream(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
    child.on('error', (err) => {
      process.stderr.write(`sisyphus: cannot run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The last non-empty line of some output, trimmed, for one-line error messages. */
export function lastLine(output) {
  const lines = String(output)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines[lines.length - 1] : '';
}

/** True when something accepts TCP connections on host:port (within timeoutMs). */
export function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Polls check() every intervalMs until it returns true; false after timeoutMs. */
export async function waitUntil(check, timeoutMs, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
