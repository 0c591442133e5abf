/**
 * POST /api/backfills/{id}/pause | resume | cancel → BackfillView; 404 for an unknown backfill or
 * action, 409 when its state does not allow it (a done backfill cannot be paused).
 */
import type { RouteContext } from '@/scheduler/api/http';
import { ApiError } from '@/scheduler/api/errors';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

const ACTIONS = ['pause', 'resume', 'cancel'] as const;

export function POST(_request: Request, { params }: RouteContext<{ id: string; action: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { id, action } = await params;
    const a = ACTIONS.find((x) => x === action);
    if (!a) throw ApiError.notFound(`no action '${action}' on a backfill: pause, resume or cancel`);
    return uiJson(await (await getUiService()).backfillAction(id, a));
  });
}
