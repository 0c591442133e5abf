/** POST /api/jobs/bulk {action: run|disable|enable|delete, names | query (+ expect)} → BulkResult. */
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).bulk(await uiJsonBody(request))));
}
