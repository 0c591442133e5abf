/**
 * The ZooKeeper `LeaderElector` with its client in a worker thread (elector-thread.ts runs the
 * ZkElector there): same port, same events, same election as ZkElector, but the session's pings,
 * the watches and the pause detector no longer wait for the main thread. Before, the leader's main
 * thread busy for longer than the session timeout (launching 10,000 runs took 4–5 s) lost its
 * session or tripped its own pause detector: a false election, which ruled out a short session.
 *
 * The main thread keeps a copy of what the thread last said (`isLeader`, `leader`, `members`,
 * `epoch`) and raises the events in the order the thread raised them. Safety is unchanged:
 * - the thread steps down as ZkElector always did (session expired, disconnected past the grace,
 *   the whole process frozen — SIGSTOP stops both threads and the thread's pause detector sees
 *   it on waking); the main thread hears it at its next turn;
 * - a main thread that is still busy when that happens finishes its current step as leader, which
 *   is what the epoch fencing in PostgreSQL is for: once a newer leader raised the epoch, every
 *   write of this one is refused, and runs are launched only after their write commits;
 * - `restartSession` (fenced by a newer leader) deposes this side at once, then the thread; events
 *   the thread sent before it carried out the restart are ignored.
 * If the thread dies, the instance is deposed and a new thread (a new session) is started.
 */
import { Worker } from 'node:worker_threads';
import type { LeaderElector } from '../../ports';
import type { ZkElectorOptions } from './elector';
import { ElectorState } from './elector-state';
import type { ThreadEntry } from './thread-entry';
import type { FromThread, ThreadOptions, ToThread } from './thread-messages';

export class ThreadedElector extends ElectorState implements LeaderElector {
  readonly id: string;
  private readonly options: ThreadOptions;
  private readonly respawnDelayMs: number;
  private worker: Worker | null = null;
  private running = false;
  /** Restarts asked of the thread; its events from before the latest are stale. */
  private seq = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: number | undefined) => void; reject: (e: Error) => void }>();
  private respawnTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly entry: ThreadEntry,
    opts: ZkElectorOptions,
  ) {
    super(opts.log ?? (() => {}));
    this.id = opts.id;
    // the thread's own ZkElector reports views through its events: only plain values cross over
    this.options = { servers: opts.servers, path: opts.path, id: opts.id, sessionTimeoutMs: opts.sessionTimeoutMs, disconnectGraceMs: opts.disconnectGraceMs, retryDelayMs: opts.retryDelayMs };
    this.respawnDelayMs = opts.retryDelayMs ?? 1_000;
  }

  /** Starts the thread (which opens the first session); resolves at once, as ZkElector does. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.spawn();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    this.depose();
    this.setLeader(null, [...this.memberIds]);
    const w = this.worker;
    if (!w) return;
    // the thread closes its session (the candidate node goes at once) and ends; cut off after 5 s
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ t: 'stop', id: this.nextId++ } satisfies ToThread);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)))]);
    clearTimeout(timer);
    this.worker = null;
    await w.terminate();
  }

  async advanceEpoch(min: number): Promise<number> {
    if (!this.leading) throw new Error('not leader');
    const value = await this.ask({ t: 'advance', id: this.nextId++, min });
    this.currentEpoch = value!;
    return value!;
  }

  /** Fenced, tests, operators: step down now, and have the thread open a new session. */
  restartSession(reason = 'session restarted'): void {
    if (!this.running) return;
    this.seq++;
    this.depose();
    if (this.leaderId === this.id) this.setLeader(null, this.memberIds);
    this.worker?.postMessage({ t: 'restart', seq: this.seq, reason } satisfies ToThread);
  }

  /** Resolves once every message the thread sent before this call has been handled. */
  async sync(): Promise<void> {
    if (this.worker) await this.ask({ t: 'sync', id: this.nextId++ });
  }

  /* ------------------------------------------------------------------ the thread */

  private spawn(): void {
    const w = new Worker(this.entry.code, { eval: this.entry.evaluate, workerData: this.options, execArgv: this.entry.execArgv, name: 'zookeeper' });
    this.worker = w;
    this.seq = 0;
    w.on('message', (m: FromThread) => {
      if (this.worker === w) this.receive(m);
    });
    w.on('error', (e) => this.log('error', `ZooKeeper thread failed: ${e.message}`));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error('ZooKeeper thread exited'));
      this.pending.clear();
      if (!this.running) return;
      this.log('error', `ZooKeeper thread exited (code ${code}); deposed, starting a new one in ${this.respawnDelayMs} ms`);
      this.depose();
      this.setLeader(null, []);
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = null;
        if (this.running) this.spawn();
      }, this.respawnDelayMs);
    });
  }

  private ask(m: ToThread & { id: number }): Promise<number | undefined> {
    const w = this.worker;
    if (!w) return Promise.reject(new Error('ZooKeeper thread not running'));
    return new Promise((resolve, reject) => {
      this.pending.set(m.id, { resolve, reject });
      w.postMessage(m);
    });
  }

  private receive(m: FromThread): void {
    if (m.t === 'log') return this.log(m.level, m.message);
    if (m.t === 'reply') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.value);
      return;
    }
    if (m.seq !== this.seq || !this.running) return; // sent before a restart the thread had not seen yet
    this.currentEpoch = m.state.epoch;
    this.setLeader(m.state.leader, m.state.members);
    if (m.event === 'deposed') this.depose();
    else if (m.event === 'elected' && !this.leading) {
      this.leading = true;
      this.emit('elected');
    }
  }

  private setLeader(id: string | null, members: string[]): void {
    const changed = id !== this.leaderId;
    this.leaderId = id;
    this.memberIds = members;
    if (changed) this.emit('leader-changed');
  }

  private depose(): void {
    if (!this.leading) return;
    this.leading = false;
    this.emit('deposed');
  }
}
