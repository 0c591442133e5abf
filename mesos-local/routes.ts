/**
 * The master's HTTP routes: the scheduler endpoint, fault injection, health, leader redirect,
 * state and metrics JSON, the files API; an HttpError thrown by any of them becomes its reply.
 */
import type http from 'node:http';
import type { MasterState } from './master-state';
import type { SchedulerEndpoint } from './scheduler-endpoint';
import type { Faults } from './faults';
import type { StateJson } from './state-json';
import type { FilesApi } from './files-api';
import { HttpError, readBody, reply, replyJson } from './http-io';

export class Routes {
  constructor(
    private readonly master: MasterState,
    private readonly endpoint: SchedulerEndpoint,
    private readonly faults: Faults,
    private readonly stateJson: StateJson,
    private readonly files: FilesApi,
  ) {}

  async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    try {
      if (p === '/api/v1/scheduler') return await this.endpoint.onScheduler(req, res);
      const body = await readBody(req);
      if (p.startsWith('/__faults/')) {
        if (req.method !== 'POST') throw new HttpError(405, 'Expecting POST', { Allow: 'POST' });
        return this.faults.onFault(p.slice('/__faults/'.length), url, body, res);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Expecting GET', { Allow: 'GET' });
      switch (p) {
        case '/health':
        case '/master/health':
          return reply(res, 200);
        case '/redirect':
        case '/master/redirect':
          return reply(res, 307, '', { Location: `//${this.master.leaderHostPort() ?? `${this.master.options.host}:${this.master.port}`}` });
        case '/master/state':
        case '/master/state.json':
        case '/state':
        case '/state.json':
          return replyJson(res, 200, this.stateJson.state());
        case '/master/slaves':
        case '/slaves':
          return replyJson(res, 200, this.stateJson.slaves());
        case '/master/frameworks':
        case '/frameworks':
          return replyJson(res, 200, this.stateJson.frameworks());
        case '/master/tasks':
        case '/tasks':
          return replyJson(res, 200, this.stateJson.tasks());
        case '/metrics/snapshot':
        case '/master/metrics/snapshot':
          return replyJson(res, 200, this.stateJson.metrics());
        case '/files/read':
        case '/files/read.json':
          return await this.files.onFilesRead(url, res);
        case '/files/browse':
        case '/files/browse.json':
          return await this.files.onFilesBrowse(url, res);
        case '/files/download':
        case '/files/download.json':
          return await this.files.onFilesDownload(url, res);
        default:
          throw new HttpError(404, '404 Not Found.'); // Mesos's body for a path it does not serve
      }
    } catch (err) {
      if (err instanceof HttpError) return reply(res, err.status, err.message ? `${err.message}` : '', err.headers);
      throw err;
    }
  }
}
