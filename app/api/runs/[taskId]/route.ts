/** GET /api/runs/{taskId} → RunDetail: every attempt of that job's due instant (404 for an unknown run). */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(_request: Request, { params }: RouteContext<{ taskId: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { taskId } = await params;
    return uiJson(await (await getUiService()).runDetail(taskId));
  });
}
