/**
 * Leader election on ZooKeeper (the `LeaderElector` port), the classic recipe:
 *
 * - Every instance creates one EPHEMERAL_SEQUENTIAL znode `<path>/member_<seq>` whose data is its
 *   id (`host:port`). The lowest sequence leads; every other candidate watches only its immediate
 *   predecessor (no herd effect) and re-checks when that node goes away.
 * - `leader()` is the data of the lowest node; `members()` the data of all of them, in order.
 *   Followers also watch the leader's node (and the children, for the member list only), so
 *   `leader()` is current on every instance, not just on the leader's successor.
 * - The leadership epoch is a counter kept in the data of `<path>` itself, incremented by
 *   compare-and-set (setData with the read version) each time a candidate wins. It only grows
 *   (even across sessions and processes), so the database can fence the writes of older leaders.
 *   `advanceEpoch(min)` moves it past a larger value found elsewhere (a wiped ZooKeeper).
 * - Session lost: `expired`, disconnected for longer than `disconnectGraceMs` (default half the
 *   session timeout: the old leader has stopped before the server can expire its session and let
 *   another win), or the process found frozen for longer than the session timeout (a pause
 *   detector: SIGSTOP, GC, suspended VM), is `deposed` at once; the client is closed, a new session is opened and the
 *   instance re-enters the election. ZooKeeper being down never throws out of here and never ends
 *   the process: the instance is simply not leader until a session comes back.
 *
 * node-zookeeper-client is used only in scheduler/adapters (ARCHITECTURE.md).
 */
import zookeeperModule from 'node-zookeeper-client';
import type { LeaderElector } from '../../ports';
import { ElectorState, type ElectorLog } from './elector-state';

interface ZkError extends Error {
  getCode?(): number;
  code?: number;
}
interface ZkStat {
  version: number;
}
interface ZkEvent {
  getType(): number;
  getName?(): string;
}
interface ZkClient {
  connect(): void;
  close(): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  removeAllListeners(event?: string): void;
  getSessionId(): Buffer;
  getSessionTimeout?(): number;
  mkdirp(path: string, cb: (err: ZkError | null, path?: string) => void): void;
  create(path: string, data: Buffer, mode: number, cb: (err: ZkError | null, path?: string) => void): void;
  remove(path: string, version: number, cb: (err: ZkError | null) => void): void;
  getChildren(path: string, watcher: ((ev: ZkEvent) => void) | undefined, cb: (err: ZkError | null, children: string[]) => void): void;
  getData(path: string, watcher: ((ev: ZkEvent) => void) | undefined, cb: (err: ZkError | null, data: Buffer | undefined, stat: ZkStat) => void): void;
  setData(path: string, data: Buffer, version: number, cb: (err: ZkError | null, stat?: ZkStat) => void): void;
  exists(path: string, watcher: ((ev: ZkEvent) => void) | undefined, cb: (err: ZkError | null, stat: ZkStat | null) => void): void;
}
interface ZkModule {
  createClient(connection: string, options: { sessionTimeout?: number; spinDelay?: number; retries?: number }): ZkClient;
  CreateMode: { EPHEMERAL_SEQUENTIAL: number };
  Exception: { NO_NODE: number; NODE_EXISTS: number; BAD_VERSION: number };
}
const zookeeper = zookeeperModule as unknown as ZkModule;

const PREFIX = 'member_';
const SEQ = /^member_(\d+)$/;

export interface ZkElectorOptions {
  /** `host:port[,host:port]` (a `zk://` prefix and a path after the hosts are accepted too). */
  servers: string;
  /** Election directory; default `/sisyphus/leader`. Created with its parents. */
  path?: string;
  /** This instance's id, `host:port`. */
  id: string;
  /** ZooKeeper session timeout (default 10 s; the server clamps it to [2, 20] ticks). */
  sessionTimeoutMs?: number;
  /** Disconnected this long → deposed and a new session (default sessionTimeoutMs / 2). */
  disconnectGraceMs?: number;
  /** Delay before retrying after an error (default 1 s). */
  retryDelayMs?: number;
  /** Diagnostics (connection changes, errors); default silent. */
  log?: ElectorLog;
  /** Called after each read of the candidates (members() may have changed without a new leader). */
  onView?: () => void;
}

