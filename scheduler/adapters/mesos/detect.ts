/**
 * Finding the leading Mesos master (shared/reference/mesos.md §1 "Master detection").
 *
 * - `StaticDetector`: a comma-separated list of master URLs. Each is asked `GET /redirect`, which a
 *   master answers with `307 Location: //leader:port`; the first that answers wins. A leader learnt
 *   from a 307 on a call is remembered until a connection to it fails.
 * - `ZkDetector`: `zk://host1:2181,host2:2181/mesos`. Masters own ephemeral sequential znodes
 *   `json.info_<seq>` holding JSON MasterInfo; the lowest sequence is the leader. Children are
 *   watched, so a leader change is followed.
 *
 * node-zookeeper-client is used only here (ARCHITECTURE.md: I/O libraries stay in adapters).
 */
import zookeeperModule from 'node-zookeeper-client';
import { TypedEmitter } from './emitter';
import { basicAuthHeader, masterBase, request, resolveLocation, type Credentials } from './http';

export interface MasterDetector {
  /** The leading master's base URL (`http://host:port`). Rejects when none can be found. */
  detect(): Promise<URL>;
  /** A 307 named a new leader. */
  redirected(url: URL): void;
  /** A connection to `url` failed; forget it as leader. */
  failed(url: URL): void;
  /** Called with the new leader whenever detection learns of a change (ZooKeeper watch). */
  onChange(fn: (leader: URL | null) => void): () => void;
  close(): Promise<void>;
  /** A short human description (for logs and the UI). */
  describe(): string;
}

export interface DetectorOptions {
  credentials?: Credentials | null;
  /** Scheme for masters found in ZooKeeper (default http). */
  scheme?: 'http' | 'https';
  /** Timeout for each `GET /redirect` probe (default 5 s). */
  probeTimeoutMs?: number;
  /** ZooKeeper: how long detect() waits for a leader node before rejecting (default 30 s). */
  zkWaitMs?: number;
  /** ZooKeeper session timeout (default 10 s). */
  zkSessionTimeoutMs?: number;
}

/** Builds the detector for a MESOS_MASTER value: `zk://…` or a comma-separated URL list. */
export function createDetector(master: string, options: DetectorOptions = {}): MasterDetector {
  const m = master.trim();
  if (m.startsWith('zk://')) return new ZkDetector(m, options);
  return new StaticDetector(
    m.split(',').map((s) => s.trim()).filter(Boolean),
    options,
  );
}

/** `host:port` or `http://host:port[/path]` → base URL. */
export function normaliseMasterUrl(s: string, scheme: 'http' | 'https' = 'http'): URL {
  const withScheme = /^[a-z]+:\/\//i.test(s) ? s : `${scheme}://${s}`;
  return masterBase(new URL(withScheme));
}

export class StaticDetector extends TypedEmitter<{ change: URL | null }> implements MasterDetector {
  private readonly masters: URL[];
  private leader: URL | null = null;

  constructor(urls: string[], private readonly options: DetectorOptions = {}) {
    super();
    if (urls.length === 0) throw new Error('no Mesos master URL given');
    this.masters = urls.map((u) => normaliseMasterUrl(u, options.scheme));
  }

  describe(): string {
    return this.masters.map((u) => u.origin).join(',');
  }

  async detect(): Promise<URL> {
    if (this.leader) return this.leader;
    const problems: string[] = [];
    for (const m of this.masters) {
      try {
        const headers: Record<string, string> = {};
        if (this.options.credentials) headers.Authorization = basicAuthHeader(this.options.credentials);
        const res = await request({
          url: new URL('/redirect', m),
          method: 'GET',
          headers,
          timeoutMs: this.options.probeTimeoutMs ?? 5000,
        });
        const location = res.headers.location;
        if ((res.status === 307 || res.status === 302 || res.status === 301) && location) {
          this.setLeader(masterBase(resolveLocation(location, m)));
        } else {
          // Reachable but without /redirect (or answering it itself): use it; a POST will 307.
          this.setLeader(m);
        }
        return this.leader!;
      } catch (e) {
        problems.push(`${m.origin}: ${(e as Error).message}`);
      }
    }
    throw new Error(`no Mesos master reachable (${problems.join('; ')})`);
  }

