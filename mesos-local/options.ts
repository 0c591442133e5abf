/** mesos-local's options: what `new MesosLocal(options)` accepts, and their defaults. */
import type { AgentConfig } from './agent';

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
  /** The Docker engine DOCKER tasks run on ("unix:///…/docker.sock"); default DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost?: string;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

/** The options with their defaults filled in. */
export type ResolvedOptions = Required<Omit<MesosLocalOptions, 'credentials' | 'leaderUrl' | 'scale' | 'workDir' | 'offerTimeoutMs' | 'log' | 'masterId' | 'agents' | 'dockerHost'>> & MesosLocalOptions;

export function resolveOptions(options: MesosLocalOptions): ResolvedOptions {
  return {
    port: 5050,
    host: '127.0.0.1',
    heartbeatIntervalSeconds: 15,
    allocationIntervalMs: 1000,
    statusUpdateRetryMs: 10_000,
    statusUpdateRetryMaxMs: 600_000,
    failoverTimeoutScale: 1,
    ...options,
  };
}
