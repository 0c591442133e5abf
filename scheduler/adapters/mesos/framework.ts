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
 * This file is the protocol state machine (connection, SUBSCRIBED, events, updates, ERROR). Its
 * parts, wired in the constructor and sharing a FrameworkSession (framework-session.ts):
 * offer-answers.ts (ACCEPT / DECLINE), revive-suppress.ts, reconciliation.ts, watchdogs.ts. The
 * worker ↔ framework contract (FrameworkPorts, OfferDecision, TaskUpdate) is scheduler/ports.ts.
 *
 * Events are processed one at a time, in stream order; a run of consecutive UPDATEs is one step
 * that hands them to `onUpdate` together (so the port can persist them in one transaction; it must
 * persist in call order) and does not wait for them to be stored: each is ACKed only after its own
 * promise resolved, in stream order, while later events are already being handled.
 */
import type { Json } from '../../../proto';
import type { FrameworkDriver, TaskUpdate } from '../../ports';
import { TypedEmitter } from './emitter';
import { toTaskUpdate } from './offers';
import { FRAMEWORK_REMOVED, type FrameworkEventMap, type FrameworkState } from './framework-types';
import { resolveFrameworkOptions, type MesosFrameworkOptions } from './framework-options';
import { FrameworkSession, type Reconnect } from './framework-session';
import { Reconciler } from './reconciliation';
import { Revivals } from './revive-suppress';
import { OfferAnswers } from './offer-answers';
import { Watchdogs } from './watchdogs';

export { FRAMEWORK_REMOVED } from './framework-types';
export type { SchedulerConnection, FrameworkCounters, FrameworkState, FrameworkEventMap } from './framework-types';
export type { MesosFrameworkOptions } from './framework-options';

export class MesosFramework extends TypedEmitter<FrameworkEventMap> implements FrameworkDriver {
  private readonly session: FrameworkSession;
  private readonly reconciler: Reconciler;
  private readonly revivals: Revivals;
  private readonly offerAnswers: OfferAnswers;
  private readonly watchdogs: Watchdogs;

  private frameworkId: string | null = null;
  private everSubscribed = false;
  private streamId: string | null = null;
  private master: string | null = null;
  private subscribing = false;
  private chain: Promise<void> = Promise.resolve();
  /** ACKs of handed-over updates, in stream order (see onEvent). */
  private ackChain: Promise<void> = Promise.resolve();
  /** The UPDATE step still open for more UPDATEs (see onEvent). */
  private updateBatch: { gen: number; statuses: Json[] } | null = null;
  private reconnectAttempt = 0;
  private offs: Array<() => void> = [];

  constructor(options: MesosFrameworkOptions) {
    super();
    const session = new FrameworkSession(options.connection, options.ports, options.clock, resolveFrameworkOptions(options), (event, payload) => this.emit(event, payload));
    const reconnect: Reconnect = {
      resubscribe: (reason) => this.resubscribe(reason),
      dropStream: (reason) => this.dropStream(reason),
      scheduleReconnect: () => this.scheduleReconnect(),
    };
    this.session = session;
    this.reconciler = new Reconciler(session);
    this.revivals = new Revivals(session);
    this.offerAnswers = new OfferAnswers(session, this.reconciler, this.revivals, reconnect);
    this.watchdogs = new Watchdogs(session, this.revivals, reconnect);
  }

  /* ------------------------------------ public API ------------------------------------------ */

  /** Loads the stored framework id and subscribes. Resolves once the first attempt is under way. */
  async start(): Promise<void> {
    if (this.session.running) return;
    this.session.running = true;
    this.watchdogs.started(this.session.clock.now());
    this.offs.push(
      this.session.conn.on('event', (ev) => this.onEvent(ev)),
      this.session.conn.on('disconnected', (d) => this.onDisconnected(d.reason, d.streamId)),
      this.session.conn.on('resubscribe', (r) => this.resubscribe(`${r.callType}: HTTP ${r.status} ${r.body}`.trim())),
      this.session.conn.on('leader', (l) => {
        if (!this.subscribing && this.master && l.master !== this.master) this.resubscribe(`leading master is now ${l.master}`);
      }),
      this.session.conn.on('error', (e) => this.emit('error', { message: e.message, fatal: false })),
    );
    this.frameworkId = await this.session.ports.loadFrameworkId();
    this.session.conn.frameworkId = this.frameworkId;
    this.watchdogs.armOfferWatchdog();
    void this.connect();
  }

  /** Stops every timer and drops the stream (the connection itself belongs to the caller). */
  stop(reason = 'stopped'): void {
    if (!this.session.running) return;
    this.session.running = false;
    this.session.connected = false;
    this.session.gen++;
    for (const k of Object.keys(this.session.timers) as Array<keyof typeof this.session.timers>) this.session.cancel(k);
    this.offerAnswers.stop();
    for (const off of this.offs) off();
    this.offs = [];
    this.streamId = null;
    this.session.conn.disconnect(reason);
    this.emit('stopped', { reason });
  }

