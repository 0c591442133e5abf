/**
 * The Mesos master as the UI services see it: its base URL (the framework's current leader, else
 * MESOS_MASTER) and its `/master/state`, read through the `MesosMasterHttp` port
 * (scheduler/adapters/mesos/master-http.ts) and reused for `stateCacheMs`.
 */
import type { Clock, MesosMasterHttp, MesosMasterState } from '../ports';
import type { LiveScheduler } from './live-scheduler';

export interface MasterViewDeps {
  clock: Clock;
  live: LiveScheduler;
  http: MesosMasterHttp;
  /** Master base URL; default (null): the framework client's leader, else `configured`. */
  master: (() => string | null) | null;
  /** MESOS_MASTER as configured (scheduler/config.ts), or null. */
  configured?: string | null;
  /** How long /master/state is reused (ms). */
  stateCacheMs: number;
}

export class MasterView {
  private stateCache: { url: string; at: number; promise: Promise<MesosMasterState> } | null = null;

  constructor(private readonly deps: MasterViewDeps) {}

  /** The master's base URL: the framework's current leader, else MESOS_MASTER (http(s) or host:port). */
  url(): string | null {
    if (this.deps.master) return this.deps.master();
    const fromClient = this.deps.live.current()?.client?.master;
    if (fromClient) return fromClient.replace(/\/+$/, '');
    const env = this.deps.configured?.trim();
    if (!env || env.startsWith('zk://')) return null;
    const first = env.split(',')[0].trim();
    return (/^https?:\/\//.test(first) ? first : `http://${first}`).replace(/\/+$/, '');
  }

  /** /master/state of the current master, reused for stateCacheMs (fresh: always fetch). */
  state(fresh = false): Promise<MesosMasterState> {
    const url = this.url();
    if (!url) return Promise.reject(new Error('no Mesos master configured'));
    const now = this.deps.clock.now();
    const c = this.stateCache;
    if (!fresh && c && c.url === url && now - c.at < this.deps.stateCacheMs) return c.promise;
    const promise = this.deps.http.masterState(url);
    this.stateCache = { url, at: now, promise };
    promise.catch(() => {
      if (this.stateCache?.promise === promise) this.stateCache = null;
    });
    return promise;
  }
}
