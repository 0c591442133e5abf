/** POST /api/jobs/bulk {action: run|disable|enable|delete, names | query (+ expect)} → BulkResult. */
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';
import { requestUser } from '@/scheduler/api/request-user';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).bulk(await uiJsonBody(request), requestUser(request) || null)));
}
