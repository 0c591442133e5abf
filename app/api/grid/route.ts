/** GET /api/grid?job|prefix|owner&n → PipelineGrid (jobs × the last n scheduled instants). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).grid(new URL(request.url).searchParams)));
}
