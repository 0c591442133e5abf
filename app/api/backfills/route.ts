/** GET /api/backfills[?job=NAME] → BackfillView[] (newest first, with progress). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).backfills(new URL(request.url).searchParams.get('job'))));
}
