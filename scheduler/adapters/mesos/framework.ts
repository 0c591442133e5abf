/**
 * MesosFramework: how Sisyphus behaves as a Mesos framework (shared/reference/mesos.md §1–§4),
 * on top of a `SchedulerConnection` (MesosClient in production, a fake in tests) and driven by a
 * `Clock` so every timer can be advanced by hand.
 *
 * - SUBSCRIBE with the stored framework id, failover_timeout of a week, checkpointing, the
 *   capabilities PARTITION_AWARE, TASK_KILLING_STATE, MULTI_ROLE, and `suppressed_roles` set from
 *   `hasWork()` (it replaces the master's suppressed set, so it is sent every time).
 * - SUBSCRIBED: the framework id is persisted first (nothing else happens if that fails), then the
 *   suppression state is made true (REVIVE if work waits), and every active task is reconciled
 *   explicitly, repeatedly with backoff until each has answered; then implicitly every ~15 min.
 * - OFFERS: converted to core values, handed to `onOffers`; launches become ACCEPTs, everything
 *   else is declined (long filter when idle, short when work waits); SUPPRESS when idle after.
 *   An ACCEPT that fails (not known to have reached the master): its offers are declined, then its
 *   tasks are reconciled explicitly, so a launch that never happened comes back as GONE/UNKNOWN
 *   (the worker's LOST) and one that did as its real state; nothing is ever sent twice. A DECLINE
 *   that fails is sent once more; if that fails too, re-subscribe (the master rescinds every offer
 *   it holds for us then; offers have no timeout by default). See acceptFailed / decline.
 * - UPDATE: `onUpdate` persists; only when it resolves, and only if the status has a uuid, is it
 *   ACKNOWLEDGEd. If it rejects, no ACK: the agent resends.
 * - ERROR "Framework has been removed": a loud fatal `error` and stop (configurable); any other
 *   ERROR, a 403 / "Framework cannot be found", or a dropped stream: re-subscribe with backoff and
 *   jitter (capped at 15 s).
 * - Watchdogs: no event for 5 heartbeat intervals → drop the stream and reconnect. Work waiting and
 *   no OFFERS for `offerStarvationMs` → REVIVE (token bucket), still nothing after a further
 *   period → re-subscribe. Both emit `watchdog`. An OFFERS event counts when it arrives, not when
 *   the worker has answered it (a slow worker is not starvation).
 *
 * Events are processed one at a time, in stream order; a run of consecutive UPDATEs is one step
 * that hands them to `onUpdate` together (so the port can persist them in one transaction; it must
 * persist in call order) and does not wait for them to be stored: each is ACKed only after its own
 * promise resolved, in stream order, while later events are already being handled.
 */
import type { Json } from '../../../proto';
import type { Offer } from '../../core/types';
import type { Clock } from '../../ports';
import type { ClientEventMap } from './client';
import { TypedEmitter } from './emitter';
import { toOffer, toTaskUpdate, type TaskUpdate } from './offers';

export type { TaskUpdate } from './offers';

/** What the framework needs from a transport. MesosClient implements it. */
export interface SchedulerConnection {
  on<K extends keyof ClientEventMap>(event: K, fn: (payload: ClientEventMap[K]) => void): () => void;
  subscribe(call: Json): Promise<{ streamId: string; master: string }>;
  call(call: Json): Promise<void>;
  disconnect(reason?: string): void;
  frameworkId: string | null;
}

export interface Launch {
  agentId: string;
  offerIds: string[];
  /** Mesos JSON TaskInfo objects (agent_id is filled in when missing). */
  taskInfos: Json[];
}

export interface Decision {
  launches: Launch[];
  declines: string[];
}

/** The scheduler's side, given to the framework (no Prisma here). */
export interface FrameworkPorts {
  loadFrameworkId(): Promise<string | null>;
  saveFrameworkId(id: string): Promise<void>;
  /** Non-terminal runs to reconcile after every SUBSCRIBED. */
  activeTasks(): Promise<Array<{ taskId: string; agentId: string | null }>>;
  onOffers(offers: Offer[]): Promise<Decision>;
  /** Persist the update. The framework ACKs only after this resolves (and only with a uuid). */
  onUpdate(status: TaskUpdate): Promise<void>;
  hasWork(): boolean;
}

