/**
 * mesos-local: a single-node, Mesos-compatible master with local agents, reached only over HTTP.
 *
 * It speaks the real v1 scheduler API (POST /api/v1/scheduler, JSON and protobuf, RecordIO event
 * stream) with the status codes, allocation, filters, status-update and reconciliation semantics
 * of shared/reference/mesos.md §1 and §3, so a framework written against it works unchanged
 * against a real master. Also: GET /master/state, /redirect, /health, /files/{read,browse} and
 * fault injection (POST /__faults/<name>[/<arg>]).
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { mesosTypes, decode, fromJson, serialize, recordio, findMissingRequired, CONTENT_TYPE, type Encoding, type Json } from '../proto';
import {
  type Res,
  emptyRes,
  addRes,
  subRes,
  containsRes,
  isEmptyRes,
  allocatable,
  resFromProto,
  resToProto,
  resToStateJson,
  dominantShare,
} from './resources';
import { TimerQueue, type TimerHandle } from './timers';
import {
  Agent,
  type AgentConfig,
  type TaskLaunch,
  type TaskReport,
  ProcessRunner,
  SimulatedRunner,
  agentResources,
  attributesToProto,
  defaultAgentConfig,
  isTerminal,
} from './agent';

export const MESOS_VERSION = '1.11.0';

export interface ScaleOptions {
  agents: number;
  cpusPerAgent?: number; // default 8
  memPerAgent?: number; // default 32768
  taskDurationMs?: number; // default 10000
}

export interface Credential {
  principal: string;
  secret: string;
}

export interface MesosLocalOptions {
  /** 0 = a random free port. Default 5050. */
  port?: number;
  host?: string;
  /** Default: a random UUID. Framework ids are `<masterId>-0000`, agents `<masterId>-S0`, offers `<masterId>-O0`. */
  masterId?: string;
  heartbeatIntervalSeconds?: number;
  allocationIntervalMs?: number;
  /** Number of local agents (default 1) or one config per agent. */
  agents?: number | AgentConfig[];
  /** Initial status update retry backoff (default 10 s), doubled up to statusUpdateRetryMaxMs (10 min). */
  statusUpdateRetryMs?: number;
  statusUpdateRetryMaxMs?: number;
  /** Multiplies every framework's failover_timeout (tests: 0.001 turns seconds into milliseconds). Default 1. */
  failoverTimeoutScale?: number;
  /** Like --offer_timeout: outstanding offers are rescinded after this long. Default: never. */
  offerTimeoutMs?: number;
  /** HTTP basic authentication for the scheduler API (realm mesos-master-scheduler). */
  credentials?: Credential | Credential[];
  /** Makes this master a non-leader: scheduler calls get 307 to this leader ("http://host:port" or "host:port"). */
  leaderUrl?: string;
  /** Sandboxes live under here. Default os.tmpdir()/mesos-local-<port>. */
  workDir?: string;
  /** Scale mode: simulated agents whose tasks run no process. */
  scale?: ScaleOptions;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

export type FaultName =
  | 'drop-stream'
  | 'silence'
  | 'failover'
  | 'lose-agent'
  | 'restore-agent'
  | 'crash-executor'
  | 'stop-offers'
  | 'resume-offers'
  | 'error'
  | 'recovering'
  | 'recovered';

export const FAULTS: FaultName[] = ['drop-stream', 'silence', 'failover', 'lose-agent', 'restore-agent', 'crash-executor', 'stop-offers', 'resume-offers', 'error', 'recovering', 'recovered'];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

class Stream {
  closed = false;
  silenced = false;
  constructor(
    readonly id: string,
    readonly encoding: Encoding,
    readonly res: http.ServerResponse,
    readonly eventType: protobuf.Type,
  ) {}

  send(event: Json): void {
    if (this.closed || this.silenced) return;
    this.res.write(recordio(serialize(this.eventType, event, this.encoding)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.res.end();
  }

  destroy(): void {
    this.closed = true;
    this.res.destroy();
  }
}

interface Filter {
  agentId: string;
  role: string;
  res: Res;
  expiresAt: number;
}

interface Offer {
  id: string;
  frameworkId: string;
  agentId: string;
  role: string;
  res: Res;
  timer?: TimerHandle;
}

interface Task {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  executorId: string;
  info: Json;
  res: Res;
  role: string;
  state: string;
  statuses: { state: string; timestamp: number }[];
  latest?: Json;
  sandbox: string;
  launch: TaskLaunch;
  /** Status updates not yet acknowledged; the head is the outstanding one. */
  pending: Json[];
  retry: TimerHandle | null;
  backoffMs: number;
  unreachableTime?: number;
  resourcesFreed: boolean;
}

interface Framework {
  id: string;
  info: Json;
  roles: string[];
  caps: Set<string>;
  stream: Stream | null;
  /** False after a master failover until the framework subscribes again. */
  recovered: boolean;
  suppressed: Set<string>;
  filters: Filter[];
  offers: Set<string>;
  tasks: Map<string, Task>;
  completed: Task[];
  used: Res;
  offered: Res;
  failoverTimer: NodeJS.Timeout | null;
  registeredTime: number;
  reregisteredTime?: number;
  unregisteredTime?: number;
}

const DEFAULT_KILL_GRACE_MS = 3000;
const MAX_REFUSE_SECONDS = 365 * 24 * 3600;
const MAX_COMPLETED = 1000;

/** Random bytes drawn 64 KiB at a time: one uuid per status update, thousands a second. */
let uuidPool = Buffer.alloc(0);
let uuidAt = 0;
function uuidBase64(): string {
  if (uuidAt + 16 > uuidPool.length) {
    uuidPool = randomBytes(65536);
    uuidAt = 0;
  }
  uuidAt += 16;
  return uuidPool.toString('base64', uuidAt - 16, uuidAt);
}

/** Mesos answers 400 to a JSON enum given as a number (stout protobuf.hpp); protobufjs would accept it. */
export function findNumericEnum(type: protobuf.Type, obj: Json, prefix = ''): string | null {
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field || value === null || value === undefined) continue;
    field.resolve();
    const values: unknown[] = field.repeated && Array.isArray(value) ? value : [value];
    const rt = field.resolvedType;
    for (const v of values) {
      if (rt instanceof protobuf.Enum && typeof v === 'number') {
        return `Not expecting a JSON number for field '${prefix}${key}'`;
      }
      if (rt instanceof protobuf.Type && v && typeof v === 'object' && !Array.isArray(v)) {
        const inner = findNumericEnum(rt, v as Json, `${prefix}${key}.`);
        if (inner) return inner;
      }
    }
  }
  return null;
}

/** Required fields that are absent (protobufjs does not check them when decoding or converting). */
function ipToUint32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) return 0;
  // MasterInfo.ip is in network byte order, read as a little-endian uint32 (as Mesos does on x86).
  return ((parts[3] << 24) >>> 0) + (parts[2] << 16) + (parts[1] << 8) + parts[0];
}

/** Picks the event encoding from Accept for SUBSCRIBE: JSON if acceptable, else protobuf, else null (406). */
export function chooseEncoding(accept: string | undefined): Encoding | null {
  if (!accept || !accept.trim()) return 'json';
  const types = accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.trim().split(';').map((s) => s.trim());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type.toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((t) => t.q > 0);
  const ok = (mt: string) => types.some((t) => t.type === mt || t.type === '*/*' || t.type === `${mt.split('/')[0]}/*`);
  if (ok(CONTENT_TYPE.json)) return 'json';
  if (ok(CONTENT_TYPE.protobuf)) return 'protobuf';
  return null;
}

