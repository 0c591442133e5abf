/**
 * A real Apache Mesos cluster on loopback for tests and benchmarks: one `mesos-master` and N
 * `mesos-agent`s on free ports, each in its own work dir under one cluster dir, each started in
 * its own process group (detached) so a test can stop and restart any of them, from any process:
 * the cluster's state (ports, pids, command lines) is kept in <dir>/cluster.json.
 *
 *   const mesos = await startMesosCluster({ agents: [{ attributes: 'rack:a' }, { attributes: 'rack:b' }] });
 *   mesos.masterUrl                       // http://127.0.0.1:<port>
 *   await mesos.restartMaster();          // kill -9, start again on the same port and work dir
 *   await mesos.stopAgent(0); await mesos.startAgent(0);   // the agent recovers its executors
 *   await mesos.stop();                   // everything it started, executors included
 *
 * Executors outlive their agent (that is what agent recovery needs); stop() also ends every
 * process whose working directory is inside the cluster dir, which is where Mesos runs them.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scheduler/testing/free-port';
import { ensureMesosInstalled, type MesosInstall } from './install';

export interface AgentSpec {
  /** --attributes, e.g. 'rack:a' */
  attributes?: string;
  /** --resources (default cpus:4;mem:4096;disk:8192 and a ports range of its own) */
  resources?: string;
  /** Extra agent flags (`--name=value`), after the defaults (a later flag wins). */
  flags?: string[];
  /** Extra environment of the agent process (e.g. LD_PRELOAD). */
  env?: Record<string, string>;
}

export interface ClusterOptions {
  /** The cluster dir (default: a fresh one under the OS temp dir, removed by stop()). */
  dir?: string;
  agents?: AgentSpec[];
  /** Extra master flags, after the defaults. */
  masterFlags?: string[];
  /** One line per thing done (install, start); default silent. */
  say?: (line: string) => void;
  /** How long to wait for the master and all agents (default 60 s). */
  timeoutMs?: number;
}

export interface MesosProcess {
  name: string;
  port: number;
  url: string;
  pid: number | null;
  workDir: string;
  logFile: string;
  args: string[];
  env: Record<string, string>;
  binary: string;
}

interface ClusterState {
  dir: string;
  ownsDir: boolean;
  master: MesosProcess;
  agents: MesosProcess[];
}

/** The default two agents: rack:a and rack:b, 4 cpus and 4 GB each (0.1-cpu tasks pack visibly). */
export const DEFAULT_AGENTS: AgentSpec[] = [{ attributes: 'rack:a' }, { attributes: 'rack:b' }];

