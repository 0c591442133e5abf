/** GET /v1/scheduler/job/stat/{name}: duration histogram (ms) and the last runs. */
import { getServices } from '@/scheduler/api/context';
import { handle, jobStatTree, jsonTreeResponse, type RouteContext } from '@/scheduler/api/http';

export async function GET(_request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    return jsonTreeResponse(jobStatTree(await (await getServices()).chronos.jobStat(name)));
  }, 'GET /v1/scheduler/job/stat/[name]');
}