export interface MesosFrameworkOptions {
  connection: SchedulerConnection;
  ports: FrameworkPorts;
  clock: Clock;
  user?: string;
  name?: string;
  /** Roles the framework subscribes with (default ["*"]). */
  roles?: string[];
  /** Subscribe with `roles` and MULTI_ROLE (default true); false uses the single legacy `role`. */
  multiRole?: boolean;
  hostname?: string;
  webuiUrl?: string;
  principal?: string;
  failoverTimeoutSeconds?: number;
  /** Refuse filter of declines when no work waits (default 300 s). */
  declineIdleSeconds?: number;
  /** Refuse filter of declines (and of unused ACCEPT resources) while work waits (default 2 s). */
  declineBusySeconds?: number;
  /** A failed DECLINE is sent once more after this long (default 1000 ms); see `decline`. */
  declineRetryMs?: number;
  /** At most one REVIVE per this many ms while work waits unsuppressed; leaving suppression is immediate (default 5000). */
  reviveMinIntervalMs?: number;
  /** Explicit reconciliation backoff: first retry and cap (default 5 s, 60 s). */
  reconcileInitialMs?: number;
  reconcileMaxMs?: number;
  /** Implicit reconciliation period (default 15 min). */
  implicitReconcileMs?: number;
  /** Heartbeat intervals of silence before reconnecting (default 5). */
  heartbeatMisses?: number;
  /** Used until SUBSCRIBED says otherwise (default 15 s). */
  defaultHeartbeatSeconds?: number;
  /** Reconnect backoff: first delay and cap, with jitter (default 500 ms, 15 s). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Work waiting and no OFFERS for this long → REVIVE (default 60 s). */
  offerStarvationMs?: number;
  /** After that REVIVE, still no OFFERS for this long → re-subscribe (default offerStarvationMs). */
  offerResubscribeMs?: number;
  /** Token bucket of watchdog REVIVEs: capacity and refill period of one token (default 3, 60 s). */
  watchdogReviveTokens?: number;
  watchdogReviveRefillMs?: number;
  /** On ERROR "Framework has been removed": stop loudly (default) or register as a new framework. */
  onFrameworkRemoved?: 'stop' | 'register-new';
  /** Jitter source (default Math.random). */
  random?: () => number;
}

export interface FrameworkCounters {
  offersReceived: number;
  offersDeclined: number;
  offersUsed: number;
  tasksLaunched: number;
  revives: number;
  suppresses: number;
  resubscribes: number;
  watchdogFirings: number;
  updates: number;
  acks: number;
  reconciles: number;
}

export interface FrameworkState {
  running: boolean;
  connected: boolean;
  frameworkId: string | null;
  streamId: string | null;
  master: string | null;
  lastEventAt: number | null;
  lastOfferAt: number | null;
  suppressed: boolean;
  /** Tasks asked about in the current explicit reconciliation that have not answered yet. */
  reconciling: number;
  counters: FrameworkCounters;
}

export interface FrameworkEventMap {
  subscribed: { frameworkId: string; streamId: string | null; master: string | null; resubscribed: boolean };
  disconnected: { reason: string };
  offers: { received: number; used: number; declined: number; tasks: number };
  update: TaskUpdate & { acknowledged: boolean };
  revive: { reason: 'work' | 'subscribe' | 'watchdog' };
  suppress: { reason: 'idle' | 'subscribe' };
  reconcile: { tasks: number; implicit: boolean };
  watchdog: { kind: 'heartbeat' | 'offers'; action: 'reconnect' | 'revive' | 'resubscribe'; silentMs: number };
  error: { message: string; fatal: boolean; cause?: unknown };
  resubscribe: { reason: string };
  failure: { agentId: string | null; executorId: string | null; status: number | null };
  rescind: { offerId: string };
  stopped: { reason: string };
}

export const FRAMEWORK_REMOVED = /framework has been removed|completed framework/i;

export class MesosFramework extends TypedEmitter<FrameworkEventMap> {
  private readonly conn: SchedulerConnection;
  private readonly ports: FrameworkPorts;
  private readonly clock: Clock;
  private readonly o: Required<Omit<MesosFrameworkOptions, 'connection' | 'ports' | 'clock' | 'hostname' | 'webuiUrl' | 'principal'>> &
    Pick<MesosFrameworkOptions, 'hostname' | 'webuiUrl' | 'principal'>;

  private running = false;
  private frameworkId: string | null = null;
  private connected = false; // SUBSCRIBED seen on the current stream
  private everSubscribed = false;
  private streamId: string | null = null;
  private master: string | null = null;
  private gen = 0;
  private subscribing = false;
  private chain: Promise<void> = Promise.resolve();
  /** ACKs of handed-over updates, in stream order (see onEvent). */
  private ackChain: Promise<void> = Promise.resolve();
  /** The UPDATE step still open for more UPDATEs (see onEvent). */
  private updateBatch: { gen: number; statuses: Json[] } | null = null;
  private lastEventAt: number | null = null;
  private lastOfferAt: number | null = null;
  private subscribedAt = 0;
  private suppressed = false;
  private heartbeatMs: number;
  private reconnectAttempt = 0;
  private lastReviveAt: number | null = null;
  private hungrySince: number | null = null;
  private starvationRevivedAt: number | null = null;
  private tokens: number;
  private tokensAt = 0;
  private pending = new Map<string, string | null>(); // explicit reconciliation still unanswered
  private reconcileRound = 0;
  private timers: Record<'reconnect' | 'heartbeat' | 'offers' | 'revive' | 'reconcile' | 'implicit', (() => void) | null> = {
    reconnect: null,
    heartbeat: null,
    offers: null,
    revive: null,
    reconcile: null,
    implicit: null,
  };
  /** Pending DECLINE retries (several may be under way; each checks its stream generation). */
  private declineRetries = new Set<() => void>();
  private offs: Array<() => void> = [];
  private readonly counters: FrameworkCounters = {
    offersReceived: 0,
    offersDeclined: 0,
    offersUsed: 0,
    tasksLaunched: 0,
    revives: 0,
    suppresses: 0,
    resubscribes: 0,
    watchdogFirings: 0,
    updates: 0,
    acks: 0,
    reconciles: 0,
  };

