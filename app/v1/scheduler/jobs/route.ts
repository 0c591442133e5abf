/** GET /v1/scheduler/jobs: every job, Chronos JSON (fetch/uris filled as Chronos does here). */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonArrayResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(_request?: Request): Promise<Response> {
  // Every job's text is ready before the answer starts (an error is still a Chronos 500), then
  // streamed: on the leader from the worker's memory, each job serialized once per change.
  return handle(async () => jsonArrayResponse(await (await getServices()).chronos.listJobsJson()), 'GET /v1/scheduler/jobs');
}
