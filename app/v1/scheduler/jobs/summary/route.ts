/** GET /v1/scheduler/jobs/summary: {"jobs":[{name,status,state,schedule,parents,disabled}]}. */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => jsonResponse(await (await getServices()).chronos.summary()), 'GET /v1/scheduler/jobs/summary');
}
