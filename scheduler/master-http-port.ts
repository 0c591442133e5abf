/**
 * A port of scheduler/ports.ts in a file of its own (ports.ts re-exports it; import from there):
 * the read-only HTTP of a Mesos master and its agents the UI shows, with the loose state types it
 * returns. The adapter is scheduler/adapters/mesos/master-http.ts.
 */
/** Scalar resources by name, as /master/state writes them (`{ cpus: 8, mem: 8192, … }`); loose. */
export type MesosResources = Record<string, unknown>;

/** A task in /master/state (only the fields the UI reads). */
export interface MesosStateTask {
  id: string;
  framework_id?: string;
  executor_id?: string;
  slave_id?: string;
  agent_id?: string;
  state?: string;
  sandbox_directory?: string;
  directory?: string;
  executor_directory?: string;
}

export interface MesosStateFramework {
  id: string;
  name?: string;
  active?: boolean;
  used_resources?: MesosResources;
  tasks?: MesosStateTask[];
  completed_tasks?: MesosStateTask[];
  unreachable_tasks?: MesosStateTask[];
}

export interface MesosStateAgent {
  id: string;
  hostname?: string;
  /** `slave(1)@10.0.0.5:5051`: where the agent answers. */
  pid?: string;
  port?: number;
  active?: boolean;
  resources?: MesosResources;
  used_resources?: MesosResources;
  attributes?: Record<string, string | number>;
}

/** GET /master/state, loosely typed (a master of any version answers some of it). */
export interface MesosMasterState {
  frameworks?: MesosStateFramework[];
  completed_frameworks?: MesosStateFramework[];
  slaves?: MesosStateAgent[];
}

/** An executor in an agent's GET /state; its directory is the sandbox of its tasks. */
export interface MesosAgentExecutor {
  id: string;
  directory?: string;
  tasks?: Array<{ id: string }>;
  completed_tasks?: Array<{ id: string }>;
}

export interface MesosAgentFramework {
  id: string;
  executors?: MesosAgentExecutor[];
  completed_executors?: MesosAgentExecutor[];
}

/** GET /state of an agent, loosely typed. */
export interface MesosAgentState {
  frameworks?: MesosAgentFramework[];
  completed_frameworks?: MesosAgentFramework[];
}

/**
 * The read-only HTTP endpoints of a Mesos master and its agents that the UI shows (the cluster
 * page, utilization, task logs); scheduler/adapters/mesos/master-http.ts. Base URLs are
 * `http(s)://host:port`. A failed request rejects with an Error naming the URL and the reason.
 */
export interface MesosMasterHttp {
  /** GET <master>/master/state. */
  masterState(master: string): Promise<MesosMasterState>;
  /** GET <agent>/state. */
  agentState(agent: string): Promise<MesosAgentState>;
  /**
   * GET <agent>/files/read of `path` from byte `offset` (-1: only the file's size, as `offset`),
   * at most `length` bytes when given. Null when the agent has no such file (HTTP 404).
   */
  readFile(agent: string, path: string, offset: number, length?: number): Promise<{ data: string; offset: number } | null>;
}