  /** New work is queued: REVIVE (at once when suppressed, else at most once per reviveMinIntervalMs). */
  workArrived(): void {
    if (!this.session.running) return;
    this.watchdogs.workArrived();
    // offers kept for this work (OfferDecision.hold) are offered to the worker again at once, in
    // stream order with the events; the REVIVE still goes (rate-limited) for the rest of the cluster
    const gen = this.session.gen;
    const held = this.offerAnswers.takeHeld(gen);
    if (held.length > 0) {
      this.updateBatch = null; // as any event: later UPDATEs are handed over after these offers
      this.chain = this.chain
        .then(() => (gen === this.session.gen ? this.offerAnswers.onOffers(held, gen, true) : undefined))
        .catch((e) => this.emit('error', { message: `handling held offers: ${(e as Error).message}`, fatal: false, cause: e }));
    }
    this.revivals.requestRevive();
  }

  /** The queue may have emptied: SUPPRESS when `hasWork()` is false. */
  workDrained(): void {
    if (!this.session.running || !this.session.connected) return;
    if (!this.session.ports.hasWork()) {
      this.session.cancel('revive');
      this.watchdogs.workDrained();
      if (!this.session.suppressed) this.revivals.suppress('idle');
    }
  }

  /** KILL a task, with a grace period (KillPolicy) when given. */
  kill(taskId: string, agentId: string | null, gracePeriodMs?: number): Promise<void> {
    const kill: Json = { task_id: { value: taskId } };
    if (agentId) kill.agent_id = { value: agentId };
    if (gracePeriodMs !== undefined && gracePeriodMs >= 0) {
      kill.kill_policy = { grace_period: { nanoseconds: Math.round(gracePeriodMs * 1e6) } };
    }
    return this.session.conn.call({ type: 'KILL', kill });
  }


  /** RECONCILE these tasks explicitly; an empty list asks for implicit reconciliation. */
  reconcile(tasks: Array<{ taskId: string; agentId: string | null }>): Promise<void> {
    return this.reconciler.reconcile(tasks);
  }

  state(): FrameworkState {
    return {
      running: this.session.running,
      connected: this.session.connected,
      frameworkId: this.frameworkId,
      streamId: this.streamId,
      master: this.master,
      lastEventAt: this.session.lastEventAt,
      lastOfferAt: this.session.lastOfferAt,
      suppressed: this.session.suppressed,
      reconciling: this.reconciler.outstanding,
      counters: { ...this.session.counters },
    };
  }

