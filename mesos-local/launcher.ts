/**
 * The agent's side of mesos-local's launcher process (launcher-child.mjs): task processes are
 * forked there, not in the master's process. One launcher per ProcessRunner, started on first use;
 * if it dies, the tasks it was starting fail with a reason and the next launch starts a new one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Files the process's stdout and stderr are appended to. */
  stdout: string;
  stderr: string;
}

export interface SpawnEvents {
  onSpawn(pid: number): void;
  /** The process could not be started (no such file, …), or the launcher died before it did. */
  onError(message: string): void;
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
}

function launcherPath(): string {
  let dir = path.join(process.cwd(), 'mesos-local');
  try {
    dir = path.dirname(fileURLToPath(import.meta.url));
  } catch {
    // not a file: URL (bundled): mesos-local/ under the working directory
  }
  return path.join(dir, 'launcher-child.mjs');
}

export class Launcher {
  private child: ChildProcess | null = null;
  private seq = 0;
  /** The spawns of the current launcher process: each process has its own, as a closed launcher's exit comes after a new one may have started. */
  private pending = new Map<number, SpawnEvents & { pid: number | null }>();

  spawn(req: SpawnRequest, events: SpawnEvents): void {
    const child = this.ensure();
    const id = ++this.seq;
    this.pending.set(id, { ...events, pid: null });
    child.send({ op: 'spawn', id, ...req });
  }

  private ensure(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    const child = fork(launcherPath(), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map<number, SpawnEvents & { pid: number | null }>();
    this.pending = pending;
    child.on('message', (m: { id: number; ev: string; pid?: number; code?: number | null; signal?: NodeJS.Signals | null; message?: string }) => {
      const e = pending.get(m.id);
      if (!e) return;
      if (m.ev === 'spawn') {
        e.pid = m.pid!;
        e.onSpawn(m.pid!);
      } else if (m.ev === 'error') {
        pending.delete(m.id);
        e.onError(m.message ?? 'spawn failed');
      } else if (m.ev === 'exit') {
        pending.delete(m.id);
        e.onExit(m.code ?? null, m.signal ?? null);
      }
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      // Nobody would report the exit of its processes any more: they are killed and fail.
      const lost = [...pending.values()];
      pending.clear();
      for (const e of lost) {
        if (e.pid === null) {
          e.onError(`the agent's launcher process exited (${signal ?? `status ${code}`})`);
          continue;
        }
        try {
          process.kill(-e.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        e.onExit(null, 'SIGKILL');
      }
    });
    this.child = child;
    return child;
  }

  /** Stops the launcher (the agent is stopping; its tasks were killed first). */
  close(): void {
    const c = this.child;
    this.child = null;
    this.pending.clear(); // its exit then fails nothing: the agent killed its tasks first
    if (c && c.connected) c.disconnect();
  }
}
