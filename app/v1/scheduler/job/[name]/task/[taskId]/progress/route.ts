/** POST /v1/scheduler/job/{name}/task/{taskId}/progress with {"numAdditionalElementsProcessed":k}: 204. */
import { getServices } from '@/scheduler/api/context';
import { handle, noContent, readJsonBody, type RouteContext } from '@/scheduler/api/http';

export async function POST(
  request: Request,
  { params }: RouteContext<{ name: string; taskId: string }>,
): Promise<Response> {
  return handle(async () => {
    const { name, taskId } = await params;
    const body = await readJsonBody(request);
    await (await getServices()).chronos.progress(name, taskId, body);
    return noContent();
  }, 'POST /v1/scheduler/job/[name]/task/[taskId]/progress');
}
