/** GET /api/jobs/{name}/versions/{n} → JobVersion (404 naming the job or the version). */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(_request: Request, { params }: RouteContext<{ name: string; n: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name, n } = await params;
    return uiJson(await (await getUiService()).history.version(name, n));
  });
}