export class MesosLocal {
  readonly options: Required<Omit<MesosLocalOptions, 'credentials' | 'leaderUrl' | 'scale' | 'workDir' | 'offerTimeoutMs' | 'log' | 'masterId' | 'agents'>> &
    MesosLocalOptions;
  private server: http.Server | null = null;
  private _port = 0;
  private _masterId: string;
  private readonly types = mesosTypes();
  private readonly timers = new TimerQueue();
  private readonly frameworks = new Map<string, Framework>();
  private readonly completedFrameworks: Framework[] = [];
  private readonly removedIds = new Set<string>();
  private readonly agents = new Map<string, Agent>();
  private readonly offers = new Map<string, Offer>();
  private frameworkSeq = 0;
  private offerSeq = 0;
  private agentSeq = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private allocationTimer: NodeJS.Timeout | null = null;
  private allocationPending = false;
  private offersStopped = false;
  private recovering = false;
  private startTime = Date.now() / 1000;
  private electedTime = Date.now() / 1000;
  private workDir = '';
  private readonly log: (line: string) => void;
  /** Counters shown in /master/state and /metrics/snapshot. */
  readonly counters = {
    offers_sent: 0,
    offers_declined: 0,
    offers_accepted: 0,
    offers_rescinded: 0,
    tasks_launched: 0,
    tasks_finished: 0,
    tasks_failed: 0,
    tasks_killed: 0,
    tasks_lost: 0,
    tasks_error: 0,
    tasks_dropped: 0,
    status_updates_sent: 0,
    status_update_retries: 0,
    status_update_acks: 0,
    invalid_status_update_acks: 0,
    allocation_runs: 0,
    valid_calls: 0,
    invalid_calls: 0,
    frameworks_subscribed: 0,
  };

  constructor(options: MesosLocalOptions = {}) {
    this.options = {
      port: 5050,
      host: '127.0.0.1',
      heartbeatIntervalSeconds: 15,
      allocationIntervalMs: 1000,
      statusUpdateRetryMs: 10_000,
      statusUpdateRetryMaxMs: 600_000,
      failoverTimeoutScale: 1,
      ...options,
    };
    this._masterId = options.masterId ?? randomUUID();
    this.log = options.log ?? (() => {});
  }

