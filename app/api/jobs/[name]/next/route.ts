/** GET /api/jobs/{name}/next?n=10 → PreviewRun[] (the job's next runs). */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiIntParam, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';
import { MAX_PREVIEW } from '@/scheduler/core/preview';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    const n = uiIntParam(new URL(request.url), 'n', 10, MAX_PREVIEW);
    return uiJson(await (await getUiService()).jobNext(name, n));
  });
}
