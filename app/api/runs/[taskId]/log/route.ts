/**
 * GET /api/runs/{taskId}/log?file=stdout|stderr&offset&length → LogChunk, read through the agent's
 * files API. offset=-1 tails the last `length` bytes; then ask again from `nextOffset`.
 */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: RouteContext<{ taskId: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { taskId } = await params;
    return uiJson(await (await getUiService()).log(taskId, new URL(request.url).searchParams));
  });
}
