/**
 * Delivers the notifications outbox, on the leader only (assemble.ts starts it with the worker and
 * stops it with the term). Each round claims the due rows (a lease: a deliverer that dies mid-send
 * leaves them to the next leader once the lease ends), plans them (core/notify-plan.ts: dedupe
 * window, digests), sends each message on its channel and settles every row: sent, suppressed,
 * pending again with the reason and a backoff, or failed after the last attempt.
 *
 * It never runs in the worker's step queue and the worker never waits for it: a channel that hangs
 * or is down delays only notifications. One bad row is settled failed alone; a round that fails
 * (database down) is tried again on the next tick.
 */
import { dedupeKey, planDeliveries, retryDelayMs, type Delivery, type PlanSettings } from '../core/notify-plan';
import type { ChannelName } from '../core/notify-events';
import { STDERR_LINES, type MessageContext } from '../core/notify-message';
import type { Clock, NotifyChannel, OutboxRow, OutboxSettle, Store } from '../ports';
import type { EventBus } from './events';
import { reasonOf } from './isolate';

export interface DelivererSettings extends PlanSettings {
  baseUrl: string;
  maxAttempts: number;
  /** How often the outbox is polled. */
  pollMs: number;
  /** How long a claim holds its rows (longer than any send takes). */
  leaseMs: number;
  /** Rows claimed per round. */
  batch: number;
}

/** How long stop() waits for the round in progress. */
const STOP_WAIT_MS = 2_000;

export const DELIVERER_DEFAULTS = { pollMs: 1_000, leaseMs: 120_000, batch: 1_000 } as const;

export interface DelivererOptions {
  store: Store;
  clock: Clock;
  events: EventBus;
  channels: ReadonlyMap<ChannelName, NotifyChannel>;
  settings: DelivererSettings;
  /** The last lines of a run's stderr (its sandbox), or null when they cannot be read. Optional. */
  stderrOf?: (taskId: string, lines: number) => Promise<string[] | null>;
}

export class NotifyDeliverer {
  private cancel: (() => void) | null = null;
  private running = false;
  private round: Promise<void> | null = null;

