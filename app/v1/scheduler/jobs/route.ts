/** GET /v1/scheduler/jobs: every job, Chronos JSON (fetch/uris filled as Chronos does here). */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonArrayResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(_request?: Request): Promise<Response> {
  // The jobs are read before the answer starts (an error is still a Chronos 500), then streamed,
  // each job's text made as its chunk is sent: on the leader from the worker's memory.
  return handle(async () => {
    const { jobs, text } = await (await getServices()).chronos.listJobsJson();
    return jsonArrayResponse(jobs, text);
  }, 'GET /v1/scheduler/jobs');
}