  redirected(url: URL): void {
    this.setLeader(masterBase(url));
  }

  failed(url: URL): void {
    if (this.leader && this.leader.origin === masterBase(url).origin) this.setLeader(null);
  }

  onChange(fn: (leader: URL | null) => void): () => void {
    return this.on('change', fn);
  }

  async close(): Promise<void> {}

  private setLeader(url: URL | null): void {
    const changed = (this.leader?.origin ?? null) !== (url?.origin ?? null);
    this.leader = url;
    if (changed) this.emit('change', url);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* ZooKeeper                                                                                   */

interface ZkError extends Error {
  getCode?(): number;
}
interface ZkClient {
  connect(): void;
  close(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  getChildren(path: string, watcher: (event: unknown) => void, cb: (err: ZkError | null, children: string[]) => void): void;
  getData(path: string, cb: (err: ZkError | null, data: Buffer | undefined) => void): void;
  exists(path: string, watcher: (event: unknown) => void, cb: (err: ZkError | null, stat: unknown) => void): void;
}
interface ZkModule {
  createClient(connection: string, options: { sessionTimeout?: number; spinDelay?: number; retries?: number }): ZkClient;
  Exception: { NO_NODE: number };
}
const zookeeper = zookeeperModule as unknown as ZkModule;

export interface ZkUrl {
  /** `host1:2181,host2:2181` */
  servers: string;
  /** `/mesos` */
  path: string;
  /** `user:password` digest auth, if given. */
  auth: string | null;
}

/** Parses `zk://[user:pass@]host1:2181,host2:2181/mesos`. */
export function parseZkUrl(url: string): ZkUrl {
  if (!url.startsWith('zk://')) throw new Error(`not a zk:// URL: ${url}`);
  let rest = url.slice('zk://'.length);
  let auth: string | null = null;
  const at = rest.indexOf('@');
  const slash = rest.indexOf('/');
  if (at >= 0 && (slash < 0 || at < slash)) {
    auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const s = rest.indexOf('/');
  const servers = s < 0 ? rest : rest.slice(0, s);
  let path = s < 0 ? '/' : rest.slice(s);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (!servers) throw new Error(`no ZooKeeper servers in ${url}`);
  return { servers, path, auth };
}

/** Converts a uint32 IPv4 address in network byte order (as MasterInfo.ip holds it) to dotted form. */
export function ipFromNetworkOrder(ip: number): string {
  const n = ip >>> 0;
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

/**
 * MasterInfo JSON → `host:port`. Prefers `address.hostname`/`address.ip` with `address.port`, then
 * `hostname` + `port`, then the uint32 `ip`. Returns a reason when nothing usable is there.
 */
export function masterAddress(info: unknown): { ok: true; host: string; port: number } | { ok: false; error: string } {
  if (!info || typeof info !== 'object') return { ok: false, error: 'MasterInfo is not a JSON object' };
  const m = info as Record<string, unknown>;
  const addr = (m.address && typeof m.address === 'object' ? m.address : {}) as Record<string, unknown>;
  const port = Number(addr.port ?? m.port ?? 5050);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return { ok: false, error: `bad port ${String(addr.port ?? m.port)}` };
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : null);
  const host =
    str(addr.hostname) ??
    str(addr.ip) ??
    str(m.hostname) ??
    (typeof m.ip === 'number' || typeof m.ip === 'string' ? ipFromNetworkOrder(Number(m.ip)) : null);
  if (!host) return { ok: false, error: 'MasterInfo has no address, hostname or ip' };
  return { ok: true, host, port };
}

const LEADER_NODE = /^json\.info_(\d+)$/;

/** The leader's node among a masters directory's children (lowest sequence), or null. */
export function leaderNode(children: string[]): string | null {
  let best: { name: string; seq: number } | null = null;
  for (const c of children) {
    const m = LEADER_NODE.exec(c);
    if (!m) continue;
    const seq = Number(m[1]);
    if (!best || seq < best.seq) best = { name: c, seq };
  }
  return best?.name ?? null;
}

export class ZkDetector extends TypedEmitter<{ change: URL | null; error: Error }> implements MasterDetector {
  private readonly zk: ZkUrl;
  private client: ZkClient | null = null;
  private leader: URL | null = null;
  private closed = false;
  private waiters: Array<(u: URL) => void> = [];
  private refreshing = false;
  private refreshAgain = false;

  constructor(
    private readonly url: string,
    private readonly options: DetectorOptions = {},
  ) {
    super();
    this.zk = parseZkUrl(url);
  }

  describe(): string {
    return this.url.replace(/\/\/[^@/]*@/, '//***@');
  }

  /** The current leader without waiting (null while unknown). */
  current(): URL | null {
    return this.leader;
  }

  async detect(): Promise<URL> {
    this.start();
    if (this.leader) return this.leader;
    const waitMs = this.options.zkWaitMs ?? 30_000;
    return new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`no Mesos leader found in ZooKeeper ${this.describe()} within ${waitMs} ms`));
      }, waitMs);
      const done = (u: URL) => {
        clearTimeout(timer);
        resolve(u);
      };
      this.waiters.push(done);
    });
  }

  redirected(_url: URL): void {
    // ZooKeeper is the source of truth; a 307 is followed by the client for that call only.
  }

  failed(_url: URL): void {
    // The znode disappears when the master dies; the watch will tell us.
  }

  onChange(fn: (leader: URL | null) => void): () => void {
    return this.on('change', fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.client?.close();
    this.client = null;
  }

  private start(): void {
    if (this.client || this.closed) return;
    const client = zookeeper.createClient(this.zk.servers, {
      sessionTimeout: this.options.zkSessionTimeoutMs ?? 10_000,
      spinDelay: 1000,
      retries: 1,
    });
    this.client = client;
    if (this.zk.auth) (client as unknown as { addAuthInfo(s: string, b: Buffer): void }).addAuthInfo('digest', Buffer.from(this.zk.auth));
    client.on('connected', () => this.refresh());
    client.on('expired', () => {
      // A new session is needed; watches are gone.
      if (this.client === client) this.client = null;
      client.close();
      if (!this.closed) setTimeout(() => this.start(), 1000);
    });
    client.connect();
  }

  private refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    const client = this.client;
    if (!client || this.closed) return;
    this.refreshing = true;
    const finish = () => {
      this.refreshing = false;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refresh();
      }
    };
    const watcher = () => this.refresh();
    client.getChildren(this.zk.path, watcher, (err, children) => {
      if (err) {
        if (err.getCode?.() === zookeeper.Exception.NO_NODE) {
          // The masters' directory does not exist yet: wait for it.
          client.exists(this.zk.path, watcher, () => finish());
          this.setLeader(null);
          return;
        }
        this.emit('error', err);
        finish();
        return;
      }
      const node = leaderNode(children);
      if (!node) {
        this.setLeader(null);
        finish();
        return;
      }
      client.getData(`${this.zk.path === '/' ? '' : this.zk.path}/${node}`, (err2, data) => {
        if (err2 || !data) {
          // Deleted between the two reads: the children watch fires again.
          finish();
          return;
        }
        try {
          const addr = masterAddress(JSON.parse(data.toString('utf8')));
          if (!addr.ok) throw new Error(addr.error);
          const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
          this.setLeader(new URL(`${this.options.scheme ?? 'http'}://${host}:${addr.port}`));
        } catch (e) {
          this.emit('error', new Error(`bad MasterInfo in ${node}: ${(e as Error).message}`));
        }
        finish();
      });
    });
  }

  private setLeader(url: URL | null): void {
    const changed = (this.leader?.origin ?? null) !== (url?.origin ?? null);
    this.leader = url;
    if (changed) this.emit('change', url);
    if (url) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w(url);
    }
  }
}