  /** The SUBSCRIBE call that would be sent now (exposed for tests and the UI). */
  subscribeCall(): Json {
    const capabilities = [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }];
    if (this.session.o.multiRole) capabilities.push({ type: 'MULTI_ROLE' });
    const info: Json = {
      user: this.session.o.user,
      name: this.session.o.name,
      failover_timeout: this.session.o.failoverTimeoutSeconds,
      checkpoint: true,
      capabilities,
    };
    if (this.session.o.multiRole) info.roles = [...this.session.o.roles];
    else info.role = this.session.o.roles[0];
    if (this.frameworkId) info.id = { value: this.frameworkId };
    if (this.session.o.hostname) info.hostname = this.session.o.hostname;
    if (this.session.o.webuiUrl) info.webui_url = this.session.o.webuiUrl;
    if (this.session.o.principal) info.principal = this.session.o.principal;
    const call: Json = {
      type: 'SUBSCRIBE',
      subscribe: { framework_info: info, suppressed_roles: this.session.ports.hasWork() ? [] : [...this.session.o.roles] },
    };
    if (this.frameworkId) call.framework_id = { value: this.frameworkId };
    return call;
  }

  /* ------------------------------------ connection ------------------------------------------ */

  private async connect(): Promise<void> {
    if (!this.session.running) return;
    this.session.cancel('reconnect');
    this.session.cancel('heartbeat');
    const gen = ++this.session.gen;
    this.session.connected = false;
    this.streamId = null;
    this.subscribing = true;
    const call = this.subscribeCall();
    const sentSuppressed = (call.subscribe.suppressed_roles as string[]).length > 0;
    try {
      const { streamId, master } = await this.session.conn.subscribe(call);
      if (gen !== this.session.gen) return;
      this.subscribing = false;
      this.streamId = streamId;
      this.master = master;
      this.session.suppressed = sentSuppressed;
      this.session.lastEventAt = this.session.clock.now();
      this.watchdogs.armHeartbeatWatchdog(gen);
    } catch (e) {
      if (gen !== this.session.gen) return;
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
    if (!this.session.running || this.session.timers.reconnect) return;
    const base = Math.min(this.session.o.reconnectMaxMs, this.session.o.reconnectInitialMs * 2 ** this.reconnectAttempt);
    const delay = Math.round(base * (0.5 + 0.5 * this.session.o.random()));
    this.reconnectAttempt++;
    this.session.timers.reconnect = this.session.clock.setTimer(delay, () => {
      this.session.timers.reconnect = null;
      void this.connect();
    });
  }

  /** Drop the stream and subscribe again (with backoff). */
  private resubscribe(reason: string): void {
    if (!this.session.running) return;
    this.session.counters.resubscribes++;
    this.emit('resubscribe', { reason });
    this.dropStream(reason);
    this.scheduleReconnect();
  }

  private dropStream(reason: string): void {
    const wasConnected = this.session.connected || this.streamId !== null;
    this.session.gen++; // events still queued from the old stream are ignored
    this.session.connected = false;
    this.streamId = null;
    this.subscribing = false;
    this.session.cancel('heartbeat');
    this.session.conn.disconnect(reason);
    if (wasConnected) this.emit('disconnected', { reason });
  }

  private onDisconnected(reason: string, streamId: string | null): void {
    if (!this.session.running || this.subscribing || streamId !== this.streamId || this.streamId === null) return;
    this.session.gen++;
    this.session.connected = false;
    this.streamId = null;
    this.session.cancel('heartbeat');
    this.emit('disconnected', { reason });
    this.scheduleReconnect();
  }

  /* -------------------------------------- events -------------------------------------------- */

  private onEvent(ev: Json): void {
    if (!this.session.running) return;
    this.session.lastEventAt = this.session.clock.now();
    const gen = this.session.gen;
    // The offer watchdog counts offers as they arrive: those queued behind a slow worker (the
    // chain below) are not starvation.
    if (ev.type === 'OFFERS') this.watchdogs.offersArrived();
    // a kept offer the master takes back is forgotten at once, not after the events queued before it
    if (ev.type === 'RESCIND') this.offerAnswers.rescinded(String(ev.rescind?.offer_id?.value));
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
        if (gen !== this.session.gen) return;
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
      .then(() => (gen === this.session.gen ? this.handle(ev, gen) : undefined))
      .catch((e) => this.emit('error', { message: `handling ${ev.type}: ${(e as Error).message}`, fatal: false, cause: e }));
  }

  private async handle(ev: Json, gen: number): Promise<void> {
    switch (ev.type) {
      case 'SUBSCRIBED':
        return this.onSubscribed(ev.subscribed ?? {}, gen);
      case 'OFFERS':
        return this.offerAnswers.onOffers((ev.offers?.offers ?? []) as Json[], gen);
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
      await this.session.ports.saveFrameworkId(id); // before anything acts on this subscription
    } catch (e) {
      if (gen !== this.session.gen) return;
      this.emit('error', { message: `cannot persist framework id ${id}: ${(e as Error).message}`, fatal: false, cause: e });
      this.dropStream('framework id not persisted');
      this.scheduleReconnect();
      return;
    }
    if (gen !== this.session.gen) return;
    this.frameworkId = id;
    this.session.conn.frameworkId = id;
    this.session.connected = true;
    this.reconnectAttempt = 0;
    this.session.subscribedAt = this.session.clock.now();
    this.watchdogs.subscribed();
    const hb = Number(sub.heartbeat_interval_seconds);
    this.session.heartbeatMs = Number.isFinite(hb) && hb > 0 ? hb * 1000 : this.session.o.defaultHeartbeatSeconds * 1000;
    this.watchdogs.armHeartbeatWatchdog(gen);
    const resubscribed = this.everSubscribed;
    this.everSubscribed = true;
    this.emit('subscribed', { frameworkId: id, streamId: this.streamId, master: this.master, resubscribed });
    // Offers held before are void; suppression was sent in SUBSCRIBE; REVIVE clears old filters.
    if (this.session.ports.hasWork()) this.revivals.revive('subscribe');
    else if (!this.session.suppressed) this.revivals.suppress('subscribe');
    void this.reconciler.startReconciliation(gen);
  }

  private async onUpdates(raws: Json[]): Promise<void> {
    const handed = raws.map((raw) => {
      let status: TaskUpdate;
      try {
        status = toTaskUpdate(raw);
      } catch (e) {
        return { status: null, stored: Promise.resolve(e as Error) };
      }
      this.session.counters.updates++;
      const stored = this.session.ports.onUpdate(status).then(
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
    this.session.counters.updates++;
    let failure: Error | null = null;
    try {
      await this.session.ports.onUpdate(status);
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
    this.reconciler.answered(status.taskId);
    let acknowledged = false;
    if (status.uuid) {
      if (status.agentId) {
        acknowledged = true;
        this.session.counters.acks++;
        this.session.send({
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
      if (this.session.o.onFrameworkRemoved === 'register-new') {
        this.emit('error', { message: `Mesos removed framework ${this.frameworkId}: ${message}; registering a new framework`, fatal: false });
        this.frameworkId = null;
        this.session.conn.frameworkId = null;
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
}