  constructor(options: MesosFrameworkOptions) {
    super();
    this.conn = options.connection;
    this.ports = options.ports;
    this.clock = options.clock;
    const starvation = options.offerStarvationMs ?? 60_000;
    this.o = {
      user: options.user ?? 'root',
      name: options.name ?? 'sisyphus',
      roles: options.roles && options.roles.length > 0 ? options.roles : ['*'],
      multiRole: options.multiRole ?? true,
      hostname: options.hostname,
      webuiUrl: options.webuiUrl,
      principal: options.principal,
      failoverTimeoutSeconds: options.failoverTimeoutSeconds ?? 604_800,
      declineIdleSeconds: options.declineIdleSeconds ?? 300,
      declineBusySeconds: options.declineBusySeconds ?? 2,
      declineRetryMs: options.declineRetryMs ?? 1000,
      reviveMinIntervalMs: options.reviveMinIntervalMs ?? 5000,
      reconcileInitialMs: options.reconcileInitialMs ?? 5000,
      reconcileMaxMs: options.reconcileMaxMs ?? 60_000,
      implicitReconcileMs: options.implicitReconcileMs ?? 15 * 60_000,
      heartbeatMisses: options.heartbeatMisses ?? 5,
      defaultHeartbeatSeconds: options.defaultHeartbeatSeconds ?? 15,
      reconnectInitialMs: options.reconnectInitialMs ?? 500,
      reconnectMaxMs: options.reconnectMaxMs ?? 15_000,
      offerStarvationMs: starvation,
      offerResubscribeMs: options.offerResubscribeMs ?? starvation,
      watchdogReviveTokens: options.watchdogReviveTokens ?? 3,
      watchdogReviveRefillMs: options.watchdogReviveRefillMs ?? starvation,
      onFrameworkRemoved: options.onFrameworkRemoved ?? 'stop',
      random: options.random ?? Math.random,
    };
    this.heartbeatMs = this.o.defaultHeartbeatSeconds * 1000;
    this.tokens = this.o.watchdogReviveTokens;
  }

  /* ------------------------------------ public API ------------------------------------------ */

  /** Loads the stored framework id and subscribes. Resolves once the first attempt is under way. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.tokensAt = this.clock.now();
    this.offs.push(
      this.conn.on('event', (ev) => this.onEvent(ev)),
      this.conn.on('disconnected', (d) => this.onDisconnected(d.reason, d.streamId)),
      this.conn.on('resubscribe', (r) => this.resubscribe(`${r.callType}: HTTP ${r.status} ${r.body}`.trim())),
      this.conn.on('leader', (l) => {
        if (!this.subscribing && this.master && l.master !== this.master) this.resubscribe(`leading master is now ${l.master}`);
      }),
      this.conn.on('error', (e) => this.emit('error', { message: e.message, fatal: false })),
    );
    this.frameworkId = await this.ports.loadFrameworkId();
    this.conn.frameworkId = this.frameworkId;
    this.armOfferWatchdog();
    void this.connect();
  }

  /** Stops every timer and drops the stream (the connection itself belongs to the caller). */
  stop(reason = 'stopped'): void {
    if (!this.running) return;
    this.running = false;
    this.connected = false;
    this.gen++;
    for (const k of Object.keys(this.timers) as Array<keyof typeof this.timers>) this.cancel(k);
    for (const cancel of this.declineRetries) cancel();
    this.declineRetries.clear();
    for (const off of this.offs) off();
    this.offs = [];
    this.streamId = null;
    this.conn.disconnect(reason);
    this.emit('stopped', { reason });
  }

  /** New work is queued: REVIVE (at once when suppressed, else at most once per reviveMinIntervalMs). */
  workArrived(): void {
    if (!this.running) return;
    if (this.hungrySince === null) this.hungrySince = this.clock.now();
    this.requestRevive();
  }

  /** The queue may have emptied: SUPPRESS when `hasWork()` is false. */
  workDrained(): void {
    if (!this.running || !this.connected) return;
    if (!this.ports.hasWork()) {
      this.cancel('revive');
      this.hungrySince = null;
      if (!this.suppressed) this.suppress('idle');
    }
  }

  /** KILL a task, with a grace period (KillPolicy) when given. */
  kill(taskId: string, agentId: string | null, gracePeriodMs?: number): Promise<void> {
    const kill: Json = { task_id: { value: taskId } };
    if (agentId) kill.agent_id = { value: agentId };
    if (gracePeriodMs !== undefined && gracePeriodMs >= 0) {
      kill.kill_policy = { grace_period: { nanoseconds: Math.round(gracePeriodMs * 1e6) } };
    }
    return this.conn.call({ type: 'KILL', kill });
  }