  get port(): number {
    return this._port;
  }
  get masterId(): string {
    return this._masterId;
  }
  /** `http://127.0.0.1:<port>` once started. */
  get url(): string {
    return `http://${this.options.host}:${this._port}`;
  }
  get sandboxRoot(): string {
    return this.workDir;
  }
  /** One-line description of the cluster, e.g. "1 agent: 2 cpus, 3000 MB mem, 100000 MB disk, ports 31000-32000". */
  describe(): string {
    const list = [...this.agents.values()];
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
      this.route(req, res).catch((err) => {
        this.log(`request failed: ${(err as Error).stack ?? err}`);
        if (!res.headersSent) this.reply(res, 500, (err as Error).message);
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this._port = (server.address() as AddressInfo).port;
    this.workDir = this.options.workDir ?? path.join(os.tmpdir(), `mesos-local-${this._port}`);
    if (!this.options.scale) fs.mkdirSync(this.workDir, { recursive: true }); // scale mode has no sandboxes
    this.startTime = this.electedTime = Date.now() / 1000;
    this.createAgents();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalSeconds * 1000);
    this.allocationTimer = setInterval(() => this.allocate(), this.options.allocationIntervalMs);
    this.log(`mesos-local master ${this._masterId} listening on ${this.url}`);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.allocationTimer) clearInterval(this.allocationTimer);
    for (const fw of this.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.stream?.close();
    }
    this.timers.stop();
    for (const o of this.offers.values()) this.timers.cancel(o.timer);
    await Promise.all([...this.agents.values()].map((a) => a.runner.stopAll()));
    const server = this.server;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ───────────────────────────── agents ─────────────────────────────

  private createAgents(): void {
    const scale = this.options.scale;
    if (scale) {
      const runner = new SimulatedRunner((l, r) => this.onReport(l, r), this.timers, scale.taskDurationMs ?? 10_000);
      for (let i = 0; i < scale.agents; i++) {
        const res = agentResources({ cpus: scale.cpusPerAgent ?? 8, mem: scale.memPerAgent ?? 32768, disk: 100000 });
        this.addAgent(`sim-agent-${i}`, res, [], runner);
      }
      return;
    }
    const cfg = this.options.agents ?? 1;
    const configs: AgentConfig[] = typeof cfg === 'number' ? Array.from({ length: cfg }, () => ({})) : cfg;
    for (const c of configs) {
      const runner = new ProcessRunner((l, r) => this.onReport(l, r));
      this.addAgent(c.hostname ?? defaultAgentConfig().hostname, agentResources(c), attributesToProto(c.attributes), runner, c.id);
    }
  }

  private addAgent(hostname: string, total: Res, attributes: Json[], runner: ProcessRunner | SimulatedRunner, id?: string): Agent {
    const agentId = id ?? `${this._masterId}-S${this.agentSeq++}`;
    const agent = new Agent(agentId, hostname, total, attributes, runner);
    this.agents.set(agentId, agent);
    return agent;
  }

  private clusterTotal(): Res {
    let total = emptyRes();
    for (const a of this.agents.values()) if (a.state === 'registered') total = addRes(total, a.total);
    return total;
  }

  // ───────────────────────────── HTTP routing ─────────────────────────────

  private reply(res: http.ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const buf = Buffer.from(body);
    res.writeHead(status, { ...(buf.length ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), 'Content-Length': String(buf.length), ...headers });
    res.end(buf);
  }

  private replyJson(res: http.ServerResponse, status: number, body: unknown): void {
    const buf = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
    res.end(buf);
  }

  private readBody(req: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          reject(new HttpError(413, 'Request body too large'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private leaderHostPort(): string | null {
    const l = this.options.leaderUrl;
    if (!l) return null;
    return l.replace(/^[a-z]+:\/\//i, '').replace(/^\/\//, '').replace(/\/.*$/, '');
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    try {
      if (p === '/api/v1/scheduler') return await this.onScheduler(req, res);
      const body = await this.readBody(req);
      if (p.startsWith('/__faults/')) {
        if (req.method !== 'POST') throw new HttpError(405, 'Expecting POST', { Allow: 'POST' });
        return this.onFault(p.slice('/__faults/'.length), url, body, res);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Expecting GET', { Allow: 'GET' });
      switch (p) {
        case '/health':
          return this.reply(res, 200);
        case '/redirect':
        case '/master/redirect':
          return this.reply(res, 307, '', { Location: `//${this.leaderHostPort() ?? `${this.options.host}:${this._port}`}` });
        case '/master/state':
        case '/master/state.json':
        case '/state':
        case '/state.json':
          return this.replyJson(res, 200, this.state());
        case '/metrics/snapshot':
        case '/master/metrics/snapshot':
          return this.replyJson(res, 200, this.metrics());
        case '/files/read':
        case '/files/read.json':
          return await this.onFilesRead(url, res);
        case '/files/browse':
        case '/files/browse.json':
          return await this.onFilesBrowse(url, res);
        case '/files/download':
        case '/files/download.json':
          return await this.onFilesDownload(url, res);
        default:
          throw new HttpError(404, '');
      }
    } catch (err) {
      if (err instanceof HttpError) return this.reply(res, err.status, err.message ? `${err.message}` : '', err.headers);
      throw err;
    }
  }

  private authenticate(req: http.IncomingMessage): string | null {
    const creds = this.options.credentials;
    if (!creds) return null;
    const list = Array.isArray(creds) ? creds : [creds];
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(h);
    const unauthorized = new HttpError(401, 'Authentication required', { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' });
    if (!m) throw unauthorized;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = decoded.slice(0, i);
    const pass = decoded.slice(i + 1);
    if (i < 0 || !list.some((c) => c.principal === user && c.secret === pass)) throw unauthorized;
    return user;
  }

  /** POST /api/v1/scheduler, checked in the order of Mesos's `Master::Http::scheduler`. */
  private async onScheduler(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const principal = this.authenticate(req);
    const leader = this.leaderHostPort();
    if (leader) throw new HttpError(307, '', { Location: `//${leader}/api/v1/scheduler` });
    if (this.recovering) throw new HttpError(503, 'Master has not finished recovery');
    if (req.method !== 'POST') throw new HttpError(405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
    const contentType = req.headers['content-type'];
    if (contentType === undefined) throw new HttpError(400, "Expecting 'Content-Type' to be present");
    let call: Json;
    if (contentType === CONTENT_TYPE.protobuf) {
      try {
        call = decode(this.types.Call, body);
        if (findMissingRequired(this.types.Call, call).length) throw new Error('missing required fields');
      } catch {
        this.counters.invalid_calls++;
        throw new HttpError(400, 'Failed to parse body into Call protobuf');
      }
    } else if (contentType === CONTENT_TYPE.json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (e) {
        this.counters.invalid_calls++;
        throw new HttpError(400, `Failed to parse body into JSON: ${(e as Error).message}`);
      }
      const numeric = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? findNumericEnum(this.types.Call, parsed as Json) : null;
      if (numeric) {
        this.counters.invalid_calls++;
        throw new HttpError(400, `Failed to convert JSON into Call protobuf: ${numeric}`);
      }
      const r = fromJson(this.types.Call, parsed);
      if (!r.ok) {
        this.counters.invalid_calls++;
        throw new HttpError(400, r.error.startsWith('Failed') ? r.error : `Failed to convert JSON into Call protobuf: ${r.error}`);
      }
      call = r.value;
      const missing = findMissingRequired(this.types.Call, call);
      if (missing.length) {
        this.counters.invalid_calls++;
        throw new HttpError(400, `Failed to convert JSON into Call protobuf: Missing required fields: ${missing.join(', ')}`);
      }
    } else {
      throw new HttpError(415, `Expecting 'Content-Type' of ${CONTENT_TYPE.json} or ${CONTENT_TYPE.protobuf}`);
    }

    const invalid = this.validateCall(call, principal);
    if (invalid) {
      this.counters.invalid_calls++;
      throw new HttpError(400, `Failed to validate scheduler::Call: ${invalid}`);
    }

    if (call.type === 'SUBSCRIBE') {
      const encoding = chooseEncoding(req.headers.accept);
      if (!encoding) throw new HttpError(406, `Expecting 'Accept' to allow '${CONTENT_TYPE.protobuf}' or '${CONTENT_TYPE.json}'`);
      if (req.headers['mesos-stream-id'] !== undefined) throw new HttpError(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      this.counters.valid_calls++;
      return this.subscribe(call, principal, encoding, res);
    }

    const fwId = call.framework_id.value as string;
    const fw = this.frameworks.get(fwId);
    if (!fw || !fw.recovered) throw new HttpError(400, 'Framework cannot be found');
    if (principal && principal !== fw.info.principal) {
      throw new HttpError(400, `Authenticated principal '${principal}' does not match principal '${fw.info.principal ?? ''}' set in \`FrameworkInfo\``);
    }
    if (!fw.stream) throw new HttpError(403, 'Framework is not subscribed');
    const streamId = req.headers['mesos-stream-id'];
    if (streamId === undefined) throw new HttpError(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    if (streamId !== fw.stream.id) {
      throw new HttpError(400, `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
    }
    this.counters.valid_calls++;
    this.dispatch(fw, call);
    this.reply(res, 202);
  }

  private validateCall(call: Json, principal: string | null): string | null {
    if (!call.type || call.type === 'UNKNOWN') return "Expecting 'type' to be present";
    if (call.type === 'SUBSCRIBE') {
      if (!call.subscribe) return "Expecting 'subscribe' to be present";
      const info = call.subscribe.framework_info;
      if ((info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined)) return "'framework_id' differs from 'subscribe.framework_info.id'";
      if (principal && info.principal && principal !== info.principal) {
        return `Authenticated principal '${principal}' does not match principal '${info.principal}' set in \`FrameworkInfo\``;
      }
      return null;
    }
    if (!call.framework_id) return "Expecting 'framework_id' to be present";
    const needs: Record<string, string> = {
      ACCEPT: 'accept',
      DECLINE: 'decline',
      KILL: 'kill',
      SHUTDOWN: 'shutdown',
      ACKNOWLEDGE: 'acknowledge',
      RECONCILE: 'reconcile',
      MESSAGE: 'message',
      REQUEST: 'request',
      UPDATE_FRAMEWORK: 'update_framework',
    };
    const field = needs[call.type];
    if (field && !call[field]) return `Expecting '${field}' to be present`;
    if (call.type === 'ACKNOWLEDGE' && Buffer.from(call.acknowledge.uuid ?? '', 'base64').length !== 16) {
      return 'Failed to parse UUID: the uuid must be 16 bytes';
    }
    return null;
  }

  private dispatch(fw: Framework, call: Json): void {
    switch (call.type) {
      case 'TEARDOWN':
        return this.teardown(fw);
      case 'ACCEPT':
        return this.accept(fw, call.accept);
      case 'DECLINE':
        return this.decline(fw, call.decline);
      case 'REVIVE':
        return this.revive(fw, call.revive?.roles);
      case 'SUPPRESS':
        return this.suppress(fw, call.suppress?.roles);
      case 'KILL':
        return this.kill(fw, call.kill);
      case 'SHUTDOWN':
        return this.shutdownExecutor(fw, call.shutdown);
      case 'ACKNOWLEDGE':
        return this.acknowledge(fw, call.acknowledge);
      case 'RECONCILE':
        return this.reconcile(fw, call.reconcile.tasks ?? []);
      case 'UPDATE_FRAMEWORK':
        this.updateFrameworkInfo(fw, call.update_framework.framework_info, call.update_framework.suppressed_roles);
        return this.scheduleAllocation();
      default:
        // MESSAGE, REQUEST, inverse offers, operation calls: accepted and ignored.
        return;
    }
  }

  // ───────────────────────────── frameworks ─────────────────────────────

  private rolesOf(info: Json, caps: Set<string>): string[] {
    if (caps.has('MULTI_ROLE')) return info.roles?.length ? [...info.roles] : ['*'];
    return [info.role ?? '*'];
  }

  private updateFrameworkInfo(fw: Framework, info: Json, suppressedRoles?: string[]): void {
    // user, checkpoint and principal cannot change (ignored on re-subscribe).
    fw.info = { ...info, id: { value: fw.id }, user: fw.info.user ?? info.user, checkpoint: fw.info.checkpoint ?? info.checkpoint, principal: fw.info.principal ?? info.principal };
    fw.caps = new Set(((info.capabilities ?? []) as Json[]).map((c) => c.type as string));
    fw.roles = this.rolesOf(info, fw.caps);
    fw.suppressed = new Set(suppressedRoles ?? []);
  }

  private frameworkEvent(fw: Framework, event: Json): void {
    fw.stream?.send(event);
  }

  private subscribe(call: Json, principal: string | null, encoding: Encoding, res: http.ServerResponse): void {
    const info: Json = { ...call.subscribe.framework_info };
    if (principal && !info.principal) info.principal = principal;
    const requestedId: string | undefined = info.id?.value;
    const stream = new Stream(randomUUID(), encoding, res, this.types.Event);
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE[encoding], 'Mesos-Stream-Id': stream.id, 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true, 10_000);

    if (requestedId && this.removedIds.has(requestedId)) {
      stream.send({ type: 'ERROR', error: { message: 'Framework has been removed' } });
      stream.close();
      return;
    }

    let fw = requestedId ? this.frameworks.get(requestedId) : undefined;
    const caps = new Set(((info.capabilities ?? []) as Json[]).map((c) => c.type as string));
    if (!fw) {
      const id = requestedId ?? `${this._masterId}-${String(this.frameworkSeq++).padStart(4, '0')}`;
      fw = {
        id,
        info: { ...info, id: { value: id } },
        roles: this.rolesOf(info, caps),
        caps,
        stream: null,
        recovered: true,
        suppressed: new Set(call.subscribe.suppressed_roles ?? []),
        filters: [],
        offers: new Set(),
        tasks: new Map(),
        completed: [],
        used: emptyRes(),
        offered: emptyRes(),
        failoverTimer: null,
        registeredTime: Date.now() / 1000,
      };
      this.frameworks.set(id, fw);
      this.log(`framework ${id} (${info.name}) subscribed`);
    } else {
      if (fw.stream) {
        // A newer subscription takes over: tell the old stream and close it.
        const old = fw.stream;
        fw.stream = null;
        old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
        old.close();
      }
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.failoverTimer = null;
      this.recoverOffers(fw, false);
      this.updateFrameworkInfo(fw, info, call.subscribe.suppressed_roles);
      fw.recovered = true;
      fw.reregisteredTime = Date.now() / 1000;
      fw.unregisteredTime = undefined;
      this.log(`framework ${fw.id} re-subscribed`);
    }
    this.counters.frameworks_subscribed++;
    const framework = fw;
    framework.stream = stream;
    res.on('close', () => this.onStreamClosed(framework, stream));
    stream.send({
      type: 'SUBSCRIBED',
      subscribed: { framework_id: { value: fw.id }, heartbeat_interval_seconds: this.options.heartbeatIntervalSeconds, master_info: this.masterInfo() },
    });
    stream.send({ type: 'HEARTBEAT' });
    this.scheduleAllocation();
  }

  private onStreamClosed(fw: Framework, stream: Stream): void {
    stream.closed = true;
    if (fw.stream !== stream) return;
    this.deactivate(fw);
  }

  /**
   * The stream is gone: offers recovered (no RESCIND: nobody to tell), refuse filters dropped (as
   * Mesos's allocator does in deactivateFramework: a re-subscribed framework starts unfiltered),
   * failover timer started.
   */
  private deactivate(fw: Framework): void {
    fw.stream = null;
    fw.unregisteredTime = Date.now() / 1000;
    fw.filters = [];
    this.recoverOffers(fw, false);
    if (!this.frameworks.has(fw.id) || !fw.recovered) return;
    const timeoutMs = Math.max(0, Number(fw.info.failover_timeout ?? 0)) * 1000 * this.options.failoverTimeoutScale;
    this.log(`framework ${fw.id} disconnected; failover timeout ${timeoutMs} ms`);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.failoverTimer = setTimeout(() => {
      fw.failoverTimer = null;
      if (!fw.stream && this.frameworks.get(fw.id) === fw) this.removeFramework(fw);
    }, Math.min(timeoutMs, 2 ** 31 - 1));
  }

  /** Removes a framework for good: tasks killed, offers recovered, id retired. */
  private removeFramework(fw: Framework): void {
    this.log(`removing framework ${fw.id}`);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.failoverTimer = null;
    this.recoverOffers(fw, false);
    for (const task of fw.tasks.values()) {
      this.timers.cancel(task.retry);
      task.pending = [];
      const agent = this.agents.get(task.agentId);
      if (!isTerminal(task.state)) {
        agent?.runner.kill(task.launch.key, DEFAULT_KILL_GRACE_MS);
        task.state = 'TASK_KILLED';
        task.statuses.push({ state: 'TASK_KILLED', timestamp: Date.now() / 1000 });
      }
      this.freeTaskResources(task, fw);
      fw.completed.push(task);
    }
    fw.tasks.clear();
    fw.filters = [];
    this.frameworks.delete(fw.id);
    this.removedIds.add(fw.id);
    this.completedFrameworks.push(fw);
    if (this.completedFrameworks.length > 50) this.completedFrameworks.shift();
    const stream = fw.stream;
    fw.stream = null;
    stream?.close();
    this.scheduleAllocation();
  }

  private teardown(fw: Framework): void {
    this.removeFramework(fw);
  }

  private masterInfo(): Json {
    return {
      id: this._masterId,
      ip: ipToUint32(this.options.host),
      port: this._port,
      pid: `master@${this.options.host}:${this._port}`,
      hostname: this.options.host,
      version: MESOS_VERSION,
      address: { hostname: this.options.host, ip: this.options.host, port: this._port },
    };
  }

  private heartbeat(): void {
    for (const fw of this.frameworks.values()) fw.stream?.send({ type: 'HEARTBEAT' });
  }

  // ───────────────────────────── offers and allocation ─────────────────────────────

  /** Coalesces event-triggered allocations into one run on the next tick. */
  scheduleAllocation(): void {
    if (this.allocationPending) return;
    this.allocationPending = true;
    setImmediate(() => {
      this.allocationPending = false;
      if (this.server) this.allocate();
    });
  }

  private isFiltered(fw: Framework, agent: Agent, role: string, res: Res, now: number): boolean {
    if (fw.filters.length === 0) return false;
    fw.filters = fw.filters.filter((f) => f.expiresAt > now);
    return fw.filters.some((f) => f.agentId === agent.id && f.role === role && containsRes(f.res, res));
  }

  /** One batch: each agent's free pool goes to the framework with the lowest dominant share. */
  allocate(): void {
    if (!this.server || this.offersStopped || this.recovering) return;
    this.counters.allocation_runs++;
    const candidates = [...this.frameworks.values()].filter((fw) => fw.stream && fw.recovered && fw.roles.some((r) => !fw.suppressed.has(r)));
    if (!candidates.length) return;
    const total = this.clusterTotal();
    const shares = new Map<Framework, number>();
    for (const fw of candidates) shares.set(fw, dominantShare(addRes(fw.used, fw.offered), total));
    const now = Date.now();
    const batches = new Map<Framework, Json[]>();
    for (const agent of this.agents.values()) {
      if (agent.state !== 'registered') continue;
      const free = subRes(subRes(agent.total, agent.used), agent.offered);
      if (!allocatable(free)) continue;
      const order = candidates.slice().sort((a, b) => shares.get(a)! - shares.get(b)! || a.registeredTime - b.registeredTime);
      for (const fw of order) {
        const role = fw.roles.find((r) => !fw.suppressed.has(r) && !this.isFiltered(fw, agent, r, free, now));
        if (!role) continue;
        const offer: Offer = { id: `${this._masterId}-O${this.offerSeq++}`, frameworkId: fw.id, agentId: agent.id, role, res: free };
        this.offers.set(offer.id, offer);
        fw.offers.add(offer.id);
        agent.offered = addRes(agent.offered, free);
        fw.offered = addRes(fw.offered, free);
        shares.set(fw, dominantShare(addRes(fw.used, fw.offered), total));
        if (this.options.offerTimeoutMs) offer.timer = this.timers.schedule(this.options.offerTimeoutMs, () => this.rescindOffer(offer.id, true));
        const list = batches.get(fw) ?? [];
        list.push(this.offerJson(offer, agent));
        batches.set(fw, list);
        break;
      }
    }
    for (const [fw, offers] of batches) {
      this.counters.offers_sent += offers.length;
      this.frameworkEvent(fw, { type: 'OFFERS', offers: { offers } });
    }
  }

  private offerJson(o: Offer, agent: Agent): Json {
    return {
      id: { value: o.id },
      framework_id: { value: o.frameworkId },
      agent_id: { value: o.agentId },
      hostname: agent.hostname,
      resources: resToProto(o.res, o.role),
      attributes: agent.attributes,
      allocation_info: { role: o.role },
    };
  }

  /** Takes an offer out of circulation and gives its resources back to the agent's free pool. */
  private removeOffer(offerId: string): Offer | undefined {
    const o = this.offers.get(offerId);
    if (!o) return undefined;
    this.offers.delete(offerId);
    this.timers.cancel(o.timer);
    const fw = this.frameworks.get(o.frameworkId);
    if (fw) {
      fw.offers.delete(offerId);
      fw.offered = subRes(fw.offered, o.res);
    }
    const agent = this.agents.get(o.agentId);
    if (agent) agent.offered = subRes(agent.offered, o.res);
    return o;
  }

  private rescindOffer(offerId: string, notify: boolean): void {
    const o = this.removeOffer(offerId);
    if (!o) return;
    this.counters.offers_rescinded++;
    const fw = this.frameworks.get(o.frameworkId);
    if (notify && fw) this.frameworkEvent(fw, { type: 'RESCIND', rescind: { offer_id: { value: o.id } } });
    this.scheduleAllocation();
  }

  private recoverOffers(fw: Framework, notify: boolean): void {
    for (const id of [...fw.offers]) this.rescindOffer(id, notify);
  }

  /** Installs a refuse filter: default 5 s, negative = default, 0 = none; lifetime max(allocation interval, refuse). */
  private addFilter(fw: Framework, agentId: string, role: string, res: Res, filters: Json | undefined): void {
    let refuse = filters?.refuse_seconds;
    if (refuse === undefined || refuse === null || !Number.isFinite(Number(refuse)) || Number(refuse) < 0) refuse = 5;
    refuse = Math.min(Number(refuse), MAX_REFUSE_SECONDS);
    if (refuse === 0 || isEmptyRes(res)) return;
    const lifetime = Math.max(this.options.allocationIntervalMs, refuse * 1000);
    fw.filters.push({ agentId, role, res, expiresAt: Date.now() + lifetime });
  }

  private decline(fw: Framework, d: Json): void {
    for (const { value } of (d.offer_ids ?? []) as Json[]) {
      const o = this.offers.get(value);
      if (!o || o.frameworkId !== fw.id) continue;
      this.removeOffer(value);
      this.counters.offers_declined++;
      this.addFilter(fw, o.agentId, o.role, o.res, d.filters);
    }
  }

  private revive(fw: Framework, roles: string[] | undefined): void {
    const which = roles?.length ? roles : fw.roles;
    fw.filters = fw.filters.filter((f) => !which.includes(f.role));
    for (const r of which) fw.suppressed.delete(r);
    this.scheduleAllocation();
  }

  private suppress(fw: Framework, roles: string[] | undefined): void {
    const which = roles?.length ? roles : fw.roles;
    for (const r of which) fw.suppressed.add(r);
  }

  // ───────────────────────────── ACCEPT ─────────────────────────────

  private accept(fw: Framework, a: Json): void {
    const ids: string[] = ((a.offer_ids ?? []) as Json[]).map((o) => o.value);
    const operations: Json[] = a.operations ?? [];
    let error: string | null = null;
    const offers: Offer[] = [];
    if (!ids.length) error = 'No offers specified';
    const seen = new Set<string>();
    for (const id of ids) {
      if (error) break;
      const o = this.offers.get(id);
      if (seen.has(id)) error = `Duplicate offer ${id} in ACCEPT call`;
      else if (!o) error = `Offer ${id} is no longer valid`;
      else if (o.frameworkId !== fw.id) error = `Offer ${id} has invalid framework ${o.frameworkId} while framework ${fw.id} is expected`;
      else if (offers.length && offers[0].agentId !== o.agentId) error = `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${o.agentId} and offer ${offers[0].id} uses agent ${offers[0].agentId}`;
      else if (offers.length && offers[0].role !== o.role) error = `Aggregated offers must be allocated to the same role. Offer ${id} uses role ${o.role} and offer ${offers[0].id} uses role ${offers[0].role}`;
      seen.add(id);
      if (o) offers.push(o);
    }
    if (error) {
      for (const o of offers) {
        if (o.frameworkId !== fw.id) continue;
        this.removeOffer(o.id);
        this.addFilter(fw, o.agentId, o.role, o.res, a.filters);
      }
      const state = fw.caps.has('PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST';
      for (const op of operations) {
        for (const ti of this.opTasks(op)) {
          this.countState(state);
          this.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state, message: `Task launched with invalid offers: ${error}`, reason: 'REASON_INVALID_OFFERS' });
        }
      }
      return;
    }

    this.counters.offers_accepted += offers.length;
    let pool = emptyRes();
    for (const o of offers) {
      this.removeOffer(o.id);
      pool = addRes(pool, o.res);
    }
    const agent = this.agents.get(offers[0].agentId)!;
    const role = offers[0].role;
    const idsInCall = new Set<string>();
    for (const op of operations) {
      if (op.type === 'LAUNCH') {
        for (const ti of (op.launch?.task_infos ?? []) as Json[]) {
          const r = this.validateTask(fw, agent, ti, pool, idsInCall, false);
          if (typeof r === 'string') {
            this.countState('TASK_ERROR');
            this.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state: 'TASK_ERROR', message: r, reason: 'REASON_TASK_INVALID' });
            continue;
          }
          pool = subRes(pool, r);
          this.launchTask(fw, agent, role, ti, r, ti.task_id.value, undefined);
        }
      } else if (op.type === 'LAUNCH_GROUP') {
        const executor: Json = op.launch_group?.executor ?? {};
        const tasks: Json[] = op.launch_group?.task_group?.tasks ?? [];
        let groupPool = pool;
        let problem: string | null = null;
        const execRes = resFromProto(executor.resources);
        if ('error' in execRes) problem = execRes.error;
        else if (executor.type && executor.type !== 'DEFAULT') problem = 'Only the DEFAULT executor is supported for task groups';
        else if (!containsRes(groupPool, execRes)) problem = 'Executor uses more resources than available in the offers';
        else groupPool = subRes(groupPool, execRes);
        const taskRes: Res[] = [];
        for (const ti of tasks) {
          if (problem) break;
          const r = this.validateTask(fw, agent, ti, groupPool, idsInCall, true);
          if (typeof r === 'string') problem = r;
          else {
            taskRes.push(r);
            groupPool = subRes(groupPool, r);
          }
        }
        if (problem || !tasks.length) {
          for (const ti of tasks) {
            this.countState('TASK_ERROR');
            this.masterUpdate(fw, { task_id: ti.task_id, agent_id: ti.agent_id, state: 'TASK_ERROR', message: `Task group is invalid: ${problem ?? 'empty task group'}`, reason: 'REASON_TASK_GROUP_INVALID' });
          }
          continue;
        }
        pool = groupPool;
        const execId = executor.executor_id?.value ?? `default-executor-${randomUUID()}`;
        tasks.forEach((ti, i) => {
          // The executor's own resources are charged to the first task of the group.
          const res = i === 0 && !('error' in execRes) ? addRes(taskRes[i], execRes) : taskRes[i];
          this.launchTask(fw, agent, role, ti, res, execId, executor);
        });
      } else {
        this.log(`ignoring unsupported ${op.type} operation from ${fw.id}`);
      }
    }
    // What the ACCEPT left unused counts as declined with its filter.
    // (Declined and unused resources wait for the next batch allocation, so a refuse_seconds of 0
    // cannot make a hot loop.)
    this.addFilter(fw, agent.id, role, pool, a.filters);
  }

  private opTasks(op: Json): Json[] {
    if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
    if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group?.tasks ?? [];
    return [];
  }

  private validateTask(fw: Framework, agent: Agent, ti: Json, pool: Res, idsInCall: Set<string>, inGroup: boolean): Res | string {
    const id: string = ti.task_id?.value ?? '';
    const prefix = `Task ${id} is invalid: `;
    if (!id) return `${prefix}task id is empty`;
    if (/[/\\\0]/.test(id) || id === '.' || id === '..') return `${prefix}'TaskID.value' '${id}' contains invalid characters`;
    if (fw.tasks.has(id) || idsInCall.has(id)) return `${prefix}Task has duplicate ID: ${id}`;
    if (ti.agent_id?.value !== agent.id) return `${prefix}Task uses invalid agent: ${ti.agent_id?.value}`;
    if (inGroup) {
      if (ti.executor) return `${prefix}'TaskInfo.executor' must not be set`;
      if (!ti.command) return `${prefix}Task should have a CommandInfo`;
    } else if (!!ti.command === !!ti.executor) {
      return `${prefix}Task should have at least one (but not both) of CommandInfo or ExecutorInfo present`;
    }
    const res = resFromProto(ti.resources);
    if ('error' in res) return `${prefix}${res.error}`;
    if (ti.executor) {
      const er = resFromProto(ti.executor.resources);
      if ('error' in er) return `${prefix}${er.error}`;
      const both = addRes(res, er);
      if (!containsRes(pool, both)) return `${prefix}Task uses more resources ${JSON.stringify(resToStateJson(both))} than available ${JSON.stringify(resToStateJson(pool))}`;
      idsInCall.add(id);
      return both;
    }
    if (!containsRes(pool, res)) {
      return `${prefix}Task uses more resources ${JSON.stringify(resToStateJson(res))} than available ${JSON.stringify(resToStateJson(pool))}`;
    }
    idsInCall.add(id);
    return res;
  }

  private launchTask(fw: Framework, agent: Agent, role: string, ti: Json, res: Res, executorId: string, groupExecutor: Json | undefined): void {
    const id: string = ti.task_id.value;
    const sandbox = path.join(this.workDir, 'slaves', agent.id, 'frameworks', fw.id, 'executors', executorId, 'runs', randomUUID());
    const launch: TaskLaunch = { key: `${fw.id}/${id}`, taskId: id, frameworkId: fw.id, agentId: agent.id, executorId, info: ti, groupExecutor, sandbox };
    const task: Task = {
      id,
      name: ti.name,
      frameworkId: fw.id,
      agentId: agent.id,
      executorId,
      info: ti,
      res,
      role,
      state: 'TASK_STAGING',
      statuses: [],
      sandbox: this.options.scale ? '' : sandbox,
      launch,
      pending: [],
      retry: null,
      backoffMs: this.options.statusUpdateRetryMs,
      resourcesFreed: false,
    };
    fw.tasks.set(id, task);
    agent.used = addRes(agent.used, res);
    fw.used = addRes(fw.used, res);
    this.counters.tasks_launched++;
    agent.runner.launch(launch);
  }

  private freeTaskResources(task: Task, fw: Framework | undefined): void {
    if (task.resourcesFreed) return;
    task.resourcesFreed = true;
    const agent = this.agents.get(task.agentId);
    if (agent) agent.used = subRes(agent.used, task.res);
    if (fw) fw.used = subRes(fw.used, task.res);
  }

  // ───────────────────────────── status updates ─────────────────────────────

  private countState(state: string): void {
    const key = `tasks_${state.replace('TASK_', '').toLowerCase()}` as keyof typeof this.counters;
    if (key in this.counters) this.counters[key]++;
  }

  /** An update made by the master: no uuid, never acknowledged, sent once. */
  private masterUpdate(fw: Framework, s: Json): void {
    const status: Json = { source: 'SOURCE_MASTER', timestamp: Date.now() / 1000, ...s };
    if (!status.agent_id) delete status.agent_id;
    this.counters.status_updates_sent++;
    this.frameworkEvent(fw, { type: 'UPDATE', update: { status } });
  }

  /** A runner reports a state change: it becomes a status update with a uuid, queued per task. */
  private onReport(launch: TaskLaunch, r: TaskReport): void {
    const fw = this.frameworks.get(launch.frameworkId);
    const task = fw?.tasks.get(launch.taskId);
    if (!fw || !task || task.launch !== launch) return;
    if (isTerminal(task.state)) return;
    const agent = this.agents.get(task.agentId);
    if (!agent || agent.state !== 'registered') return;
    const now = Date.now() / 1000;
    const status: Json = {
      task_id: { value: task.id },
      state: r.state,
      source: r.source ?? 'SOURCE_EXECUTOR',
      agent_id: { value: task.agentId },
      executor_id: { value: task.executorId },
      timestamp: now,
      uuid: uuidBase64(),
    };
    if (r.message) status.message = r.message;
    if (r.reason) status.reason = r.reason;
    task.state = r.state;
    task.latest = status;
    task.statuses.push({ state: r.state, timestamp: now });
    if (isTerminal(r.state)) {
      this.countState(r.state);
      this.freeTaskResources(task, fw);
      this.scheduleAllocation();
    }
    task.pending.push(status);
    if (task.pending.length === 1) this.deliver(fw, task);
    if (r.executorExitStatus !== undefined) {
      this.frameworkEvent(fw, {
        type: 'FAILURE',
        failure: { agent_id: { value: task.agentId }, executor_id: { value: task.executorId }, status: r.executorExitStatus },
      });
    }
  }

  /** Sends the outstanding update (if the framework is connected) and arms its retry. */
  private deliver(fw: Framework, task: Task): void {
    const head = task.pending[0];
    if (!head) return;
    this.counters.status_updates_sent++;
    this.frameworkEvent(fw, { type: 'UPDATE', update: { status: head } });
    this.timers.cancel(task.retry);
    task.retry = this.timers.schedule(task.backoffMs, () => {
      task.retry = null;
      if (task.pending[0] !== head || this.frameworks.get(fw.id) !== fw) return;
      this.counters.status_update_retries++;
      task.backoffMs = Math.min(task.backoffMs * 2, this.options.statusUpdateRetryMaxMs);
      this.deliver(fw, task);
    });
  }

  private acknowledge(fw: Framework, ack: Json): void {
    const task = fw.tasks.get(ack.task_id.value);
    const head = task?.pending[0];
    if (!task || !head || head.uuid !== ack.uuid || task.agentId !== ack.agent_id.value) {
      this.counters.invalid_status_update_acks++;
      return;
    }
    this.counters.status_update_acks++;
    task.pending.shift();
    this.timers.cancel(task.retry);
    task.retry = null;
    task.backoffMs = this.options.statusUpdateRetryMs;
    if (isTerminal(head.state)) {
      this.completeTask(fw, task);
      return;
    }
    if (task.pending.length) this.deliver(fw, task);
  }

  private completeTask(fw: Framework, task: Task): void {
    this.timers.cancel(task.retry);
    task.pending = [];
    this.freeTaskResources(task, fw);
    fw.tasks.delete(task.id);
    fw.completed.push(task);
    if (fw.completed.length > MAX_COMPLETED) fw.completed.shift();
  }

  // ───────────────────────────── KILL, SHUTDOWN, RECONCILE ─────────────────────────────

  private kill(fw: Framework, k: Json): void {
    const task = fw.tasks.get(k.task_id.value);
    if (!task) {
      // As Mesos: an unknown task is answered by explicit reconciliation (LOST for non-partition-aware).
      this.reconcile(fw, [{ task_id: k.task_id, agent_id: k.agent_id }]);
      return;
    }
    if (k.agent_id && k.agent_id.value !== task.agentId) return;
    if (isTerminal(task.state)) return;
    const agent = this.agents.get(task.agentId);
    if (!agent || agent.state !== 'registered' || !agent.runner.has(task.launch.key)) return;
    const graceNs = k.kill_policy?.grace_period?.nanoseconds ?? task.info.kill_policy?.grace_period?.nanoseconds;
    const graceMs = graceNs !== undefined ? Number(graceNs) / 1e6 : DEFAULT_KILL_GRACE_MS;
    if (fw.caps.has('TASK_KILLING_STATE') && task.state !== 'TASK_KILLING') {
      this.onReport(task.launch, { state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR' });
    }
    agent.runner.kill(task.launch.key, graceMs);
  }

  private shutdownExecutor(fw: Framework, s: Json): void {
    for (const task of fw.tasks.values()) {
      if (task.executorId === s.executor_id.value && task.agentId === s.agent_id.value && !isTerminal(task.state)) {
        this.agents.get(task.agentId)?.runner.kill(task.launch.key, 5000);
      }
    }
  }

  private reconcile(fw: Framework, tasks: Json[]): void {
    const pa = fw.caps.has('PARTITION_AWARE');
    const reply = (taskId: Json, agentId: string | undefined, state: string, message: string, extra: Json = {}) =>
      this.masterUpdate(fw, {
        task_id: taskId,
        state,
        message,
        reason: 'REASON_RECONCILIATION',
        ...(agentId ? { agent_id: { value: agentId } } : {}),
        ...extra,
      });
    const latest = (task: Task) => {
      const extra: Json = { executor_id: { value: task.executorId } };
      if (task.unreachableTime) extra.unreachable_time = { nanoseconds: Math.round(task.unreachableTime * 1e9) };
      reply({ value: task.id }, task.agentId, task.state, 'Reconciliation: Latest task state', extra);
    };
    if (!tasks.length) {
      for (const task of fw.tasks.values()) latest(task);
      return;
    }
    for (const t of tasks) {
      const task = fw.tasks.get(t.task_id?.value);
      const agentId: string | undefined = t.agent_id?.value;
      const agent = agentId ? this.agents.get(agentId) : undefined;
      if (task) latest(task);
      else if (agent && agent.state === 'registered') reply(t.task_id, agentId, pa ? 'TASK_GONE' : 'TASK_LOST', 'Reconciliation: Task is unknown to the agent');
      else if (agent && agent.state === 'unreachable') {
        reply(t.task_id, agentId, pa ? 'TASK_UNREACHABLE' : 'TASK_LOST', 'Reconciliation: Task is unreachable', {
          unreachable_time: { nanoseconds: Math.round((agent.unreachableTime ?? Date.now() / 1000) * 1e9) },
        });
      } else reply(t.task_id, agentId, pa ? 'TASK_UNKNOWN' : 'TASK_LOST', 'Reconciliation: Task is unknown');
    }
  }

  // ───────────────────────────── fault injection ─────────────────────────────

  private onFault(rest: string, url: URL, body: Buffer, res: http.ServerResponse): void {
    const [name, ...argParts] = rest.split('/');
    let arg = argParts.length ? decodeURIComponent(argParts.join('/')) : undefined;
    arg ??= url.searchParams.get('arg') ?? url.searchParams.get('id') ?? url.searchParams.get('message') ?? undefined;
    if (arg === undefined && body.length) {
      const text = body.toString('utf8').trim();
      try {
        const j = JSON.parse(text);
        arg = typeof j === 'string' ? j : (j.arg ?? j.id ?? j.agentId ?? j.agent_id ?? j.taskId ?? j.task_id ?? j.message);
      } catch {
        arg = text;
      }
    }
    const result = this.fault(name as FaultName, arg);
    if (result.ok) this.replyJson(res, 200, result);
    else this.replyJson(res, result.status ?? 400, result);
  }

  /** Programmatic fault injection; the HTTP endpoint `POST /__faults/<name>[/<arg>]` calls this. */
  fault(name: FaultName, arg?: string): { ok: boolean; status?: number; message: string } {
    switch (name) {
      case 'drop-stream':
        return { ok: true, message: `closed ${this.dropStreams()} stream(s)` };
      case 'silence':
        return { ok: true, message: `silenced ${this.silence()} stream(s)` };
      case 'failover':
        this.failover(arg);
        return { ok: true, message: `new master id ${this._masterId}` };
      case 'lose-agent':
        if (!arg || !this.loseAgent(arg)) return { ok: false, status: 404, message: `unknown or already lost agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} is unreachable` };
      case 'restore-agent':
        if (!arg || !this.restoreAgent(arg)) return { ok: false, status: 404, message: `no unreachable agent '${arg ?? ''}'` };
        return { ok: true, message: `agent ${arg} re-registered` };
      case 'crash-executor':
        if (!arg || !this.crashExecutor(arg)) return { ok: false, status: 404, message: `no running task '${arg ?? ''}'` };
        return { ok: true, message: `executor of task ${arg} crashed` };
      case 'stop-offers':
        this.stopOffers();
        return { ok: true, message: 'allocator stalled' };
      case 'resume-offers':
        this.resumeOffers();
        return { ok: true, message: 'allocator resumed' };
      case 'error':
        return { ok: true, message: `sent ERROR to ${this.injectError(arg ?? 'Injected error')} framework(s)` };
      case 'recovering':
        this.setRecovering(true);
        return { ok: true, message: 'master is recovering (503)' };
      case 'recovered':
        this.setRecovering(false);
        return { ok: true, message: 'master recovered' };
      default:
        return { ok: false, status: 404, message: `unknown fault '${name}'; known: ${FAULTS.join(', ')}` };
    }
  }

  /** Closes every subscription stream (the connection breaks); frameworks are deactivated. */
  dropStreams(): number {
    let n = 0;
    for (const fw of this.frameworks.values()) {
      if (fw.stream) {
        n++;
        fw.stream.destroy();
      }
    }
    return n;
  }

  /** Half-open connections: current streams stay open but carry nothing more (no heartbeats, no events). */
  silence(): number {
    let n = 0;
    for (const fw of this.frameworks.values()) {
      if (fw.stream && !fw.stream.silenced) {
        fw.stream.silenced = true;
        n++;
      }
    }
    return n;
  }

  /**
   * A master failover: a new master id; offers, filters, suppression, failover timers and
   * subscriptions are lost; calls get 400 "Framework cannot be found" until the framework
   * subscribes again with its id, which re-associates its still-running tasks.
   */
  failover(newMasterId?: string): void {
    this._masterId = newMasterId ?? randomUUID();
    this.frameworkSeq = 0;
    this.electedTime = Date.now() / 1000;
    for (const fw of this.frameworks.values()) {
      if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
      fw.failoverTimer = null;
      for (const id of [...fw.offers]) this.removeOffer(id);
      fw.filters = [];
      fw.suppressed = new Set();
      fw.recovered = false;
      const stream = fw.stream;
      fw.stream = null;
      stream?.destroy();
    }
  }

  /** The agent becomes unreachable: offers rescinded, FAILURE{agent_id}, tasks LOST (UNREACHABLE if partition-aware). */
  loseAgent(agentId: string): boolean {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state !== 'registered') return false;
    agent.state = 'unreachable';
    agent.unreachableTime = Date.now() / 1000;
    for (const o of [...this.offers.values()]) if (o.agentId === agentId) this.rescindOffer(o.id, true);
    const onAgent: Task[] = [];
    for (const fw of this.frameworks.values()) for (const t of fw.tasks.values()) if (t.agentId === agentId) onAgent.push(t);
    if (!(agent.runner instanceof SimulatedRunner)) void agent.runner.stopAll();
    else for (const t of onAgent) (agent.runner as SimulatedRunner).forget(t.launch.key);
    for (const fw of this.frameworks.values()) {
      if (fw.recovered) this.frameworkEvent(fw, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
    }
    for (const task of onAgent) {
      const fw = this.frameworks.get(task.frameworkId)!;
      this.timers.cancel(task.retry);
      task.pending = [];
      this.freeTaskResources(task, fw);
      if (isTerminal(task.state)) {
        this.completeTask(fw, task);
        continue;
      }
      const pa = fw.caps.has('PARTITION_AWARE');
      const state = pa ? 'TASK_UNREACHABLE' : 'TASK_LOST';
      const unreachable = { nanoseconds: Math.round(agent.unreachableTime * 1e9) };
      task.state = state;
      task.unreachableTime = agent.unreachableTime;
      task.statuses.push({ state, timestamp: Date.now() / 1000 });
      this.countState(state);
      this.masterUpdate(fw, {
        task_id: { value: task.id },
        agent_id: { value: agentId },
        executor_id: { value: task.executorId },
        state,
        message: 'Agent is unreachable',
        reason: 'REASON_AGENT_REMOVED',
        unreachable_time: unreachable,
      });
      if (!pa) this.completeTask(fw, task);
    }
    return true;
  }

  /** An unreachable agent comes back, empty: its unreachable tasks are gone. */
  restoreAgent(agentId: string): boolean {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state !== 'unreachable') return false;
    agent.state = 'registered';
    agent.unreachableTime = undefined;
    for (const fw of this.frameworks.values()) {
      for (const task of [...fw.tasks.values()]) {
        if (task.agentId !== agentId) continue;
        task.state = 'TASK_GONE';
        this.masterUpdate(fw, { task_id: { value: task.id }, agent_id: { value: agentId }, state: fw.caps.has('PARTITION_AWARE') ? 'TASK_GONE' : 'TASK_LOST', message: 'Task is unknown to the re-registered agent', reason: 'REASON_AGENT_REREGISTERED' });
        this.completeTask(fw, task);
      }
    }
    this.scheduleAllocation();
    return true;
  }

  /** Kills a task's executor abruptly: TASK_FAILED (REASON_EXECUTOR_TERMINATED) and FAILURE{agent_id, executor_id, status}. */
  crashExecutor(taskId: string): boolean {
    for (const fw of this.frameworks.values()) {
      const task = fw.tasks.get(taskId);
      if (task && !isTerminal(task.state)) return this.agents.get(task.agentId)?.runner.crash(task.launch.key) ?? false;
    }
    return false;
  }

  stopOffers(): void {
    this.offersStopped = true;
  }

  resumeOffers(): void {
    this.offersStopped = false;
    this.scheduleAllocation();
  }

  /** Sends ERROR{message} to every connected framework. */
  injectError(message: string): number {
    let n = 0;
    for (const fw of this.frameworks.values()) {
      if (fw.stream) {
        n++;
        fw.stream.send({ type: 'ERROR', error: { message } });
      }
    }
    return n;
  }

  /** While recovering, the scheduler endpoint answers 503. */
  setRecovering(on: boolean): void {
    this.recovering = on;
    if (!on) this.scheduleAllocation();
  }

  // ───────────────────────────── state and files ─────────────────────────────

  private taskState(task: Task, fw: Framework): Json {
    const agent = this.agents.get(task.agentId);
    return {
      id: task.id,
      name: task.name,
      framework_id: fw.id,
      executor_id: task.executorId === task.id && !task.launch.groupExecutor ? '' : task.executorId,
      slave_id: task.agentId,
      agent_id: task.agentId,
      hostname: agent?.hostname,
      state: task.state,
      role: task.role,
      resources: resToStateJson(task.res),
      statuses: task.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp })),
      ...(task.latest?.message ? { status_message: task.latest.message } : {}),
      ...(task.info.container ? { container: task.info.container } : {}),
      ...(task.info.labels ? { labels: task.info.labels.labels ?? [] } : {}),
      ...(task.sandbox ? { sandbox_directory: task.sandbox, executor_directory: task.sandbox, directory: task.sandbox } : {}),
      unacknowledged_updates: task.pending.length,
    };
  }

  private frameworkState(fw: Framework): Json {
    return {
      id: fw.id,
      name: fw.info.name,
      user: fw.info.user,
      principal: fw.info.principal,
      hostname: fw.info.hostname ?? '',
      webui_url: fw.info.webui_url ?? '',
      role: fw.roles[0],
      roles: fw.roles,
      suppressed_roles: [...fw.suppressed],
      capabilities: [...fw.caps],
      failover_timeout: fw.info.failover_timeout ?? 0,
      checkpoint: fw.info.checkpoint ?? false,
      active: !!fw.stream,
      connected: !!fw.stream,
      recovered: !fw.recovered,
      registered_time: fw.registeredTime,
      ...(fw.reregisteredTime ? { reregistered_time: fw.reregisteredTime } : {}),
      unregistered_time: fw.unregisteredTime ?? 0,
      resources: resToStateJson(addRes(fw.used, fw.offered)),
      used_resources: resToStateJson(fw.used),
      offered_resources: resToStateJson(fw.offered),
      offers: [...fw.offers].map((id) => this.offers.get(id)!).map((o) => ({ id: o.id, framework_id: o.frameworkId, slave_id: o.agentId, resources: resToStateJson(o.res) })),
      tasks: [...fw.tasks.values()].map((t) => this.taskState(t, fw)),
      completed_tasks: fw.completed.map((t) => this.taskState(t, fw)),
      unreachable_tasks: [],
      executors: [],
    };
  }

  /** The GET /master/state document, in the shape of Mesos's (the fields a UI or client reads). */
  state(): Json {
    const host = this.options.host;
    const leader = this.leaderHostPort();
    const agents = [...this.agents.values()];
    const scaleCap = 2000;
    const frameworks = [...this.frameworks.values()];
    return {
      version: MESOS_VERSION,
      id: this._masterId,
      pid: `master@${host}:${this._port}`,
      hostname: host,
      start_time: this.startTime,
      elected_time: leader ? undefined : this.electedTime,
      leader: leader ? `master@${leader}` : `master@${host}:${this._port}`,
      leader_info: leader
        ? { hostname: leader.split(':')[0], port: Number(leader.split(':')[1] ?? 5050), address: { hostname: leader.split(':')[0], ip: leader.split(':')[0], port: Number(leader.split(':')[1] ?? 5050) } }
        : this.masterInfo(),
      activated_slaves: agents.filter((a) => a.state === 'registered').length,
      deactivated_slaves: 0,
      unreachable_slaves: agents.filter((a) => a.state === 'unreachable').length,
      ...this.counters,
      outstanding_offers: this.offers.size,
      sandbox_root: this.workDir,
      flags: {
        allocation_interval: `${this.options.allocationIntervalMs}ms`,
        heartbeat_interval: `${this.options.heartbeatIntervalSeconds}secs`,
        authenticate_http_frameworks: this.options.credentials ? 'true' : 'false',
        work_dir: this.workDir,
      },
      frameworks: frameworks.filter((f) => f.recovered).map((f) => this.frameworkState(f)),
      unregistered_frameworks: frameworks.filter((f) => !f.recovered).map((f) => f.id),
      completed_frameworks: this.completedFrameworks.map((f) => ({ ...this.frameworkState(f), active: false, connected: false })),
      slaves: agents.slice(0, scaleCap).map((a) => ({
        id: a.id,
        hostname: a.hostname,
        pid: `slave(1)@${host}:${this._port}`,
        port: this._port,
        active: a.state === 'registered',
        registered_time: a.registeredTime,
        version: MESOS_VERSION,
        resources: resToStateJson(a.total),
        used_resources: resToStateJson(a.used),
        offered_resources: resToStateJson(a.offered),
        unreserved_resources: resToStateJson(a.total),
        reserved_resources: {},
        attributes: Object.fromEntries(a.attributes.map((x) => [x.name, x.type === 'SCALAR' ? x.scalar.value : x.text?.value])),
        capabilities: ['MULTI_ROLE', 'TASK_LABELS_FULL', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
      })),
      slaves_truncated: agents.length > scaleCap,
    };
  }

  private metrics(): Json {
    const agents = [...this.agents.values()];
    const total = this.clusterTotal();
    const used = agents.reduce((acc, a) => addRes(acc, a.used), emptyRes());
    const m: Json = {
      'master/elected': this.leaderHostPort() ? 0 : 1,
      'master/uptime_secs': Date.now() / 1000 - this.startTime,
      'master/slaves_active': agents.filter((a) => a.state === 'registered').length,
      'master/slaves_unreachable': agents.filter((a) => a.state === 'unreachable').length,
      'master/frameworks_active': [...this.frameworks.values()].filter((f) => f.stream).length,
      'master/frameworks_inactive': [...this.frameworks.values()].filter((f) => !f.stream).length,
      'master/outstanding_offers': this.offers.size,
      'master/cpus_total': total.scalars.cpus ?? 0,
      'master/cpus_used': used.scalars.cpus ?? 0,
      'master/mem_total': total.scalars.mem ?? 0,
      'master/mem_used': used.scalars.mem ?? 0,
      'master/tasks_running': [...this.frameworks.values()].reduce((n, f) => n + [...f.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').length, 0),
    };
    for (const [k, v] of Object.entries(this.counters)) m[`master/${k}`] = v;
    return m;
  }

  /** Resolves a /files path to a real path inside the sandbox root, or throws 400/404. */
  private async resolveFilePath(url: URL): Promise<string> {
    const p = url.searchParams.get('path');
    if (!p) throw new HttpError(400, "Expecting 'path=value' in query.\n");
    let root: string;
    let real: string;
    try {
      root = await fs.promises.realpath(this.workDir);
      real = await fs.promises.realpath(path.resolve(this.workDir, p));
    } catch {
      throw new HttpError(404, '');
    }
    if (real !== root && !real.startsWith(root + path.sep)) throw new HttpError(404, '');
    return real;
  }

  private async onFilesRead(url: URL, res: http.ServerResponse): Promise<void> {
    const file = await this.resolveFilePath(url);
    const offsetRaw = url.searchParams.get('offset');
    const lengthRaw = url.searchParams.get('length');
    let offset = -1;
    if (offsetRaw !== null) {
      offset = Number(offsetRaw);
      if (!Number.isInteger(offset)) throw new HttpError(400, `Failed to parse offset: Failed to convert '${offsetRaw}' to number.\n`);
      if (offset < -1) throw new HttpError(400, `Negative offset provided: ${offset}.\n`);
    }
    let length: number | undefined;
    if (lengthRaw !== null) {
      const l = Number(lengthRaw);
      if (!Number.isInteger(l)) throw new HttpError(400, `Failed to parse length: Failed to convert '${lengthRaw}' to number.\n`);
      if (l < -1) throw new HttpError(400, `Negative length provided: ${l}.\n`);
      if (l >= 0) length = l;
    }
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new HttpError(400, 'Cannot read a directory.\n');
    const size = st.size;
    if (offset === -1) return this.replyJson(res, 200, { data: '', offset: size });
    if (offset >= size || length === 0) return this.replyJson(res, 200, { data: '', offset });
    const len = Math.min(length ?? size - offset, 16 * 4096, size - offset);
    const fh = await fs.promises.open(file, 'r');
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      this.replyJson(res, 200, { data: buf.subarray(0, bytesRead).toString('utf8'), offset });
    } finally {
      await fh.close();
    }
  }

  private async onFilesBrowse(url: URL, res: http.ServerResponse): Promise<void> {
    const dir = await this.resolveFilePath(url);
    const st = await fs.promises.stat(dir);
    const requested = url.searchParams.get('path')!;
    const entries = st.isDirectory() ? await fs.promises.readdir(dir) : [path.basename(dir)];
    const base = st.isDirectory() ? dir : path.dirname(dir);
    const reqBase = st.isDirectory() ? requested : path.dirname(requested);
    const out = [];
    for (const name of entries.sort()) {
      try {
        const s = await fs.promises.lstat(path.join(base, name));
        out.push({
          path: path.posix.join(reqBase, name),
          nlink: s.nlink,
          size: s.size,
          mtime: Math.floor(s.mtimeMs / 1000),
          mode: modeString(s),
          uid: String(s.uid),
          gid: String(s.gid),
        });
      } catch {
        /* vanished */
      }
    }
    this.replyJson(res, 200, out);
  }

  private async onFilesDownload(url: URL, res: http.ServerResponse): Promise<void> {
    const file = await this.resolveFilePath(url);
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new HttpError(400, 'Cannot download a directory.\n');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(st.size), 'Content-Disposition': `attachment; filename=${path.basename(file)}` });
    fs.createReadStream(file).pipe(res);
  }
}

function modeString(s: fs.Stats): string {
  const t = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = t;
  for (let i = 0; i < 9; i++) out += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}
