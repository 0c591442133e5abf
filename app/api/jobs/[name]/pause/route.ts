/**
 * POST /api/jobs/{name}/pause {until | for, note?, downstream?, prefix?} → {jobs, pause}: pause the
 * job (and everything downstream of it, or every job whose name starts with {name}) until an
 * instant or for a duration; it resumes by itself at the end. 400 naming the field, nothing changed.
 */
import type { RouteContext } from '@/scheduler/api/http';
import { requestUser } from '@/scheduler/api/request-user';
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function POST(request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    return uiJson(await (await getUiService()).pause(name, await uiJsonBody(request), requestUser(request)));
  });
}
