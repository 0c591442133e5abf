/** GET /api/jobs/{name} → JobDetail (404 for an unknown job). */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(_request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    return uiJson(await (await getUiService()).jobDetail(name));
  });
}
