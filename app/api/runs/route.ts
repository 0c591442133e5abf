/** GET /api/runs?job&state&from&to&limit&cursor → RunPage (newest first, cursor pagination). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).runs(new URL(request.url).searchParams)));
}
