/** GET /api/runs/timeline?job&state&from&to&limit&cursor → RunTimelinePage (the runs a timeline window draws, compact). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).timeline(new URL(request.url).searchParams)));
}
