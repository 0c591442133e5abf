/** GET /v1/scheduler/stats/{pct}: [{"jobNameLabel":n,"time":seconds}], slowest first; [] for an unknown key. */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTreeResponse, statsTree, type RouteContext } from '@/scheduler/api/http';

export async function GET(_request: Request, { params }: RouteContext<{ pct: string }>): Promise<Response> {
  return handle(async () => {
    const { pct } = await params;
    return jsonTreeResponse(statsTree(await (await getServices()).chronos.stats(pct)));
  }, 'GET /v1/scheduler/stats/[pct]');
}
