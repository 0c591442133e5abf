/**
 * mesos-local agents: where tasks run.
 *
 * - `ProcessRunner` is a Mesos command executor in miniature: each command task is a local process
 *   (`sh -c value` when shell is true, otherwise `value` exec'd with `arguments.slice(1)`), in its
 *   own sandbox directory with `stdout` and `stderr` files, reporting STARTING → RUNNING →
 *   FINISHED / FAILED / KILLED. `CommandInfo.user` is ignored: processes run as the user that runs
 *   mesos-local (switching users would need root).
 * - `SimulatedRunner` (scale mode) runs no process: STARTING and RUNNING at once, FINISHED after a
 *   fixed duration, all deadlines in one TimerQueue.
 *
 * Runners report through a callback; the master (task-lifecycle.ts) turns reports into status updates
 * with uuids and handles delivery, retries and acknowledgements.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DOCKER_RUN_FAILED, SANDBOX_IN_CONTAINER, dockerAvailable, dockerError, dockerClientEnv, dockerRunArgs } from './docker';
import type { Json } from '../proto';
import { type Res, type Range, emptyRes } from './resources';
import { TimerQueue, type TimerHandle } from './timers';
import { Launcher } from './launcher';

export interface AgentConfig {
  id?: string;
  hostname?: string;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  /** Port ranges offered as the `ports` resource; default [[31000, 32000]]. */
  ports?: Range[];
  /** Agent attributes: numbers become SCALAR attributes, strings TEXT. */
  attributes?: Record<string, string | number>;
}

/** What the master hands an agent to run. */
export interface TaskLaunch {
  key: string; // `${frameworkId}/${taskId}`: unique on the agent
  taskId: string;
  frameworkId: string;
  agentId: string;
  executorId: string;
  info: Json; // TaskInfo in Mesos JSON
  /** Set for tasks of a LAUNCH_GROUP run by the default executor. */
  groupExecutor?: Json;
  sandbox: string;
}

export interface TaskReport {
  state: string;
  message?: string;
  reason?: string;
  source?: 'SOURCE_EXECUTOR' | 'SOURCE_AGENT';
  /** The executor exited abnormally with this wait status: the master sends FAILURE. */
  executorExitStatus?: number;
}

export type Reporter = (launch: TaskLaunch, report: TaskReport) => void;

export interface TaskRunner {
  launch(t: TaskLaunch): void;
  /** SIGTERM, then SIGKILL after graceMs. Unknown keys are ignored. */
  kill(key: string, graceMs: number): void;
  /** Kills the executor abruptly (fault injection); false when the task is not running here. */
  crash(key: string): boolean;
  /** Ends every task without reporting (agent lost, master stopped). */
  stopAll(): Promise<void>;
  has(key: string): boolean;
}

export function defaultAgentConfig(): Required<Omit<AgentConfig, 'id' | 'attributes'>> {
  return {
    hostname: os.hostname(),
    cpus: os.cpus().length || 1,
    mem: Math.max(256, Math.floor(os.totalmem() / 1024 / 1024) - 1024),
    disk: 100000,
    gpus: 0,
    ports: [[31000, 32000]],
  };
}

export function agentResources(cfg: AgentConfig): Res {
  const d = defaultAgentConfig();
  const r = emptyRes();
  r.scalars.cpus = cfg.cpus ?? d.cpus;
  r.scalars.mem = cfg.mem ?? d.mem;
  r.scalars.disk = cfg.disk ?? d.disk;
  if (cfg.gpus) r.scalars.gpus = cfg.gpus;
  r.ranges.ports = (cfg.ports ?? d.ports).map(([a, b]) => [a, b] as Range);
  return r;
}

export function attributesToProto(attrs: Record<string, string | number> | undefined): Json[] {
  return Object.entries(attrs ?? {}).map(([name, v]) =>
    typeof v === 'number'
      ? { name, type: 'SCALAR', scalar: { value: v } }
      : { name, type: 'TEXT', text: { value: v } },
  );
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR']);
export const isTerminal = (state: string) => TERMINAL.has(state);

const SIGNAL_NAMES: Record<string, string> = {
  SIGTERM: 'Terminated', SIGKILL: 'Killed', SIGINT: 'Interrupt', SIGHUP: 'Hangup', SIGQUIT: 'Quit',
  SIGABRT: 'Aborted', SIGSEGV: 'Segmentation fault', SIGPIPE: 'Broken pipe', SIGUSR1: 'User defined signal 1',
  SIGUSR2: 'User defined signal 2', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGILL: 'Illegal instruction',
};
const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGTERM: 15 };

