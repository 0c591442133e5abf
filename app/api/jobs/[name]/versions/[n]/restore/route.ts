/** POST /api/jobs/{name}/versions/{n}/restore → RestoreResult: version n written again, as a new version. */
import type { RouteContext } from '@/scheduler/api/http';
import { requestUser } from '@/scheduler/api/request-user';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function POST(request: Request, { params }: RouteContext<{ name: string; n: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name, n } = await params;
    const ui = await getUiService();
    const result = await ui.history.restore(name, n, requestUser(request) || null);
    ui.markJobDirty(name);
    return uiJson(result);
  });
}
