/** GET /v1/scheduler/jobs: every job, Chronos JSON (fetch/uris filled as Chronos does here). */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTextResponse } from '@/scheduler/api/http';
import { jobsToChronosJson } from '@/scheduler/api/job-json';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => jsonTextResponse(jobsToChronosJson(await (await getServices()).chronos.listJobs())), 'GET /v1/scheduler/jobs');
}