/** `zk://a:2181,b:2181/chroot` or `a:2181,b:2181` → the server list. */
export function zkServers(raw: string): string {
  let s = raw.trim();
  if (s.startsWith('zk://')) s = s.slice(5);
  const at = s.lastIndexOf('@');
  if (at >= 0) s = s.slice(at + 1);
  const slash = s.indexOf('/');
  return slash >= 0 ? s.slice(0, slash) : s;
}

/** The sequence number of a candidate node name, or null for any other child. */
export function sequenceOf(name: string): number | null {
  const m = SEQ.exec(name);
  return m ? Number(m[1]) : null;
}

/** Candidate nodes in election order (lowest sequence first). */
export function electionOrder(children: string[]): string[] {
  return children
    .filter((c) => sequenceOf(c) !== null)
    .sort((a, b) => sequenceOf(a)! - sequenceOf(b)!);
}

export class ZkElector extends ElectorState implements LeaderElector {
  readonly id: string;
  readonly path: string;
  private readonly servers: string;
  private readonly sessionTimeoutMs: number;
  private readonly disconnectGraceMs: number;
  private readonly retryDelayMs: number;
  private readonly onView: () => void;

  private client: ZkClient | null = null;
  /** Bumped for every new session; callbacks of an older session are ignored. */
  private session = 0;
  private running = false;
  private myNode: string | null = null;
  private leaderNode: string | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pauseTimer: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private checking = false;
  private checkAgain = false;

  constructor(opts: ZkElectorOptions) {
    super(opts.log ?? (() => {}));
    this.id = opts.id;
    this.servers = zkServers(opts.servers);
    let p = opts.path ?? '/sisyphus/leader';
    if (!p.startsWith('/')) p = `/${p}`;
    if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
    this.path = p;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    this.disconnectGraceMs = opts.disconnectGraceMs ?? Math.floor(this.sessionTimeoutMs / 2);
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.onView = opts.onView ?? (() => {});
  }

  /* ------------------------------------------------------------------ port (the getters: ElectorState) */

  /** Opens the first session and enters the election; resolves at once (it never throws). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.openSession();
    // Pause detector: a process frozen (SIGSTOP, a long GC, a suspended VM) for longer than the
    // session timeout has lost its session, whatever the socket says; step down at once on waking
    // instead of waiting for ZooKeeper to say so (fencing covers the instant in between).
    this.lastBeat = performance.now();
    this.pauseTimer = setInterval(() => {
      const gap = performance.now() - this.lastBeat;
      this.lastBeat = performance.now();
      if (gap > this.sessionTimeoutMs && this.running) this.restartSession(`process was paused for ${Math.round(gap)} ms`);
    }, 200);
    this.pauseTimer.unref?.();
  }

  /** Leaves the election (the node is removed with the session) and closes the client. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clearTimers();
    if (this.pauseTimer) clearInterval(this.pauseTimer);
    this.pauseTimer = null;
    this.depose('elector stopped');
    this.setLeader(null, null);
    const c = this.client;
    this.client = null;
    this.session++;
    this.myNode = null;
    c?.removeAllListeners();
    c?.close();
  }

  /**
   * Moves the epoch counter to at least `min` (CAS) and makes that this instance's epoch. Used when
   * the database already holds a larger epoch than ZooKeeper (its data was wiped). Leader only.
   */
  async advanceEpoch(min: number): Promise<number> {
    const c = this.client;
    if (!c || !this.leading) throw new Error('not leader');
    const next = await this.casEpoch(c, (cur) => Math.max(cur + 1, min));
    this.currentEpoch = next;
    return next;
  }

  /** Tests and operators: drop the session as if it expired (deposed, then re-enter). */
  restartSession(reason = 'session restarted'): void {
    if (!this.running) return;
    this.log('warn', `ZooKeeper: ${reason}; opening a new session`);
    this.depose(reason);
    this.openSession();
  }

  /** The current session id (hex), for tests that expire it from outside. */
  sessionId(): string | null {
    return this.client ? this.client.getSessionId().toString('hex') : null;
  }