  /** RECONCILE these tasks explicitly; an empty list asks for implicit reconciliation. */
  reconcile(tasks: Array<{ taskId: string; agentId: string | null }>): Promise<void> {
    this.counters.reconciles++;
    this.emit('reconcile', { tasks: tasks.length, implicit: tasks.length === 0 });
    return this.conn.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: tasks.map((t) => (t.agentId ? { task_id: { value: t.taskId }, agent_id: { value: t.agentId } } : { task_id: { value: t.taskId } })),
      },
    });
  }

  state(): FrameworkState {
    return {
      running: this.running,
      connected: this.connected,
      frameworkId: this.frameworkId,
      streamId: this.streamId,
      master: this.master,
      lastEventAt: this.lastEventAt,
      lastOfferAt: this.lastOfferAt,
      suppressed: this.suppressed,
      reconciling: this.pending.size,
      counters: { ...this.counters },
    };
  }

  /** The SUBSCRIBE call that would be sent now (exposed for tests and the UI). */
  subscribeCall(): Json {
    const capabilities = [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }];
    if (this.o.multiRole) capabilities.push({ type: 'MULTI_ROLE' });
    const info: Json = {
      user: this.o.user,
      name: this.o.name,
      failover_timeout: this.o.failoverTimeoutSeconds,
      checkpoint: true,
      capabilities,
    };
    if (this.o.multiRole) info.roles = [...this.o.roles];
    else info.role = this.o.roles[0];
    if (this.frameworkId) info.id = { value: this.frameworkId };
    if (this.o.hostname) info.hostname = this.o.hostname;
    if (this.o.webuiUrl) info.webui_url = this.o.webuiUrl;
    if (this.o.principal) info.principal = this.o.principal;
    const call: Json = {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: info, suppressed_roles: this.ports.hasWork() ? [] : [...this.o.roles] },
    };
    if (this.frameworkId) call.framework_id = { value: this.frameworkId };
    return call;
  }

  /* ------------------------------------ connection ------------------------------------------ */

  private async connect(): Promise<void> {
    if (!this.running) return;
    this.cancel('reconnect');
    this.cancel('heartbeat');
    const gen = ++this.gen;
    this.connected = false;
    this.streamId = null;
    this.subscribing = true;
    const call = this.subscribeCall();
    const sentSuppressed = (call.subscribe.suppressed_roles as string[]).length > 0;
    try {
      const { streamId, master } = await this.conn.subscribe(call);
      if (gen !== this.gen) return;
      this.subscribing = false;
      this.streamId = streamId;
      this.master = master;
      this.suppressed = sentSuppressed;
      this.lastEventAt = this.clock.now();
      this.armHeartbeatWatchdog(gen);
    } catch (e) {
      if (gen !== this.gen) return;
      this.subscribing = false;
      const status = (e as { status?: number }).status;
      this.emit('disconnected', { reason: `SUBSCRIBE failed: ${(e as Error).message}` });
      if (status !== undefined && status >= 400 && status < 500 && status !== 404) {
        // 401 bad credentials, 400 invalid FrameworkInfo...: retried, but someone must look.
        this.emit('error', { message: `SUBSCRIBE refused: ${(e as Error).message}`, fatal: false, cause: e });
      }
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (!this.running || this.timers.reconnect) return;
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectInitialMs * 2 ** this.reconnectAttempt);
    const delay = Math.round(base * (0.5 + 0.5 * this.o.random()));
    this.reconnectAttempt++;
    this.timers.reconnect = this.clock.setTimer(delay, () => {
      this.timers.reconnect = null;
      void this.connect();
    });
  }

  /** Drop the stream and subscribe again (with backoff). */
  private resubscribe(reason: string): void {
    if (!this.running) return;
    this.counters.resubscribes++;
    this.emit('resubscribe', { reason });
    this.dropStream(reason);
    this.scheduleReconnect();
  }

  private dropStream(reason: string): void {
    const wasConnected = this.connected || this.streamId !== null;
    this.gen++; // events still queued from the old stream are ignored
    this.connected = false;
    this.streamId = null;
    this.subscribing = false;
    this.cancel('heartbeat');
    this.conn.disconnect(reason);
    if (wasConnected) this.emit('disconnected', { reason });
  }

  private onDisconnected(reason: string, streamId: string | null): void {
    if (!this.running || this.subscribing || streamId !== this.streamId || this.streamId === null) return;
    this.gen++;
    this.connected = false;
    this.streamId = null;
    this.cancel('heartbeat');
    this.emit('disconnected', { reason });
    this.scheduleReconnect();
  }

  /* -------------------------------------- events -------------------------------------------- */

  private onEvent(ev: Json): void {
    if (!this.running) return;
    this.lastEventAt = this.clock.now();
    const gen = this.gen;
    // The offer watchdog counts offers as they arrive: those queued behind a slow worker (the
    // chain below) are not starvation.
    if (ev.type === 'OFFERS') this.offersArrived();
    if (ev.type === 'UPDATE') {
      // Consecutive UPDATEs form one step: handed to the port together (it persists them in one
      // batch), each acknowledged once stored. Any other event closes the batch, so the order of
      // steps is still the stream's order.
      const open = this.updateBatch;
      if (open && open.gen === gen) {
        open.statuses.push(ev.update?.status ?? {});
        return;
      }
      const batch = { gen, statuses: [(ev.update?.status ?? {}) as Json] };
      this.updateBatch = batch;
      this.chain = this.chain.then(() => {
        if (this.updateBatch === batch) this.updateBatch = null; // later UPDATEs start a new step
        if (gen !== this.gen) return;
        // Handed over in stream order, then the next event is handled at once: the port queues
        // them before anything later (the worker persists in call order), and the ACKs follow
        // each persistence on their own chain, in order.
        const acks = this.onUpdates(batch.statuses);
        this.ackChain = this.ackChain
          .then(() => acks)
          .catch((e) => this.emit('error', { message: `handling UPDATE: ${(e as Error).message}`, fatal: false, cause: e }));
      });
      return;
    }
    this.updateBatch = null;
    this.chain = this.chain
      .then(() => (gen === this.gen ? this.handle(ev, gen) : undefined))
      .catch((e) => this.emit('error', { message: `handling ${ev.type}: ${(e as Error).message}`, fatal: false, cause: e }));
  }

  private async handle(ev: Json, gen: number): Promise<void> {
    switch (ev.type) {
      case 'SUBSCRIBED':
        return this.onSubscribed(ev.subscribed ?? {}, gen);
      case 'OFFERS':
        return this.onOffers((ev.offers?.offers ?? []) as Json[], gen);
      case 'UPDATE':
        return this.onUpdate(ev.update?.status ?? {}); // normally batched by onEvent
      case 'RESCIND':
        this.emit('rescind', { offerId: String(ev.rescind?.offer_id?.value) });
        return;
      case 'FAILURE':
        this.emit('failure', {
          agentId: ev.failure?.agent_id?.value ?? null,
          executorId: ev.failure?.executor_id?.value ?? null,
          status: typeof ev.failure?.status === 'number' ? ev.failure.status : null,
        });
        return;
      case 'ERROR':
        return this.onError(String(ev.error?.message ?? ''));
      default:
        return; // HEARTBEAT, MESSAGE, inverse offers: lastEventAt is all they change
    }
  }

  private async onSubscribed(sub: Json, gen: number): Promise<void> {
    const id = String(sub.framework_id?.value ?? '');
    if (!id) {
      this.emit('error', { message: 'SUBSCRIBED without a framework id', fatal: false });
      this.resubscribe('SUBSCRIBED without a framework id');
      return;
    }
    try {
      await this.ports.saveFrameworkId(id); // before anything acts on this subscription
    } catch (e) {
      if (gen !== this.gen) return;
      this.emit('error', { message: `cannot persist framework id ${id}: ${(e as Error).message}`, fatal: false, cause: e });
      this.dropStream('framework id not persisted');
      this.scheduleReconnect();
      return;
    }
    if (gen !== this.gen) return;
    this.frameworkId = id;
    this.conn.frameworkId = id;
    this.connected = true;
    this.reconnectAttempt = 0;
    this.subscribedAt = this.clock.now();
    this.hungrySince = null;
    this.starvationRevivedAt = null;
    const hb = Number(sub.heartbeat_interval_seconds);
    this.heartbeatMs = Number.isFinite(hb) && hb > 0 ? hb * 1000 : this.o.defaultHeartbeatSeconds * 1000;
    this.armHeartbeatWatchdog(gen);
    const resubscribed = this.everSubscribed;
    this.everSubscribed = true;
    this.emit('subscribed', { frameworkId: id, streamId: this.streamId, master: this.master, resubscribed });
    // Offers held before are void; suppression was sent in SUBSCRIBE; REVIVE clears old filters.
    if (this.ports.hasWork()) this.revive('subscribe');
    else if (!this.suppressed) this.suppress('subscribe');
    void this.startReconciliation(gen);
  }

  private offersArrived(): void {
    this.lastOfferAt = this.clock.now();
    this.hungrySince = null;
    this.starvationRevivedAt = null;
  }

  private async onOffers(list: Json[], gen: number): Promise<void> {
    const offers = list.map(toOffer);
    this.counters.offersReceived += offers.length;
    if (offers.length === 0) return;
    let decision: Decision;
    try {
      decision = await this.ports.onOffers(offers);
    } catch (e) {
      this.emit('error', { message: `offer handling failed: ${(e as Error).message}`, fatal: false, cause: e });
      decision = { launches: [], declines: offers.map((o) => o.id) };
    }
    if (gen !== this.gen) return; // re-subscribed meanwhile: these offers are gone
    const known = new Set(offers.map((o) => o.id));
    const answered = new Set<string>();
    const busy = this.ports.hasWork();
    const refuse = busy ? this.o.declineBusySeconds : this.o.declineIdleSeconds;
    let used = 0;
    let tasks = 0;
    for (const l of decision.launches) {
      const ids = l.offerIds.filter((id) => known.has(id) && !answered.has(id));
      if (ids.length === 0 || l.taskInfos.length === 0) continue;
      for (const id of ids) answered.add(id);
      used += ids.length;
      tasks += l.taskInfos.length;
      const taskInfos = l.taskInfos.map((t) => (t.agent_id ? t : { ...t, agent_id: { value: l.agentId } }));
      const launched = taskInfos.map((t) => ({ taskId: String(t.task_id?.value ?? ''), agentId: String(t.agent_id?.value ?? l.agentId) }));
      this.send(
        {
          type: 'ACCEPT',
          accept: {
            offer_ids: ids.map((value) => ({ value })),
            operations: [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }],
            filters: { refuse_seconds: refuse },
          },
        },
        () => this.acceptFailed(gen, ids, launched.filter((t) => t.taskId !== '')),
      );
    }
    const declines = offers.map((o) => o.id).filter((id) => !answered.has(id)); // every offer gets an answer
    if (declines.length > 0) this.decline(gen, declines, refuse);
    this.counters.offersUsed += used;
    this.counters.offersDeclined += declines.length;
    this.counters.tasksLaunched += tasks;
    this.emit('offers', { received: offers.length, used, declined: declines.length, tasks });
    if (!this.ports.hasWork() && !this.suppressed) this.suppress('idle');
  }

  /**
   * An ACCEPT that failed (HTTP error, no answer before the call deadline, socket gone) is not
   * known to have reached the master: its runs are STAGING in the store, with or without a task
   * on Mesos. It is never sent again (a second launch of the same task ids). Instead:
   *
   * 1. DECLINE its offers. If the ACCEPT was processed they are already used and the DECLINE is
   *    a no-op (the master ignores unknown offer ids); if not, the resources go back at once. And
   *    once the master has taken the DECLINE, a late copy of the ACCEPT can only fail (invalid
   *    offers → TASK_DROPPED), so the answer to step 2 is final.
   * 2. RECONCILE its tasks explicitly, with their agent ids: a task Mesos knows (even one still
   *    pending authorization, as STAGING) answers with its real state; one it does not answers
   *    TASK_GONE (agent registered) or TASK_UNKNOWN (no such agent), or TASK_LOST without
   *    PARTITION_AWARE. The worker settles those as LOST and retries per its rules, under new task
   *    ids. The tasks stay in the explicit reconciliation set, asked again with backoff until
   *    each has answered (any update of theirs, the agent's own included, counts).
   *
   * If the stream changed meanwhile nothing is done on it: the master rescinded its offers when
   * the stream went, and the next SUBSCRIBED reconciles every active task, these included. If the
   * DECLINE fails twice we re-subscribe (see `decline`), with the same outcome.
   */
  private acceptFailed(gen: number, offerIds: string[], tasks: Array<{ taskId: string; agentId: string }>): void {
    if (gen !== this.gen || !this.running) return;
    for (const t of tasks) this.pending.set(t.taskId, t.agentId);
    this.decline(gen, offerIds, this.o.declineBusySeconds, () => {
      if (gen !== this.gen || !this.connected || this.pending.size === 0) return;
      this.reconcileRound = 0; // ask at once, then with the usual backoff
      this.reconcilePending(gen);
    });
  }

  /**
   * DECLINE offers. A failed DECLINE leaves them outstanding at the master, holding the agents'
   * resources from every framework, ours included, and Mesos never expires an offer unless the
   * operator set --offer_timeout (unset by default), so waiting is no remedy. Declining twice is
   * harmless (the master ignores offer ids that are no longer valid), so it is sent once more
   * after `declineRetryMs` on the same stream. If that fails as well the master is in trouble
   * (the client has already retried each for the whole call deadline): re-subscribe, which makes
   * the master rescind every offer it holds for us. A failure because the stream is gone needs
   * nothing: the master rescinds offers when a framework disconnects or re-subscribes.
   * `accepted` runs only once the master has taken the DECLINE (202), first try or second.
   */
  private decline(gen: number, offerIds: string[], refuse: number, accepted?: () => void, retry = false): void {
    const call: Json = { type: 'DECLINE', decline: { offer_ids: offerIds.map((value) => ({ value })), filters: { refuse_seconds: refuse } } };
    this.send(
      call,
      () => {
        if (gen !== this.gen || !this.running) return;
        if (retry) {
          this.resubscribe(`DECLINE of ${offerIds.length} offer(s) failed twice; re-subscribing so the master rescinds them`);
          return;
        }
        const cancel = this.clock.setTimer(this.o.declineRetryMs, () => {
          this.declineRetries.delete(cancel);
          if (gen === this.gen && this.running) this.decline(gen, offerIds, refuse, accepted, true);
        });
        this.declineRetries.add(cancel);
      },
      accepted,
    );
  }

  /** A run of consecutive UPDATEs: all handed over at once, then each ACKed in order once stored. */
  private async onUpdates(raws: Json[]): Promise<void> {
    const handed = raws.map((raw) => {
      let status: TaskUpdate;
      try {
        status = toTaskUpdate(raw);
      } catch (e) {
        return { status: null, stored: Promise.resolve(e as Error) };
      }
      this.counters.updates++;
      const stored = this.ports.onUpdate(status).then(
        () => null,
        (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
      );
      return { status, stored };
    });
    for (const { status, stored } of handed) {
      const failure = await stored;
      if (!status) {
        this.emit('error', { message: `handling UPDATE: ${failure?.message}`, fatal: false, cause: failure });
        continue;
      }
      this.afterUpdate(status, failure);
    }
  }

  private async onUpdate(raw: Json): Promise<void> {
    const status = toTaskUpdate(raw);
    this.counters.updates++;
    let failure: Error | null = null;
    try {
      await this.ports.onUpdate(status);
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
    }
    this.afterUpdate(status, failure);
  }

  /** ACK a stored update (only with a uuid); a failed one is not ACKed: the agent resends it. */
  private afterUpdate(status: TaskUpdate, failure: Error | null): void {
    if (failure) {
      this.emit('error', { message: `update of ${status.taskId} not persisted (not acknowledged): ${failure.message}`, fatal: false, cause: failure });
      this.emit('update', { ...status, acknowledged: false });
      return;
    }
    if (this.pending.delete(status.taskId) && this.pending.size === 0) this.reconciliationDone();
    let acknowledged = false;
    if (status.uuid) {
      if (status.agentId) {
        acknowledged = true;
        this.counters.acks++;
        this.send({
          type: 'ACKNOWLEDGE',
          acknowledge: { agent_id: { value: status.agentId }, task_id: { value: status.taskId }, uuid: status.uuid },
        });
      } else {
        this.emit('error', { message: `update of ${status.taskId} has a uuid but no agent id; cannot acknowledge`, fatal: false });
      }
    }
    this.emit('update', { ...status, acknowledged });
  }

  private onError(message: string): void {
    if (FRAMEWORK_REMOVED.test(message)) {
      if (this.o.onFrameworkRemoved === 'register-new') {
        this.emit('error', { message: `Mesos removed framework ${this.frameworkId}: ${message}; registering a new framework`, fatal: false });
        this.frameworkId = null;
        this.conn.frameworkId = null;
        this.resubscribe(message);
        return;
      }
      this.emit('error', {
        message: `Mesos removed framework ${this.frameworkId} (${message}). Sisyphus stops instead of registering a new framework; its tasks are gone. Clear the stored framework id to start afresh.`,
        fatal: true,
      });
      this.stop('framework removed');
      return;
    }
    this.emit('error', { message: `Mesos ERROR event: ${message}`, fatal: false });
    this.resubscribe(`ERROR: ${message}`);
  }

  /* ----------------------------------- revive / suppress ------------------------------------ */

  private requestRevive(): void {
    if (!this.connected) return; // the next SUBSCRIBE carries the state and REVIVEs
    const now = this.clock.now();
    const since = this.lastReviveAt === null ? Infinity : now - this.lastReviveAt;
    // The limit spaces REVIVEs while hungry; leaving suppression (work after an idle spell) is
    // never delayed, or a steady trickle of jobs would wait up to the interval each time.
    if (this.suppressed || since >= this.o.reviveMinIntervalMs) {
      this.cancel('revive');
      this.revive('work');
      return;
    }
    if (this.timers.revive) return; // one deferred REVIVE covers every arrival until then
    this.timers.revive = this.clock.setTimer(this.o.reviveMinIntervalMs - since, () => {
      this.timers.revive = null;
      if (this.connected && this.ports.hasWork()) this.revive('work');
    });
  }

  private revive(reason: 'work' | 'subscribe' | 'watchdog'): void {
    this.lastReviveAt = this.clock.now();
    this.suppressed = false;
    this.counters.revives++;
    const gen = this.gen;
    this.send({ type: 'REVIVE', revive: { roles: [...this.o.roles] } }, () => this.reviveFailed(gen));
    this.emit('revive', { reason });
  }

  /**
   * A REVIVE the master did not accept (HTTP error, no answer in time): the roles may still be
   * suppressed or filtered there. Counting them as revived would leave queued work without offers
   * until the offer watchdog, since later arrivals are only rate-limited REVIVEs or none at all.
   * So: suppressed again (the next arrival REVIVEs at once), and while work waits, REVIVE again
   * after the minimum interval. On another stream the next SUBSCRIBE carries the state instead.
   */
  private reviveFailed(gen: number): void {
    if (gen !== this.gen || !this.connected || !this.running) return;
    this.suppressed = true;
    if (!this.ports.hasWork() || this.timers.revive) return;
    this.timers.revive = this.clock.setTimer(this.o.reviveMinIntervalMs, () => {
      this.timers.revive = null;
      if (this.connected && this.ports.hasWork()) this.revive('work');
    });
  }

  private suppress(reason: 'idle' | 'subscribe'): void {
    this.suppressed = true;
    this.counters.suppresses++;
    this.send({ type: 'SUPPRESS', suppress: { roles: [...this.o.roles] } });
    this.emit('suppress', { reason });
  }

  /* ------------------------------------ reconciliation --------------------------------------- */

  private async startReconciliation(gen: number): Promise<void> {
    this.cancel('reconcile');
    this.cancel('implicit');
    let tasks: Array<{ taskId: string; agentId: string | null }>;
    try {
      tasks = await this.ports.activeTasks();
    } catch (e) {
      if (gen !== this.gen) return;
      this.emit('error', { message: `cannot list active tasks to reconcile: ${(e as Error).message}`, fatal: false, cause: e });
      this.timers.reconcile = this.clock.setTimer(this.o.reconcileInitialMs, () => {
        this.timers.reconcile = null;
        void this.startReconciliation(gen);
      });
      return;
    }
    if (gen !== this.gen) return;
    this.pending = new Map(tasks.map((t) => [t.taskId, t.agentId]));
    this.reconcileRound = 0;
    if (this.pending.size === 0) {
      this.reconciliationDone();
      return;
    }
    this.reconcilePending(gen);
  }

  private reconcilePending(gen: number): void {
    if (gen !== this.gen || !this.connected || this.pending.size === 0) return;
    const tasks = [...this.pending].map(([taskId, agentId]) => ({ taskId, agentId }));
    this.reconcile(tasks).catch(() => {});
    const delay = Math.min(this.o.reconcileMaxMs, this.o.reconcileInitialMs * 2 ** this.reconcileRound++);
    this.cancel('reconcile');
    this.timers.reconcile = this.clock.setTimer(delay, () => {
      this.timers.reconcile = null;
      this.reconcilePending(gen);
    });
  }

  private reconciliationDone(): void {
    this.cancel('reconcile');
    this.cancel('implicit');
    const gen = this.gen;
    const tick = () => {
      this.timers.implicit = null;
      if (gen !== this.gen || !this.connected) return;
      this.reconcile([]).catch(() => {});
      this.timers.implicit = this.clock.setTimer(this.o.implicitReconcileMs, tick);
    };
    this.timers.implicit = this.clock.setTimer(this.o.implicitReconcileMs, tick);
  }

  /* --------------------------------------- watchdogs ----------------------------------------- */

  private armHeartbeatWatchdog(gen: number): void {
    this.cancel('heartbeat');
    const check = () => {
      this.timers.heartbeat = null;
      if (gen !== this.gen || !this.running) return;
      const silent = this.clock.now() - (this.lastEventAt ?? 0);
      const limit = this.o.heartbeatMisses * this.heartbeatMs;
      if (silent >= limit) {
        this.counters.watchdogFirings++;
        this.emit('watchdog', { kind: 'heartbeat', action: 'reconnect', silentMs: silent });
        this.dropStream(`no event for ${silent} ms (${this.o.heartbeatMisses} heartbeat intervals)`);
        this.scheduleReconnect();
        return;
      }
      this.timers.heartbeat = this.clock.setTimer(Math.min(this.heartbeatMs, limit - silent), check);
    };
    this.timers.heartbeat = this.clock.setTimer(this.heartbeatMs, check);
  }

  private armOfferWatchdog(): void {
    const every = Math.max(100, Math.min(5000, Math.floor(this.o.offerStarvationMs / 4)));
    const check = () => {
      this.timers.offers = null;
      if (!this.running) return;
      this.checkOffers();
      this.timers.offers = this.clock.setTimer(every, check);
    };
    this.timers.offers = this.clock.setTimer(every, check);
  }

  private checkOffers(): void {
    const now = this.clock.now();
    if (!this.connected || !this.ports.hasWork()) {
      this.hungrySince = null;
      this.starvationRevivedAt = null;
      return;
    }
    if (this.hungrySince === null) this.hungrySince = now;
    const since = Math.max(this.hungrySince, this.lastOfferAt ?? 0, this.subscribedAt);
    const hungryMs = now - since;
    if (hungryMs < this.o.offerStarvationMs) return;
    if (this.starvationRevivedAt === null) {
      if (!this.takeToken(now)) return;
      this.starvationRevivedAt = now;
      this.counters.watchdogFirings++;
      this.emit('watchdog', { kind: 'offers', action: 'revive', silentMs: hungryMs });
      this.revive('watchdog');
      return;
    }
    if (now - this.starvationRevivedAt >= this.o.offerResubscribeMs) {
      this.counters.watchdogFirings++;
      this.emit('watchdog', { kind: 'offers', action: 'resubscribe', silentMs: hungryMs });
      this.starvationRevivedAt = null;
      this.hungrySince = null;
      this.resubscribe(`no offers for ${hungryMs} ms while work waits`);
    }
  }

  private takeToken(now: number): boolean {
    const refill = Math.floor((now - this.tokensAt) / this.o.watchdogReviveRefillMs);
    if (refill > 0) {
      this.tokens = Math.min(this.o.watchdogReviveTokens, this.tokens + refill);
      this.tokensAt += refill * this.o.watchdogReviveRefillMs;
    }
    if (this.tokens <= 0) return false;
    this.tokens--;
    return true;
  }

  /* ---------------------------------------- helpers ------------------------------------------ */

  private send(call: Json, onFailure?: () => void, onSuccess?: () => void): void {
    this.conn.call(call).then(onSuccess, (e: Error) => {
      onFailure?.();
      // Resubscribe/4xx errors are already reported by the connection; a call lost while
      // disconnected is repaired by reconciliation and by the next SUBSCRIBE.
      if (e.name === 'NotSubscribedError' || e.name === 'MesosHttpError') return;
      this.emit('error', { message: `${call.type} failed: ${e.message}`, fatal: false, cause: e });
    });
  }

  private cancel(k: keyof typeof this.timers): void {
    const t = this.timers[k];
    if (t) t();
    this.timers[k] = null;
  }
}
