/**
 * POST /api/jobs/{name}/backfill {"from", "to", "downstream"?, "concurrency"?, "force"?, "dryRun"?}
 *   → 201 BackfillView (started), or 200 BackfillPlanView with dryRun (nothing stored);
 *   400 naming the field, 404 for an unknown job (scheduler/api/backfill-service.ts).
 */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function POST(request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    const body = await uiJsonBody(request);
    const r = await (await getUiService()).backfillStart(name, body);
    return uiJson(r.body, r.status);
  });
}