/** "Command exited with status 3" / "Command terminated with signal Killed", as the command executor words it. */
export function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `Command terminated with signal ${SIGNAL_NAMES[signal] ?? signal}`;
  return `Command exited with status ${code ?? 0}`;
}

interface Proc {
  launch: TaskLaunch;
  /** Process id (also its process group) once started; null after it exited. */
  pid?: number | null;
  killRequested: boolean;
  killTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
  maxReached: boolean;
  crashed: boolean;
  silent: boolean; // stopAll: no more reports
  done: boolean;
  exited?: Promise<void>;
}

const REMOTE_URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Runs command tasks as local processes with a sandbox per task. */
export class ProcessRunner implements TaskRunner {
  private procs = new Map<string, Proc>();
  private readonly launcher = new Launcher();

  /** dockerHost: the Docker engine DOCKER tasks run on (default: DOCKER_HOST, else /var/run/docker.sock). */
  constructor(
    private readonly report: Reporter,
    private readonly dockerHost?: string,
  ) {}

  has(key: string): boolean {
    return this.procs.has(key);
  }

  launch(t: TaskLaunch): void {
    const p: Proc = { launch: t, killRequested: false, maxReached: false, crashed: false, silent: false, done: false };
    this.procs.set(t.key, p);
    this.start(p).catch((err) => this.finish(p, { state: 'TASK_FAILED', message: `Failed to launch task: ${(err as Error).message}`, reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' }));
  }

  private emit(p: Proc, r: TaskReport): void {
    if (p.silent || p.done) return;
    this.report(p.launch, r);
  }

  private finish(p: Proc, r: TaskReport): void {
    if (p.done) return;
    this.emit(p, r);
    p.done = true;
    if (p.killTimer) clearTimeout(p.killTimer);
    if (p.maxTimer) clearTimeout(p.maxTimer);
    this.procs.delete(p.launch.key);
  }

  private async start(p: Proc): Promise<void> {
    const t = p.launch;
    const info = t.info;
    await fs.promises.mkdir(t.sandbox, { recursive: true });
    const fail = (message: string, reason = 'REASON_CONTAINER_LAUNCH_FAILED') =>
      this.finish(p, { state: 'TASK_FAILED', message, reason, source: 'SOURCE_AGENT' });

    if (info.executor && !t.groupExecutor) {
      return fail('Custom executors are not supported by mesos-local: set TaskInfo.command (the command executor runs it)', 'REASON_EXECUTOR_TERMINATED');
    }
    const command: Json | undefined = info.command;
    if (!command) return fail('Task has no CommandInfo to run');
    const container: Json | undefined = info.container;
    const docker = container?.type === 'DOCKER';
    if (docker && !(await dockerAvailable(this.dockerHost))) return fail('Failed to launch container: no Docker engine is available on this agent');
    if (container?.type === 'MESOS' && container.mesos?.image) {
      return fail('Failed to launch container: container images are not supported by mesos-local (use a DOCKER container with a Docker engine)');
    }

    for (const uri of (command.uris ?? []) as Json[]) {
      const value = String(uri.value ?? '');
      if (REMOTE_URI.test(value) && !value.startsWith('file://')) {
        return fail(`Failed to fetch '${value}': mesos-local fetches only local files (file:// URIs or paths)`);
      }
      const src = value.startsWith('file://') ? decodeURIComponent(new URL(value).pathname) : value;
      const dest = path.join(t.sandbox, uri.output_file || path.basename(src));
      try {
        await fs.promises.copyFile(src, dest);
        if (uri.executable) await fs.promises.chmod(dest, 0o755);
      } catch (err) {
        return fail(`Failed to fetch '${value}': ${(err as Error).message}`);
      }
    }
    if (p.killRequested) {
      return this.finish(p, { state: 'TASK_KILLED', message: 'Task killed before it started', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT' });
    }

    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    for (const v of (command.environment?.variables ?? []) as Json[]) {
      if (v.type !== 'SECRET' && v.name) env[v.name] = v.value ?? '';
    }
    Object.assign(env, {
      MESOS_TASK_ID: t.taskId,
      MESOS_FRAMEWORK_ID: t.frameworkId,
      MESOS_AGENT_ID: t.agentId,
      MESOS_SLAVE_ID: t.agentId,
      MESOS_EXECUTOR_ID: t.executorId,
      MESOS_SANDBOX: docker ? SANDBOX_IN_CONTAINER : t.sandbox,
      MESOS_DIRECTORY: t.sandbox,
    });

    const shell = command.shell !== false;
    let file: string;
    let args: string[];
    if (docker) {
      file = 'docker';
      const agentEnv = Object.fromEntries(['MESOS_TASK_ID', 'MESOS_FRAMEWORK_ID', 'MESOS_AGENT_ID', 'MESOS_EXECUTOR_ID', 'MESOS_SANDBOX'].map((n) => [n, env[n]]));
      args = dockerRunArgs({ container: container!, command, sandbox: t.sandbox, name: `mesos-${randomUUID()}`, agentEnv });
    } else if (shell) {
      file = '/bin/sh';
      args = ['-c', String(command.value ?? '')];
    } else {
      file = String(command.value ?? '');
      args = ((command.arguments ?? []) as string[]).slice(1);
    }

    this.emit(p, { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    let exited!: () => void;
    p.exited = new Promise<void>((resolve) => (exited = resolve));
    this.launcher.spawn(
      { file, args, cwd: t.sandbox, env: docker ? dockerClientEnv(this.dockerHost) : env, stdout: path.join(t.sandbox, 'stdout'), stderr: path.join(t.sandbox, 'stderr') },
      {
        onSpawn: (pid) => {
          p.pid = pid;
          this.emit(p, { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
          const maxNs = Number(info.max_completion_time?.nanoseconds ?? 0);
          if (maxNs > 0) {
            p.maxTimer = setTimeout(() => {
              p.maxReached = true;
              this.signal(p, 'SIGKILL');
            }, maxNs / 1e6);
          }
          if (p.killRequested) this.signal(p, 'SIGTERM');
        },
        onError: (message) => {
          exited();
          fs.appendFileSync(path.join(t.sandbox, 'stderr'), `Failed to execute '${file}': ${message}\n`);
          this.finish(p, { state: 'TASK_FAILED', message: `Failed to launch command: ${message}`, reason: 'REASON_COMMAND_EXECUTOR_FAILED', source: 'SOURCE_EXECUTOR' });
        },
        onExit: (code, signal) => {
          p.pid = null;
          exited();
          if (p.crashed) {
            this.finish(p, { state: 'TASK_FAILED', message: 'Executor terminated', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT', executorExitStatus: signal ? SIGNAL_NUMBERS[signal] ?? 9 : (code ?? 0) << 8 });
          } else if (p.maxReached) {
            this.finish(p, { state: 'TASK_FAILED', message: 'Command terminated with signal Terminated', reason: 'REASON_MAX_COMPLETION_TIME_REACHED', source: 'SOURCE_EXECUTOR' });
          } else if (p.killRequested) {
            this.finish(p, { state: 'TASK_KILLED', message: exitMessage(code, signal), source: 'SOURCE_EXECUTOR' });
          } else if (docker && code === DOCKER_RUN_FAILED) {
            // docker run itself failed (no such image, registry unreachable, bad parameter): a launch failure, as Mesos reports it
            this.finish(p, { state: 'TASK_FAILED', message: `Failed to launch container: ${dockerError(path.join(t.sandbox, 'stderr'))}`, reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' });
          } else if (code === 0) {
            this.finish(p, { state: 'TASK_FINISHED', message: exitMessage(code, signal), source: 'SOURCE_EXECUTOR' });
          } else {
            this.finish(p, { state: 'TASK_FAILED', message: exitMessage(code, signal), source: 'SOURCE_EXECUTOR' });
          }
        },
      },
    );
  }

  private signal(p: Proc, sig: NodeJS.Signals): void {
    const pid = p.pid;
    if (!pid) return;
    try {
      process.kill(-pid, sig); // the whole process group: `sh -c` and its children
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  }

  kill(key: string, graceMs: number): void {
    const p = this.procs.get(key);
    if (!p || p.done) return;
    if (p.killRequested) return;
    p.killRequested = true;
    if (!p.pid) return; // still fetching or starting: start() / onSpawn act on killRequested
    this.signal(p, 'SIGTERM');
    p.killTimer = setTimeout(() => this.signal(p, 'SIGKILL'), Math.max(0, graceMs));
  }

  crash(key: string): boolean {
    const p = this.procs.get(key);
    if (!p || p.done || !p.pid) return false;
    p.crashed = true;
    this.signal(p, 'SIGKILL');
    return true;
  }

  async stopAll(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const p of this.procs.values()) {
      p.silent = true;
      p.killRequested = true;
      this.signal(p, 'SIGKILL');
      if (p.exited) waits.push(p.exited);
    }
    this.procs.clear();
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 2000))]);
    this.launcher.close(); // started again by the next launch
  }
}

/**
 * Scale mode: tasks run no process. STARTING and RUNNING are reported at launch, FINISHED after
 * `durationMs` (or after N seconds for a `sleep N` command; `exit N` fails at once with status N).
 */
export class SimulatedRunner implements TaskRunner {
  private tasks = new Map<string, { launch: TaskLaunch; timer: TimerHandle }>();

  constructor(
    private readonly report: Reporter,
    private readonly timers: TimerQueue,
    private readonly durationMs: number,
  ) {}

  has(key: string): boolean {
    return this.tasks.has(key);
  }

  launch(t: TaskLaunch): void {
    if (t.info.executor && !t.groupExecutor) {
      this.report(t, { state: 'TASK_FAILED', message: 'Custom executors are not supported by mesos-local', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT' });
      return;
    }
    if (t.info.container?.type === 'DOCKER') {
      this.report(t, { state: 'TASK_FAILED', message: 'Failed to launch container: no Docker engine is available on this agent', reason: 'REASON_CONTAINER_LAUNCH_FAILED', source: 'SOURCE_AGENT' });
      return;
    }
    const value = String(t.info.command?.value ?? '');
    const exit = /^\s*exit\s+(\d+)\s*$/.exec(value);
    const sleep = /^\s*sleep\s+(\d+(?:\.\d+)?)\s*$/.exec(value);
    this.report(t, { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR' });
    this.report(t, { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR' });
    const code = exit ? Number(exit[1]) : 0;
    const duration = exit ? 0 : sleep ? Number(sleep[1]) * 1000 : this.durationMs;
    const timer = this.timers.schedule(duration, () => {
      this.tasks.delete(t.key);
      this.report(t, { state: code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED', message: exitMessage(code, null), source: 'SOURCE_EXECUTOR' });
    });
    this.tasks.set(t.key, { launch: t, timer });
  }

  kill(key: string): void {
    const e = this.tasks.get(key);
    if (!e) return;
    this.timers.cancel(e.timer);
    this.tasks.delete(key);
    this.report(e.launch, { state: 'TASK_KILLED', message: exitMessage(null, 'SIGTERM'), source: 'SOURCE_EXECUTOR' });
  }

  crash(key: string): boolean {
    const e = this.tasks.get(key);
    if (!e) return false;
    this.timers.cancel(e.timer);
    this.tasks.delete(key);
    this.report(e.launch, { state: 'TASK_FAILED', message: 'Executor terminated', reason: 'REASON_EXECUTOR_TERMINATED', source: 'SOURCE_AGENT', executorExitStatus: 9 });
    return true;
  }

  /** Drops a task without reporting (its agent was lost). */
  forget(key: string): void {
    const e = this.tasks.get(key);
    if (e) this.timers.cancel(e.timer);
    this.tasks.delete(key);
  }

  async stopAll(): Promise<void> {
    for (const e of this.tasks.values()) this.timers.cancel(e.timer);
    this.tasks.clear();
  }
}

/** One agent as the master sees it: identity, totals, bookkeeping, and the runner for its tasks. */
export class Agent {
  used: Res = emptyRes();
  offered: Res = emptyRes();
  state: 'registered' | 'unreachable' = 'registered';
  unreachableTime?: number;
  readonly registeredTime = Date.now() / 1000;

  constructor(
    readonly id: string,
    readonly hostname: string,
    readonly total: Res,
    readonly attributes: Json[],
    readonly runner: TaskRunner,
  ) {}
}
