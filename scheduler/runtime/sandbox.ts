/**
 * A run's sandbox: which agent ran it and its directory, from the master's /master/state (and the
 * agent's own /state when the master does not say), read through the `MesosMasterHttp` port; and
 * the last lines of a file in it. The UI's log service (scheduler/api/log-service.ts) and the
 * notifications (the stderr of a failed run in its mail) read sandboxes through here.
 */
import type { MesosMasterHttp, MesosMasterState, MesosStateAgent, MesosStateTask } from '../ports';

/** `slave(1)@10.0.0.5:5051` → `http://10.0.0.5:5051` (scheme of the master's URL); else hostname:port. */
export function agentUrl(agent: MesosStateAgent, master: string): string | null {
  const scheme = master.startsWith('https:') ? 'https' : 'http';
  const m = /@([^@/]+:\d+)$/.exec(agent.pid ?? '');
  if (m) return `${scheme}://${m[1]}`;
  if (agent.hostname) return `${scheme}://${agent.hostname}:${agent.port ?? 5051}`;
  return null;
}

export interface SandboxSource {
  /** /master/state (fresh: not a cached copy). */
  state(fresh?: boolean): Promise<MesosMasterState>;
  http: MesosMasterHttp;
}

/** The agent's files API base URL and the run's sandbox directory, or why they are unknown. */
export async function sandboxOf(run: { taskId: string; agentId: string | null }, master: string, src: SandboxSource): Promise<{ agentBase: string; dir: string } | string> {
  const find = (st: MesosMasterState): MesosStateTask | null => {
    for (const f of [...(st.frameworks ?? []), ...(st.completed_frameworks ?? [])]) {
      for (const list of [f.tasks, f.completed_tasks, f.unreachable_tasks]) {
        const t = list?.find((x) => x.id === run.taskId);
        if (t) return { ...t, framework_id: t.framework_id ?? f.id };
      }
    }
    return null;
  };
  let state = await src.state();
  let task = find(state);
  if (!task) {
    state = await src.state(true); // the cached state may predate the launch
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
      dir = await executorDirectory(agentBase, task, src.http);
    } catch (e) {
      return `cannot read the state of agent ${agentBase}: ${(e as Error).message}`;
    }
  }
  if (!dir) return `the agent ${agentBase} does not know the sandbox of task ${run.taskId}`;
  return { agentBase, dir };
}

async function executorDirectory(agentBase: string, task: MesosStateTask, http: MesosMasterHttp): Promise<string | null> {
  const st = await http.agentState(agentBase);
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

/** Bytes read from a file's end for its last lines. */
const TAIL_BYTES = 16 * 1024;

/** The last `lines` lines of `file` in the run's sandbox; null when it cannot be read. */
export async function tailLines(run: { taskId: string; agentId: string | null }, master: string, src: SandboxSource, file: 'stdout' | 'stderr', lines: number): Promise<string[] | null> {
  const where = await sandboxOf(run, master, src);
  if (typeof where === 'string') return null;
  const path = `${where.dir.replace(/\/+$/, '')}/${file}`;
  const end = await src.http.readFile(where.agentBase, path, -1);
  if (end === null) return null;
  const start = Math.max(0, end.offset - TAIL_BYTES);
  const r = end.offset === 0 ? { data: '' } : await src.http.readFile(where.agentBase, path, start, end.offset - start);
  if (r === null) return null;
  const all = r.data.replace(/\r\n/g, '\n').split('\n');
  if (all[all.length - 1] === '') all.pop();
  // a partial first line (the read started inside it) is dropped
  if (start > 0) all.shift();
  return all.slice(-lines);
}