  /* ------------------------------------------------------------------ sessions */

  private openSession(): void {
    this.clearTimers();
    const old = this.client;
    if (old) {
      old.removeAllListeners();
      old.close();
    }
    const gen = ++this.session;
    this.myNode = null;
    const c = zookeeper.createClient(this.servers, { sessionTimeout: this.sessionTimeoutMs, spinDelay: 500, retries: 0 });
    this.client = c;
    let everConnected = false;
    c.on('connected', () => {
      if (gen !== this.session) return;
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.graceTimer = null;
      if (!everConnected) {
        everConnected = true;
        this.log('info', `ZooKeeper session opened at ${this.servers}`);
        this.enter(gen);
      } else {
        this.log('info', 'ZooKeeper connection restored (same session)');
        this.check(gen);
      }
    });
    c.on('disconnected', () => {
      if (gen !== this.session || !this.running) return;
      this.log('warn', `ZooKeeper disconnected; deposed in ${this.disconnectGraceMs} ms unless it comes back`);
      if (this.graceTimer) return;
      this.graceTimer = setTimeout(() => {
        this.graceTimer = null;
        if (gen !== this.session || !this.running) return;
        this.restartSession(`ZooKeeper disconnected for more than ${this.disconnectGraceMs} ms`);
      }, this.disconnectGraceMs);
    });
    c.on('expired', () => {
      if (gen !== this.session || !this.running) return;
      this.restartSession('ZooKeeper session expired');
    });
    c.on('authenticationFailed', () => {
      if (gen !== this.session || !this.running) return;
      this.log('error', 'ZooKeeper authentication failed');
      this.depose('ZooKeeper authentication failed');
      this.retryLater(() => this.openSession());
    });
    c.connect();
  }

