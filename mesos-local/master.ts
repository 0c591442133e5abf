/**
 * mesos-local: a single-node, Mesos-compatible master with local agents, reached only over HTTP.
 *
 * It speaks the real v1 scheduler API (POST /api/v1/scheduler, JSON and protobuf, RecordIO event
 * stream) with the status codes, allocation, filters, status-update and reconciliation semantics
 * of shared/reference/mesos.md §1 and §3, so a framework written against it works unchanged
 * against a real master. Also: GET /master/state, /redirect, /health, /files/{read,browse} and
 * fault injection (POST /__faults/<name>[/<arg>]).
 *
 * This file composes the master from its parts (README.md says which file holds what): it builds
 * them in dependency order, starts and stops the HTTP server, agents and timers, and offers the
 * public API that tests and tools use.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Json } from '../proto';
import { type Res, emptyRes, addRes } from './resources';
import { Agent, type AgentConfig, ProcessRunner, SimulatedRunner, agentResources, attributesToProto, defaultAgentConfig } from './agent';
import type { MesosLocalOptions, ResolvedOptions } from './options';
import { MasterState } from './master-state';
import { Allocator } from './allocator';
import { Reconciliation } from './reconciliation';
import { TaskLifecycle } from './task-lifecycle';
import { Subscriptions } from './subscriptions';
import { AcceptCall } from './accept';
import { AgentRestarts } from './agent-restart';
import { Faults, type FaultName } from './faults';
import { StateJson } from './state-json';
import { FilesApi } from './files-api';
import { SchedulerEndpoint } from './scheduler-endpoint';
import { Routes } from './routes';
import { PipelinedCalls } from './pipelined-calls';
import { reply } from './http-io';

export { MESOS_VERSION } from './model';
export { FAULTS, type FaultName } from './faults';
export { findNumericEnum, chooseEncoding } from './call-validation';
export type { MesosLocalOptions, ScaleOptions, Credential } from './options';

export class MesosLocal {
  private server: http.Server | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private allocationTimer: NodeJS.Timeout | null = null;
  private readonly master: MasterState;
  private readonly allocator: Allocator;
  private readonly tasks: TaskLifecycle;
  private readonly subscriptions: Subscriptions;
  private readonly faults: Faults;
  private readonly stateJson: StateJson;
  private readonly routes: Routes;
  private readonly endpoint: SchedulerEndpoint;
  private calls: PipelinedCalls | null = null;

  constructor(options: MesosLocalOptions = {}) {
    const master = new MasterState(options);
    const allocator = new Allocator(master);
    const reconciliation = new Reconciliation(master);
    const tasks = new TaskLifecycle(master, allocator, reconciliation);
    const subscriptions = new Subscriptions(master, allocator, tasks);
    const acceptCall = new AcceptCall(master, allocator, tasks);
    const restarts = new AgentRestarts(master, allocator, tasks);
    tasks.holdReport = (agentId, launch, r) => restarts.hold(agentId, launch, r);
    const faults = new Faults(master, allocator, tasks, restarts);
    const stateJson = new StateJson(master);
    const endpoint = new SchedulerEndpoint(master, subscriptions, allocator, acceptCall, tasks, reconciliation);
    this.endpoint = endpoint;
    this.routes = new Routes(master, endpoint, faults, stateJson, new FilesApi(master));
    this.master = master;
    this.allocator = allocator;
    this.tasks = tasks;
    this.subscriptions = subscriptions;
    this.faults = faults;
    this.stateJson = stateJson;
  }

  get options(): ResolvedOptions {
    return this.master.options;
  }
  /** Counters shown in /master/state and /metrics/snapshot. */
  get counters(): MasterState['counters'] {
    return this.master.counters;
  }
  get port(): number {
    return this.master.port;
  }
  get masterId(): string {
    return this.master.masterId;
  }
  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    return `http://${this.options.host}:${this.master.port}`;
  }
  get sandboxRoot(): string {
    return this.master.workDir;
  }
  /** One-line description of the cluster, e.g. "1 agent: 2 cpus, 3000 MB mem, 100000 MB disk, ports 31000-32000". */
  describe(): string {
    const list = [...this.master.agents.values()];
    const total = list.reduce((acc, a) => addRes(acc, a.total), emptyRes());
    const first = list[0];
    const ports = first?.total.ranges.ports?.map(([a, b]) => `${a}-${b}`).join(',') ?? 'none';
    const noun = list.length === 1 ? 'agent' : 'agents';
    const sim = this.options.scale ? ', simulated tasks' : '';
    return `${list.length} ${noun}: ${total.scalars.cpus ?? 0} cpus, ${total.scalars.mem ?? 0} MB mem, ${total.scalars.disk ?? 0} MB disk, ports ${ports}${list.length > 1 ? ' each' : ''}${sim}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.routes.route(req, res).catch((err) => {
        this.master.log(`request failed: ${(err as Error).stack ?? err}`);
        if (!res.headersSent) reply(res, 500, (err as Error).message);
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0;
    // pipelined scheduler calls are read and answered before Node's server sees them
    const calls = new PipelinedCalls(server, this.endpoint, (line) => this.master.log(line));
    calls.install();
    this.calls = calls;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.master.running = true;
    this.master.port = (server.address() as AddressInfo).port;
    this.master.workDir = this.options.workDir ?? path.join(os.tmpdir(), `mesos-local-${this.master.port}`);
    if (!this.options.scale) fs.mkdirSync(this.master.workDir, { recursive: true }); // scale mode has no sandboxes
    this.master.startTime = this.master.electedTime = Date.now() / 1000;
    this.createAgents();
    this.heartbeatTimer = setInterval(() => this.subscriptions.heartbeat(), this.options.heartbeatIntervalSeconds * 1000);
    this.allocationTimer = setInterval(() => this.allocator.allocate(), this.options.allocationIntervalMs);
    this.master.log(`mesos-local master ${this.master.masterId} listening on ${this.url}`);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.allocationTimer) clearInterval(this.allocationTimer);
    for (const fw of this.master.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.stream?.close();
    }
    this.master.timers.stop();
    for (const o of this.master.offers.values()) this.master.timers.cancel(o.timer);
    await Promise.all([...this.master.agents.values()].map((a) => a.runner.stopAll()));
    const server = this.server;
    this.server = null;
    this.master.running = false;
    server.closeAllConnections();
    this.calls?.closeAll();
    this.calls = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ───────────────────────────── agents ─────────────────────────────

  private createAgents(): void {
    const scale = this.options.scale;
    if (scale) {
      const runner = new SimulatedRunner((l, r) => this.tasks.onReport(l, r), this.master.timers, scale.taskDurationMs ?? 10_000);
      for (let i = 0; i < scale.agents; i++) {
        const res = agentResources({ cpus: scale.cpusPerAgent ?? 8, mem: scale.memPerAgent ?? 32768, disk: 100000 });
        this.addAgent(`sim-agent-${i}`, res, [], runner);
      }
      return;
    }
    const cfg = this.options.agents ?? 1;
    const configs: AgentConfig[] = typeof cfg === 'number' ? Array.from({ length: cfg }, () => ({})) : cfg;
    for (const c of configs) {
      const runner = new ProcessRunner((l, r) => this.tasks.onReport(l, r), this.options.dockerHost);
      this.addAgent(c.hostname ?? defaultAgentConfig().hostname, agentResources(c), attributesToProto(c.attributes), runner, c.id);
    }
  }

  private addAgent(hostname: string, total: Res, attributes: Json[], runner: ProcessRunner | SimulatedRunner, id?: string): Agent {
    const agentId = id ?? `${this.master.masterId}-S${this.master.agentSeq++}`;
    const agent = new Agent(agentId, hostname, total, attributes, runner);
    this.master.agents.set(agentId, agent);
    return agent;
  }

  // ───────────────────────────── public API (tests, tools) ─────────────────────────────

  /** Coalesces event-triggered allocations into one run on the next tick. */
  scheduleAllocation(): void {
    this.allocator.scheduleAllocation();
  }
  /** One batch: each agent's free pool goes to the framework with the lowest dominant share. */
  allocate(): void {
    this.allocator.allocate();
  }
  /** The GET /master/state document. */
  state(): Json {
    return this.stateJson.state();
  }
  /** Programmatic fault injection; the HTTP endpoint `POST /__faults/<name>[/<arg>]` calls this. */
  fault(name: FaultName, arg?: string): { ok: boolean; status?: number; message: string } {
    return this.faults.fault(name, arg);
  }
  dropStreams(): number {
    return this.faults.dropStreams();
  }
  silence(): number {
    return this.faults.silence();
  }
  failover(newMasterId?: string): void {
    this.faults.failover(newMasterId);
  }
  loseAgent(agentId: string): boolean {
    return this.faults.loseAgent(agentId);
  }
  restoreAgent(agentId: string): boolean {
    return this.faults.restoreAgent(agentId);
  }
  crashExecutor(taskId: string): boolean {
    return this.faults.crashExecutor(taskId);
  }
  stopOffers(): void {
    this.faults.stopOffers();
  }
  resumeOffers(): void {
    this.faults.resumeOffers();
  }
  injectError(message: string): number {
    return this.faults.injectError(message);
  }
  setRecovering(on: boolean): void {
    this.faults.setRecovering(on);
  }
}
