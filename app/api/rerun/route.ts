/**
 * Rerun failed and downstream (run page, pipeline grid).
 *   GET  /api/rerun?task=ID&task=ID → RerunPlanView (what would run; nothing changes)
 *   POST /api/rerun {"taskIds": [ID, …]} → RerunResult
 */
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';
import { UiFieldError } from '@/scheduler/api/ui-query';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).rerunPlan(new URL(request.url).searchParams.getAll('task'))));
}

export function POST(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const body = await uiJsonBody(request);
    const ids = (body as { taskIds?: unknown } | null)?.taskIds;
    if (!Array.isArray(ids) || !ids.every((t) => typeof t === 'string')) throw new UiFieldError('taskIds', 'taskIds must be an array of task ids (strings)');
    return uiJson(await (await getUiService()).rerun(ids as string[]));
  });
}
