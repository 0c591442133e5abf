/**
 * GET /api/graph?focus=name&layout=1 → GraphData (focus: only that job's ancestors and descendants;
 * layout=1: with the positions the server laid it out at, for the graph page).
 */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const params = new URL(request.url).searchParams;
    const focus = params.get('focus');
    const layout = params.get('layout') === '1' || params.get('layout') === 'true';
    return uiJson(await (await getUiService()).graph(focus || null, { layout }));
  });
}