/** Master flags that keep tests quick: short allocation interval, agents declared lost within seconds. */
export const DEFAULT_MASTER_FLAGS = ['--allocation_interval=200ms', '--agent_ping_timeout=1secs', '--max_agent_ping_timeouts=3'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function getJson(url: string, timeoutMs = 2_000): Promise<unknown> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export class MesosCluster {
  private constructor(private state: ClusterState) {}

  /** Starts a master and the agents (installing Mesos first when needed); resolves when all agents are registered. */
  static async start(opts: ClusterOptions = {}): Promise<MesosCluster> {
    const say = opts.say ?? (() => {});
    const inst = ensureMesosInstalled(say);
    const ownsDir = !opts.dir;
    const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sisyphus-mesos-'));
    fs.mkdirSync(dir, { recursive: true });
    const masterPort = await freePort();
    const master = nodeOf(inst, 'master', masterPort, dir, lastFlagWins([
      `--ip=127.0.0.1`,
      `--port=${masterPort}`,
      `--hostname=127.0.0.1`,
      `--work_dir=${path.join(dir, 'master')}`,
      '--registry=in_memory',
      `--webui_dir=${inst.webuiDir}`,
      ...DEFAULT_MASTER_FLAGS,
      ...(opts.masterFlags ?? []),
    ]));
    const specs = opts.agents ?? DEFAULT_AGENTS;
    const agents: MesosProcess[] = [];
    for (let i = 0; i < specs.length; i++) {
      const s = specs[i];
      const port = await freePort();
      const portsFrom = 31000 + i * 1000;
      const args = lastFlagWins([
        `--master=127.0.0.1:${masterPort}`,
        '--ip=127.0.0.1',
        `--port=${port}`,
        '--hostname=127.0.0.1',
        `--work_dir=${path.join(dir, `agent${i + 1}`)}`,
        `--launcher_dir=${inst.launcherDir}`,
        '--launcher=posix',
        '--isolation=posix/cpu,posix/mem',
        '--no-systemd_enable_support',
        '--containerizers=mesos',
        `--resources=${s.resources ?? `cpus:4;mem:4096;disk:8192;ports:[${portsFrom}-${portsFrom + 999}]`}`,
        '--executor_registration_timeout=1mins',
        '--executor_shutdown_grace_period=2secs',
        // executors do not inherit the agent's environment: they too need the build's libraries
        `--executor_environment_variables=${JSON.stringify({ LD_LIBRARY_PATH: inst.env.LD_LIBRARY_PATH, PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' })}`,
        ...(s.attributes ? [`--attributes=${s.attributes}`] : []),
        ...(s.flags ?? []),
      ]);
      agents.push(nodeOf(inst, `agent${i + 1}`, port, dir, args, inst.agent, s.env));
    }
    const cluster = new MesosCluster({ dir, ownsDir, master, agents });
    const started = Date.now();
    try {
      await cluster.startMaster(opts.timeoutMs);
      for (let i = 0; i < agents.length; i++) await cluster.startAgent(i, { wait: false });
      await cluster.waitForAgents(agents.length, opts.timeoutMs);
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    say(`started mesos-master ${cluster.masterUrl} and ${agents.length} agents (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return cluster;
  }

  /** The cluster described by a cluster.json, whatever is left of it (null without the file). */
  static load(stateFile: string): MesosCluster | null {
    if (!fs.existsSync(stateFile)) return null;
    return new MesosCluster(JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ClusterState);
  }

  /** The cluster described by a cluster.json, when its master still answers; else null. */
  static async attach(stateFile: string): Promise<MesosCluster | null> {
    const c = MesosCluster.load(stateFile);
    if (!c || !alive(c.master.pid)) return null;
    try {
      await getJson(`${c.masterUrl}/master/state`);
    } catch {
      return null;
    }
    return c;
  }

  get dir(): string {
    return this.state.dir;
  }
  get stateFile(): string {
    return path.join(this.state.dir, 'cluster.json');
  }
  get master(): MesosProcess {
    return this.state.master;
  }
  get agents(): MesosProcess[] {
    return this.state.agents;
  }
  /** http://127.0.0.1:<port> of the master (what MESOS_MASTER takes). */
  get masterUrl(): string {
    return this.state.master.url;
  }

  private save(): void {
    fs.writeFileSync(this.stateFile, JSON.stringify(this.state, null, 2));
  }

  private launch(p: MesosProcess): void {
    fs.mkdirSync(p.workDir, { recursive: true });
    const out = fs.openSync(p.logFile, 'a');
    const child = spawn(p.binary, p.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...p.env } as NodeJS.ProcessEnv,
      cwd: this.state.dir,
    });
    fs.closeSync(out);
    child.on('error', () => {});
    child.unref();
    p.pid = child.pid ?? null;
    this.save();
  }

  /** Ends a process group started here: SIGKILL by default (a crash); waits until it is gone. */
  private async kill(p: MesosProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = p.pid;
    if (!pid) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone already */
      }
    }
    const until = Date.now() + 10_000;
    while (alive(pid) && Date.now() < until) await sleep(50);
    if (alive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    p.pid = null;
    this.save();
  }

  async startMaster(timeoutMs = 60_000): Promise<void> {
    const m = this.state.master;
    if (alive(m.pid)) return;
    this.launch(m);
    await this.until(`mesos-master on ${m.url} to answer /master/state`, async () => {
      if (!alive(m.pid)) throw new Error(`mesos-master exited; its log ${m.logFile} ends:\n${tail(m.logFile)}`);
      const s = (await getJson(`${m.url}/master/state`)) as { leader?: string };
      return Boolean(s.leader);
    }, timeoutMs);
  }

  async stopMaster(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(this.state.master, signal);
  }

  /** kill -9 the master, start it again on the same port; resolves when its agents are back. */
  async restartMaster(timeoutMs = 60_000): Promise<void> {
    await this.stopMaster();
    await this.startMaster(timeoutMs);
    await this.waitForAgents(this.state.agents.filter((a) => alive(a.pid)).length, timeoutMs);
  }

  async startAgent(i: number, o: { wait?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const a = this.state.agents[i];
    if (!a) throw new Error(`no agent ${i}; the cluster has ${this.state.agents.length}`);
    if (!alive(a.pid)) this.launch(a);
    if (o.wait === false) return;
    await this.until(`${a.name} on ${a.url} to register`, async () => {
      if (!alive(a.pid)) throw new Error(`${a.name} exited; its log ${a.logFile} ends:\n${tail(a.logFile)}`);
      return (await this.agentId(i)) !== null;
    }, o.timeoutMs ?? 60_000);
  }

  /** Stops agent i (SIGKILL by default: its executors keep running, as after a crash). */
  async stopAgent(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(this.state.agents[i], signal);
  }

  /** The master's id of agent i while it is registered and active, else null. */
  async agentId(i: number): Promise<string | null> {
    const a = this.state.agents[i];
    const s = (await getJson(`${this.masterUrl}/master/slaves`)) as { slaves: Array<{ id: string; pid: string; active: boolean }> };
    const found = s.slaves.find((x) => x.active && x.pid.endsWith(`@127.0.0.1:${a.port}`));
    return found?.id ?? null;
  }

  /** Waits until the master lists n active agents. */
  async waitForAgents(n: number, timeoutMs = 60_000): Promise<void> {
    await this.until(`${n} active agents at ${this.masterUrl}`, async () => {
      for (const a of this.state.agents) {
        if (a.pid && !alive(a.pid)) throw new Error(`${a.name} exited; its log ${a.logFile} ends:\n${tail(a.logFile)}`);
      }
      const s = (await getJson(`${this.masterUrl}/master/slaves`)) as { slaves: Array<{ active: boolean }> };
      return s.slaves.filter((x) => x.active).length >= n;
    }, timeoutMs);
  }

  /** Stops the master, the agents and every process running in the cluster dir (executors, tasks). */
  async stop(): Promise<void> {
    for (let i = 0; i < this.state.agents.length; i++) await this.stopAgent(i);
    await this.stopMaster();
    for (const pid of processesIn(this.state.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (this.state.ownsDir) fs.rmSync(this.state.dir, { recursive: true, force: true });
  }

  private async until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        if (await check()) return;
      } catch (e) {
        last = (e as Error).message;
        if (last.includes('exited;')) throw e;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${last})` : ''}`);
      await sleep(100);
    }
  }
}

/** One occurrence per flag, the last one given (Mesos refuses a flag given twice: "already loaded"). */
export function lastFlagWins(flags: string[]): string[] {
  const name = (f: string) => f.replace(/^--(no-)?/, '').split('=')[0];
  return flags.filter((f, i) => !flags.slice(i + 1).some((later) => name(later) === name(f)));
}

function nodeOf(inst: MesosInstall, name: string, port: number, dir: string, args: string[], binary = inst.master, env: Record<string, string> = {}): MesosProcess {
  const workDir = args.find((a) => a.startsWith('--work_dir='))!.slice('--work_dir='.length);
  return { name, port, url: `http://127.0.0.1:${port}`, pid: null, workDir, logFile: path.join(dir, `${name}.log`), args, env: { ...inst.env, ...env }, binary };
}

/** Pids of processes whose working directory is inside dir (Mesos runs executors in their sandboxes there). */
export function processesIn(dir: string): number[] {
  const real = fs.realpathSync(dir);
  const found: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const cwd = fs.readlinkSync(`/proc/${e}/cwd`);
      if (cwd === real || cwd.startsWith(`${real}/`)) found.push(Number(e));
    } catch {
      /* gone or not ours */
    }
  }
  return found;
}

/** Starts a cluster: see MesosCluster.start. */
export function startMesosCluster(opts: ClusterOptions = {}): Promise<MesosCluster> {
  return MesosCluster.start(opts);
}
