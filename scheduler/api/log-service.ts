/**
 * GET /api/runs/{taskId}/log: a slice of a run's stdout or stderr, read from its sandbox through
 * the agent's files API (the `MesosMasterHttp` port). The master's /master/state says which agent
 * ran the task and, usually, its sandbox; otherwise the agent's own /state does. `offset=-1` tails
 * the file; `nextOffset` continues it. When the log cannot be read, the answer says why
 * (`unavailable`) instead of failing.
 */
import { isTerminal } from '../core/types';
import type { MesosMasterHttp, Store } from '../ports';
import { sandboxOf } from '../runtime/sandbox';
import { ApiError } from './errors';
import type { MasterView } from './master-view';
import { intParam, oneOf, type Params } from './ui-query';
import type { LogChunk } from './ui-types';

/** Most bytes one request reads. */
const LOG_MAX_LENGTH = 64 * 1024;

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
      where = await sandboxOf(run, master, { state: (fresh) => this.deps.master.state(fresh), http: this.deps.http });
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
}