  private retryLater(fn: () => void): void {
    if (this.retryTimer || !this.running) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) fn();
    }, this.retryDelayMs);
  }

  private clearTimers(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.graceTimer = null;
    this.retryTimer = null;
  }

  /* ------------------------------------------------------------------ election */

  /** Creates this session's candidate node, then checks the order. */
  private enter(gen: number): void {
    const c = this.client!;
    c.mkdirp(this.path, (err) => {
      if (gen !== this.session) return;
      if (err) return this.fail(gen, `cannot create ${this.path}`, err);
      c.create(`${this.path}/${PREFIX}`, Buffer.from(this.id), zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL, (err2, created) => {
        if (gen !== this.session) return;
        if (err2 || !created) return this.fail(gen, 'cannot create the candidate node', err2);
        this.myNode = created.slice(created.lastIndexOf('/') + 1);
        this.log('info', `ZooKeeper: candidate ${this.myNode} (${this.id})`);
        this.check(gen);
      });
    });
  }

  /** An error in this session: try again shortly, within the same session when it still lives. */
  private fail(gen: number, what: string, err: ZkError | null | undefined): void {
    this.log('warn', `ZooKeeper: ${what}: ${err?.message ?? 'unknown error'}`);
    this.retryLater(() => {
      if (gen !== this.session) return;
      if (this.myNode) this.check(gen);
      else this.enter(gen);
    });
  }

  /** Reads the candidates and decides: lead, or watch the predecessor. Coalesced. */
  private check(gen: number): void {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    this.checkAgain = false;
    void this.doCheck(gen)
      .catch((e: ZkError) => this.fail(gen, 'election check failed', e))
      .finally(() => {
        this.checking = false;
        if (this.checkAgain && gen === this.session) this.check(gen);
      });
  }

  private async doCheck(gen: number): Promise<void> {
    const c = this.client!;
    const children = await new Promise<string[]>((resolve, reject) =>
      c.getChildren(
        this.path,
        (ev) => {
          // membership display only; decisions come from the predecessor watch
          if (gen === this.session && ev.getType() === 4 /* NODE_CHILDREN_CHANGED */) void this.refreshView(gen).catch(() => {});
        },
        (err, ch) => (err ? reject(err) : resolve(ch)),
      ),
    );
    if (gen !== this.session) return;
    const order = electionOrder(children);
    await this.view(gen, order);
    if (gen !== this.session) return;
    const me = this.myNode;
    const mine = me ? order.indexOf(me) : -1;
    if (!me || mine < 0) {
      // our node is gone (deleted by hand, or the session is being replaced): re-enter
      this.depose('candidate node disappeared');
      this.myNode = null;
      this.enter(gen);
      return;
    }
    if (mine === 0) {
      if (!this.leading) await this.win(gen);
      return;
    }
    if (this.leading) this.depose('another candidate is ahead');
    const predecessor = order[mine - 1];
    const stat = await new Promise<ZkStat | null>((resolve, reject) =>
      c.exists(
        `${this.path}/${predecessor}`,
        () => {
          if (gen === this.session) this.check(gen);
        },
        (err, s) => (err ? reject(err) : resolve(s)),
      ),
    );
    if (!stat && gen === this.session) this.checkAgain = true; // it went away in between
  }

  private async win(gen: number): Promise<void> {
    const c = this.client!;
    const epoch = await this.casEpoch(c, (cur) => cur + 1);
    if (gen !== this.session || !this.running) return;
    this.currentEpoch = epoch;
    this.leading = true;
    this.setLeader(this.id, this.myNode);
    this.log('info', `ZooKeeper: elected leader (epoch ${epoch})`);
    this.emit('elected');
  }

  /** Read-modify-write of the epoch counter in `<path>`'s data, retried on a version clash. */
  private async casEpoch(c: ZkClient, next: (cur: number) => number): Promise<number> {
    for (;;) {
      const { data, stat } = await new Promise<{ data: Buffer | undefined; stat: ZkStat }>((resolve, reject) =>
        c.getData(this.path, undefined, (err, d, s) => (err ? reject(err) : resolve({ data: d, stat: s }))),
      );
      const cur = Number((data ?? Buffer.alloc(0)).toString('utf8')) || 0;
      const value = next(cur);
      const ok = await new Promise<boolean>((resolve, reject) =>
        c.setData(this.path, Buffer.from(String(value)), stat.version, (err) => {
          if (!err) return resolve(true);
          if ((err.getCode?.() ?? err.code) === zookeeper.Exception.BAD_VERSION) return resolve(false);
          reject(err);
        }),
      );
      if (ok) return value;
    }
  }

  /** Refreshes leader() and members() from the children (no election decision here). */
  private async refreshView(gen: number): Promise<void> {
    const c = this.client;
    if (!c) return;
    const children = await new Promise<string[]>((resolve, reject) =>
      c.getChildren(
        this.path,
        (ev) => {
          if (gen === this.session && ev.getType() === 4) void this.refreshView(gen).catch(() => {});
        },
        (err, ch) => (err ? reject(err) : resolve(ch)),
      ),
    );
    if (gen !== this.session) return;
    const order = electionOrder(children);
    await this.view(gen, order);
    // our own node vanished while we lead: the predecessor watch cannot tell us
    if (this.myNode && !order.includes(this.myNode) && gen === this.session) this.check(gen);
  }

  /** Reads the ids of the candidates and names the leader. */
  private async view(gen: number, order: string[]): Promise<void> {
    const c = this.client!;
    const ids = await Promise.all(
      order.map(
        (n) =>
          new Promise<string | null>((resolve) =>
            c.getData(`${this.path}/${n}`, undefined, (err, d) => resolve(err || !d ? null : d.toString('utf8'))),
          ),
      ),
    );
    if (gen !== this.session) return;
    this.memberIds = ids.filter((x): x is string => x !== null);
    const first = order.findIndex((_, i) => ids[i] !== null);
    this.setLeader(first >= 0 ? ids[first] : null, first >= 0 ? order[first] : null);
    this.onView();
  }

  private setLeader(id: string | null, node: string | null): void {
    const changed = id !== this.leaderId || node !== this.leaderNode;
    this.leaderId = id;
    this.leaderNode = node;
    if (changed) this.emit('leader-changed');
  }

  private depose(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.log('warn', `ZooKeeper: deposed (${reason})`);
    if (this.leaderId === this.id) this.setLeader(null, null);
    this.emit('deposed');
  }
}
