/**
 * The scheduler endpoint, POST /api/v1/scheduler: authentication, leader redirect, recovery,
 * method, body and Call checks in the order of Mesos's `Master::Http::scheduler`, then the call
 * handed to the module that handles it (SUBSCRIBE opens the event stream; others answer 202).
 */
import type http from 'node:http';
import { CONTENT_TYPE, type Encoding, type Json } from '../proto';
import type { Framework } from './model';
import type { MasterState } from './master-state';
import type { Allocator } from './allocator';
import type { TaskLifecycle } from './task-lifecycle';
import type { Reconciliation } from './reconciliation';
import type { Subscriptions } from './subscriptions';
import type { AcceptCall } from './accept';
import { authenticate } from './auth';
import { chooseEncoding, parseCall, validateCall } from './call-validation';
import { HttpError, readBody, reply } from './http-io';

/** What the endpoint reads of a request: its method, headers (lower-case names) and body. */
export interface SchedulerRequest {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class SchedulerEndpoint {
  constructor(
    private readonly master: MasterState,
    private readonly subscriptions: Subscriptions,
    private readonly allocator: Allocator,
    private readonly acceptCall: AcceptCall,
    private readonly tasks: TaskLifecycle,
    private readonly reconciliation: Reconciliation,
  ) {}

  /** POST /api/v1/scheduler through Node's HTTP server (pipelined calls: pipelined-calls.ts). */
  async onScheduler(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const sub = this.call({ method: req.method ?? 'GET', headers: req.headers, body });
    if (sub) return this.subscriptions.subscribe(sub.call, sub.principal, sub.encoding, res);
    reply(res, 202);
  }

  /**
   * One request to the scheduler endpoint, checked in the order of Mesos's
   * `Master::Http::scheduler` and handled; its answer is 202 when this returns null. A refusal
   * throws its HttpError. SUBSCRIBE, whose answer is the event stream, is returned to the caller
   * (checked and counted) to be opened on its response.
   */
  call(req: SchedulerRequest): { call: Json; principal: string | null; encoding: Encoding } | null {
    const principal = authenticate(this.master.options.credentials, req);
    const leader = this.master.leaderHostPort();
    if (leader) throw new HttpError(307, '', { Location: `//${leader}/api/v1/scheduler` });
    if (this.master.recovering) throw new HttpError(503, 'Master has not finished recovery');
    if (req.method !== 'POST') throw new HttpError(405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
    const contentType = req.headers['content-type'];
    if (contentType === undefined) throw new HttpError(400, "Expecting 'Content-Type' to be present");
    const call = parseCall(this.master.types.Call, contentType, req.body, this.master.counters);

    const invalid = validateCall(call, principal);
    if (invalid) {
      this.master.counters.invalid_calls++;
      throw new HttpError(400, `Failed to validate scheduler::Call: ${invalid}`);
    }

    if (call.type === 'SUBSCRIBE') {
      const encoding = chooseEncoding(req.headers.accept);
      if (!encoding) throw new HttpError(406, `Expecting 'Accept' to allow '${CONTENT_TYPE.protobuf}' or '${CONTENT_TYPE.json}'`);
      if (req.headers['mesos-stream-id'] !== undefined) throw new HttpError(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      this.master.counters.valid_calls++;
      return { call, principal, encoding };
    }

    const fwId = call.framework_id.value as string;
    const fw = this.master.frameworks.get(fwId);
    if (!fw || !fw.recovered) throw new HttpError(400, 'Framework cannot be found');
    if (principal && principal !== fw.info.principal) {
      throw new HttpError(400, `Authenticated principal '${principal}' does not match principal '${fw.info.principal ?? ''}' set in \`FrameworkInfo\``);
    }
    if (!fw.stream) throw new HttpError(403, 'Framework is not subscribed');
    const streamId = req.headers['mesos-stream-id'];
    if (streamId === undefined) throw new HttpError(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    if (streamId !== fw.stream.id) {
      throw new HttpError(400, `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
    }
    this.master.counters.valid_calls++;
    this.dispatch(fw, call);
    return null;
  }

  private dispatch(fw: Framework, call: Json): void {
    switch (call.type) {
      case 'TEARDOWN':
        return this.subscriptions.teardown(fw);
      case 'ACCEPT':
        return this.acceptCall.accept(fw, call.accept);
      case 'DECLINE':
        return this.allocator.decline(fw, call.decline);
      case 'REVIVE':
        return this.allocator.revive(fw, call.revive?.roles);
      case 'SUPPRESS':
        return this.allocator.suppress(fw, call.suppress?.roles);
      case 'KILL':
        return this.tasks.kill(fw, call.kill);
      case 'SHUTDOWN':
        return this.tasks.shutdownExecutor(fw, call.shutdown);
      case 'ACKNOWLEDGE':
        return this.tasks.acknowledge(fw, call.acknowledge);
      case 'RECONCILE':
        return this.reconciliation.reconcile(fw, call.reconcile.tasks ?? []);
      case 'UPDATE_FRAMEWORK':
        this.subscriptions.updateFrameworkInfo(fw, call.update_framework.framework_info, call.update_framework.suppressed_roles);
        return this.allocator.scheduleAllocation();
      default:
        // MESSAGE, REQUEST, inverse offers, operation calls: accepted and ignored.
        return;
    }
  }
}
