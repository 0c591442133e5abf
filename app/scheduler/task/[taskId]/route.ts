/**
 * Chronos 2.x async completion: PUT /scheduler/task/{taskId} with {"statusCode":n}
 * (0 = finished, anything else = failed), 204. Removed in Chronos 3; kept for 2.x tasks.
 * Every other /scheduler/... path is rewritten to /v1/scheduler/... (next.config.js).
 */
import { getServices } from '@/scheduler/api/context';
import { handle, noContent, readJsonBody, type RouteContext } from '@/scheduler/api/http';

export async function PUT(request: Request, { params }: RouteContext<{ taskId: string }>): Promise<Response> {
  return handle(async () => {
    const { taskId } = await params;
    const body = await readJsonBody(request);
    await (await getServices()).chronos.asyncComplete(taskId, body);
    return noContent();
  }, 'PUT /scheduler/task/[taskId]');
}
