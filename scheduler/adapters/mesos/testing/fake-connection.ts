/**
 * An in-memory SchedulerConnection for framework tests: records calls, lets the test push events,
 * drop the stream, or fail a SUBSCRIBE. Paired with TestClock, framework tests need no sockets.
 */
import type { Json } from '../../../../proto';
import type { ClientEventMap } from '../client';
import { TypedEmitter } from '../emitter';
import type { FrameworkPorts, Launch, OfferDecision, TaskUpdate } from '../../../ports';
import type { SchedulerConnection } from '../framework';
import type { Offer } from '../../../core/types';

export class FakeConnection extends TypedEmitter<ClientEventMap> implements SchedulerConnection {
  frameworkId: string | null = null;
  subscribes: Json[] = [];
  calls: Json[] = [];
  disconnects: string[] = [];
  /** Errors to throw from the next subscribe() calls, in order. */
  subscribeFailures: Error[] = [];
  streamId: string | null = null;
  private seq = 0;

  async subscribe(call: Json): Promise<{ streamId: string; master: string }> {
    this.subscribes.push(structuredClone(call));
    const f = this.subscribeFailures.shift();
    if (f) throw f;
    this.streamId = `s${++this.seq}`;
    return { streamId: this.streamId, master: 'http://master:5050' };
  }

  /** Errors the next calls of a type reject with (the call is still recorded as sent). */
  callFailures: Array<{ type: string; error: Error }> = [];

  async call(call: Json): Promise<void> {
    this.calls.push(structuredClone(call));
    const i = this.callFailures.findIndex((f) => f.type === call.type);
    if (i >= 0) throw this.callFailures.splice(i, 1)[0].error;
  }

  disconnect(reason = 'dropped'): void {
    this.disconnects.push(reason);
    const id = this.streamId;
    this.streamId = null;
    if (id) this.fire('disconnected', { reason, streamId: id });
  }

  /** The master sends an event on the current stream. */
  push(event: Json): void {
    this.fire('event', event);
  }

  subscribed(frameworkId = 'fw-1', heartbeatSeconds = 15): void {
    this.push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: heartbeatSeconds } });
  }

  /** The stream breaks on the master's side. */
  breakStream(reason = 'stream ended'): void {
    const id = this.streamId;
    this.streamId = null;
    this.fire('disconnected', { reason, streamId: id });
  }

  fire<K extends keyof ClientEventMap>(event: K, payload: ClientEventMap[K]): void {
    this.emit(event, payload);
  }

  ofType(type: string): Json[] {
    return this.calls.filter((c) => c.type === type);
  }

  types(): string[] {
    return this.calls.map((c) => String(c.type));
  }
}

/** FrameworkPorts backed by arrays, with hooks a test can replace. */
export class FakePorts implements FrameworkPorts {
  stored: string | null = null;
  log: string[] = [];
  work = false;
  active: Array<{ taskId: string; agentId: string | null }> = [];
  updates: TaskUpdate[] = [];
  offers: Offer[][] = [];
  decide: (offers: Offer[], accept: (launches: Launch[]) => void) => Promise<OfferDecision> = async (offers) => ({ launches: [], declines: offers.map((o) => o.id) });
  save: (id: string) => Promise<void> = async () => {};
  update: (s: TaskUpdate) => Promise<void> = async () => {};

  async loadFrameworkId(): Promise<string | null> {
    this.log.push('load');
    return this.stored;
  }
  async saveFrameworkId(id: string): Promise<void> {
    this.log.push(`save-start:${id}`);
    await this.save(id);
    this.stored = id;
    this.log.push(`save-done:${id}`);
  }
  async activeTasks(): Promise<Array<{ taskId: string; agentId: string | null }>> {
    this.log.push('activeTasks');
    return [...this.active];
  }
  async onOffers(offers: Offer[], accept?: (launches: Launch[]) => void): Promise<OfferDecision> {
    this.offers.push(offers);
    return this.decide(offers, accept ?? (() => {}));
  }
  async onUpdate(status: TaskUpdate): Promise<void> {
    await this.update(status);
    this.updates.push(status);
  }
  hasWork(): boolean {
    return this.work;
  }
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}
