/**
 * The read-only HTTP endpoints of a Mesos master and its agents that the UI shows
 * (`MesosMasterHttp` in scheduler/ports.ts): the master's `/master/state`, an agent's `/state` and
 * its files API `/files/read`. JSON only, one request each, with a timeout and the framework's
 * basic-auth credentials. No caching here: the UI services decide how long an answer is reused.
 *
 * Not the scheduler API: the framework's stream and calls are client.ts.
 */
import type { MesosAgentState, MesosMasterHttp, MesosMasterState } from '../../ports';
import { basicAuthHeader, type Credentials } from './http';

export interface MasterHttpOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Deadline of each request (ms). Default 5000. */
  timeoutMs?: number;
  /**
   * Basic-auth credentials sent with every request. Absent: MESOS_CREDENTIALS (`principal:secret`),
   * read at each request; null: none.
   */
  credentials?: Credentials | null;
}

/** A non-success answer (the status and the URL asked). */
export class MasterHttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'MasterHttpStatusError';
  }
}

export class MasterHttpClient implements MesosMasterHttp {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly credentials: Credentials | null | undefined;

  constructor(options: MasterHttpOptions = {}) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.credentials = options.credentials;
  }

  masterState(master: string): Promise<MesosMasterState> {
    return this.getJson<MesosMasterState>(`${master}/master/state`);
  }

  agentState(agent: string): Promise<MesosAgentState> {
    return this.getJson<MesosAgentState>(`${agent}/state`);
  }

  async readFile(agent: string, path: string, offset: number, length?: number): Promise<{ data: string; offset: number } | null> {
    const url = `${agent}/files/read?path=${encodeURIComponent(path)}&offset=${offset}${length === undefined ? '' : `&length=${length}`}`;
    try {
      return await this.getJson<{ data: string; offset: number }>(url);
    } catch (e) {
      if (e instanceof MasterHttpStatusError && e.status === 404) return null;
      throw e;
    }
  }

  private authHeaders(): Record<string, string> {
    const c = this.credentials ?? null;
    return c ? { Authorization: basicAuthHeader(c) } : {};
  }

  private async getJson<T>(url: string): Promise<T> {
    const res = await this.fetchFn(url, {
      headers: { Accept: 'application/json', ...this.authHeaders() },
      signal: AbortSignal.timeout(this.timeoutMs),
      cache: 'no-store',
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new MasterHttpStatusError(res.status, url);
    }
    return (await res.json()) as T;
  }
}
