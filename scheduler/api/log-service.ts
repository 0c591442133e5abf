/**
 * GET /api/runs/{taskId}/log: a slice of a run's stdout or stderr, read from its sandbox through
 * the agent's files API (the `MesosMasterHttp` port). The master's /master/state says which agent
 * ran the task and, usually, its sandbox; otherwise the agent's own /state does. `offset=-1` tails
 * the file; `nextOffset` continues it. When the log cannot be read, the answer says why
 * (`unavailable`) instead of failing.
 */
import { isTerminal, type Run } from '../core/types';
import type { MesosMasterHttp, MesosMasterState, MesosStateAgent, MesosStateTask, Store } from '../ports';
import { ApiError } from './errors';
import type { MasterView } from './master-view';
import { intParam, oneOf, type Params } from './ui-query';
import type { LogChunk } from './ui-types';

/** Most bytes one request reads. */
const LOG_MAX_LENGTH = 64 * 1024;

/** `slave(1)@10.0.0.5:5051` → `http://10.0.0.5:5051` (scheme of the master's URL); else hostname:port. */
function agentUrl(agent: MesosStateAgent, master: string): string | null {
  const scheme = master.startsWith('https:') ? 'https' : 'http';
  const m = /@([^@/]+:\d+)$/.exec(agent.pid ?? '');
  if (m) return `${scheme}://${m[1]}`;
  if (agent.hostname) return `${scheme}://${agent.hostname}:${agent.port ?? 5051}`;
  return null;
}

export interface LogServiceDeps {
  store: Store;
  master: MasterView;
  http: MesosMasterHttp;
}

export class LogService {
  constructor(private readonly deps: LogServiceDeps) {}

  async log(taskId: string, p: Params): Promise<LogChunk> {
    const file = oneOf(p, 'file', ['stdout', 'stderr'] as const) ?? 'stdout';
    const offset = intParam(p, 'offset', -1, Number.MAX_SAFE_INTEGER) ?? 0;
    const length = intParam(p, 'length', 1, LOG_MAX_LENGTH) ?? LOG_MAX_LENGTH;
    const run = await this.deps.store.runs.getByTaskId(taskId);
    if (!run) throw ApiError.notFound(`run '${taskId}' not found`);
    const none = (why: string): LogChunk => ({
      taskId,
      file,
      offset: Math.max(0, offset),
      data: '',
      nextOffset: Math.max(0, offset),
      eof: isTerminal(run.state),
      unavailable: why,
    });
    if (run.state === 'QUEUED' || run.state === 'SKIPPED' || (run.launchedAt === null && run.agentId === null)) {
      return none(run.state === 'QUEUED' ? 'the run has not been launched yet' : 'the run was never launched');
    }
    const master = this.deps.master.url();
    if (!master) return none('no Mesos master configured');

    let where: { agentBase: string; dir: string } | string;
    try {
      where = await this.sandboxOf(run, master);
    } catch (e) {
      return none(`cannot read ${master}/master/state: ${(e as Error).message}`);
    }
    if (typeof where === 'string') return none(where);

    const { agentBase } = where;
    const path = `${where.dir.replace(/\/+$/, '')}/${file}`;
    const notThere = () => none(`${file} is not in the sandbox (not written yet, or the agent removed the sandbox)`);
    try {
      let start = offset;
      let size: number | null = null;
      if (offset === -1) {
        const end = await this.deps.http.readFile(agentBase, path, -1);
        if (end === null) return notThere();
        size = end.offset;
        start = Math.max(0, size - length);
      }
      const r = size === 0 ? { data: '', offset: 0 } : await this.deps.http.readFile(agentBase, path, start, length);
      if (r === null) return notThere();
      const bytes = Buffer.byteLength(r.data, 'utf8');
      const nextOffset = start + bytes;
      const atEnd = size !== null ? nextOffset >= size : bytes < length;
      return { taskId, file, offset: start, data: r.data, nextOffset, eof: isTerminal(run.state) && atEnd };
    } catch (e) {
      return none(`cannot read ${file} from the agent at ${agentBase}: ${(e as Error).message}`);
    }
  }

  /** The agent's files API base URL and the run's sandbox directory, or why they are unknown. */
  private async sandboxOf(run: Run, master: string): Promise<{ agentBase: string; dir: string } | string> {
    const find = (st: MesosMasterState): MesosStateTask | null => {
      for (const f of [...(st.frameworks ?? []), ...(st.completed_frameworks ?? [])]) {
        for (const list of [f.tasks, f.completed_tasks, f.unreachable_tasks]) {
          const t = list?.find((x) => x.id === run.taskId);
          if (t) return { ...t, framework_id: t.framework_id ?? f.id };
        }
      }
      return null;
    };
    let state = await this.deps.master.state();
    let task = find(state);
    if (!task) {
      state = await this.deps.master.state(true); // the cached state may predate the launch
      task = find(state);
    }
    if (!task) return `the master does not know task ${run.taskId} (it keeps finished tasks for a limited time)`;
    const agentId = task.slave_id ?? task.agent_id ?? run.agentId;
    const agent = (state.slaves ?? []).find((a) => a.id === agentId);
    if (!agent) return `agent ${agentId ?? '?'} of the task is no longer registered with the master`;
    const agentBase = agentUrl(agent, master);
    if (!agentBase) return `cannot tell the address of agent ${agent.id}`;
    let dir = task.sandbox_directory ?? task.directory ?? task.executor_directory ?? null;
    if (!dir) {
      // Mesos: the sandbox is the executor's directory, in the agent's own state.
      try {
        dir = await this.executorDirectory(agentBase, task);
      } catch (e) {
        return `cannot read the state of agent ${agentBase}: ${(e as Error).message}`;
      }
    }
    if (!dir) return `the agent ${agentBase} does not know the sandbox of task ${run.taskId}`;
    return { agentBase, dir };
  }

  private async executorDirectory(agentBase: string, task: MesosStateTask): Promise<string | null> {
    const st = await this.deps.http.agentState(agentBase);
    const executorId = task.executor_id || task.id;
    for (const f of [...(st.frameworks ?? []), ...(st.completed_frameworks ?? [])]) {
      if (task.framework_id && f.id !== task.framework_id) continue;
      for (const e of [...(f.executors ?? []), ...(f.completed_executors ?? [])]) {
        const hasTask = [...(e.tasks ?? []), ...(e.completed_tasks ?? [])].some((t) => t.id === task.id);
        if ((e.id === executorId || hasTask) && e.directory) return e.directory;
      }
    }
    return null;
  }
}
