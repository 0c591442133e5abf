/** GET /v1/scheduler/jobs/search?name&command&any&limit&offset (limit 10 by default). */
import { parseNonNegativeInt } from '@/scheduler/api/chronos-service';
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTextResponse } from '@/scheduler/api/http';
import { jobsToChronosJson } from '@/scheduler/api/job-json';

export async function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const q = new URL(request.url).searchParams;
    const jobs = await (await getServices()).chronos.search({
      name: q.get('name'),
      command: q.get('command'),
      any: q.get('any'),
      limit: parseNonNegativeInt('limit', q.get('limit')),
      offset: parseNonNegativeInt('offset', q.get('offset')),
    });
    return jsonTextResponse(jobsToChronosJson(jobs));
  }, 'GET /v1/scheduler/jobs/search');
}