  constructor(private readonly opts: DelivererOptions) {}

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling; resolves once the round in progress (if any) has settled what it sent. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancel?.();
    this.cancel = null;
    // a round stuck on a slow server is not waited for long: what it settles later is fenced
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((r) => {
      timer = setTimeout(r, STOP_WAIT_MS);
      timer.unref?.();
    });
    await Promise.race([this.round?.catch(() => {}), bound]);
    clearTimeout(timer);
  }

  /** One round now (tests; also what the timer runs). Resolves when it has settled. */
  deliverNow(): Promise<void> {
    this.round ??= this.deliver().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.cancel?.();
    this.cancel = this.opts.clock.setTimer(ms, () => {
      this.cancel = null;
      void this.deliverNow()
        .catch((e) => this.opts.events.emit('error', { where: 'notify', message: `delivering notifications: ${reasonOf(e)}; trying again` }))
        .finally(() => this.schedule(this.opts.settings.pollMs));
    });
  }

  private async deliver(): Promise<void> {
    const { store, clock, settings } = this.opts;
    for (;;) {
      const now = clock.now();
      const rows = await store.notifications.claim(now, settings.leaseMs, settings.batch);
      if (rows.length === 0) return;
      const sent = settings.windowMs > 0 ? await store.notifications.sentSince(now - settings.windowMs) : [];
      const recently = new Set(sent.map((s) => dedupeKey({ channel: s.channel, recipient: s.recipient, event: { job: s.job, kind: s.kind as never } })));
      const plan = planDeliveries(
        rows.map((r) => ({ id: r.id, channel: r.channel, recipient: r.recipient, event: r.event, createdAt: r.createdAt })),
        recently,
        settings,
      );
      if (plan.suppressed.length > 0) {
        await store.notifications.settle(plan.suppressed.map((s) => ({ id: s.id, state: 'suppressed', attempted: false, at: now, note: s.why })));
        for (const s of plan.suppressed) {
          const row = rows.find((r) => r.id === s.id)!;
          this.opts.events.emit('notify', { channel: row.channel, result: 'suppressed', count: 1, job: row.event.job });
        }
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      // channels in parallel, each channel's messages one after the other
      const perChannel = new Map<ChannelName, Delivery[]>();
      for (const d of plan.deliveries) perChannel.set(d.channel, [...(perChannel.get(d.channel) ?? []), d]);
      await Promise.all([...perChannel.values()].map((ds) => this.sendAll(ds, byId)));
      if (rows.length < settings.batch) return;
    }
  }

  /**
   * One channel's messages, one after the other. When a send fails, the rest that go to the same
   * server (the channel's; for the webhook, the same URL) are not tried in this round: they wait
   * one backoff step with the reason, so a server that hangs costs one timeout per round, not one
   * per message.
   */
  private async sendAll(deliveries: Delivery[], rows: ReadonlyMap<string, OutboxRow>): Promise<void> {
    const down = new Map<string, string>();
    const serverOf = (d: Delivery) => (d.channel === 'webhook' ? `webhook ${d.recipient}` : d.channel);
    for (const d of deliveries) {
      const why = down.get(serverOf(d));
      if (why !== undefined) {
        const at = this.opts.clock.now();
        const attempts = Math.max(...d.ids.map((i) => rows.get(i)?.attempts ?? 0));
        const nextAt = at + retryDelayMs(Math.max(1, attempts));
        this.opts.events.emit('notify', { channel: d.channel, result: 'retrying', count: d.ids.length, error: why });
        await this.opts.store.notifications.settle(d.ids.map((id) => ({ id, state: 'pending', attempted: false, at, error: `not tried: ${why}`, nextAt })));
        continue;
      }
      const result = await this.sendOne(d, rows);
      const failed = result.find((r) => r.state !== 'sent');
      if (failed?.error) down.set(serverOf(d), failed.error);
      await this.opts.store.notifications.settle(result);
    }
  }

  /** Sends one message and says how each of its rows ends. */
  private async sendOne(d: Delivery, rows: ReadonlyMap<string, OutboxRow>): Promise<OutboxSettle[]> {
    const { clock, settings, events } = this.opts;
    const id = d.ids[0];
    const attempts = Math.max(...d.ids.map((i) => rows.get(i)?.attempts ?? 0));
    const channel = this.opts.channels.get(d.channel);
    let error: string | null = null;
    if (!channel) error = `${d.channel}: the channel is not configured (or its settings are wrong: see the notifications page)`;
    else {
      try {
        await channel.send(d, await this.context(d), id);
      } catch (e) {
        error = reasonOf(e);
      }
    }
    const at = clock.now();
    const job = d.digest ? undefined : d.events[0].job;
    if (error === null) {
      events.emit('notify', { channel: d.channel, result: 'sent', count: d.ids.length, job });
      const note = d.digest ? `sent in a digest of ${d.ids.length} (delivery ${id})` : null;
      return d.ids.map((i) => ({ id: i, state: 'sent', attempted: true, at, note }));
    }
    const last = attempts + 1 >= settings.maxAttempts || !channel;
    events.emit('notify', { channel: d.channel, result: last ? 'failed' : 'retrying', count: d.ids.length, job, error });
    if (last) events.emit('error', { where: 'notify', message: `${d.channel} notification to ${d.recipient || d.channel} (${d.digest ? `digest of ${d.ids.length}` : `${d.events[0].kind} of ${d.events[0].job}`}) failed for good after ${attempts + 1} attempt${attempts === 0 ? '' : 's'}: ${error}` });
    const nextAt = at + retryDelayMs(attempts + 1);
    return d.ids.map((i) => ({ id: i, state: last ? 'failed' : 'pending', attempted: true, at, error, nextAt }));
  }

  private async context(d: Delivery): Promise<MessageContext> {
    const ctx: MessageContext = { baseUrl: this.opts.settings.baseUrl };
    const { stderrOf } = this.opts;
    if (!stderrOf || d.digest) return ctx;
    const run = d.events[0].run;
    if (!run) return ctx;
    try {
      const lines = await stderrOf(run.taskId, STDERR_LINES);
      if (lines) ctx.stderr = new Map([[run.taskId, lines]]);
    } catch {
      // the message says stderr is not available
    }
    return ctx;
  }
}
