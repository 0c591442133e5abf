/** GET /api/backfills/{id} → BackfillDetailView (with every job × instant and its state); 404 when none. */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(_request: Request, { params }: RouteContext<{ id: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { id } = await params;
    return uiJson(await (await getUiService()).backfill(id));
  });
}
