/** GET /api/graph?focus=name → GraphData (with focus: only that job's ancestors and descendants). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const focus = new URL(request.url).searchParams.get('focus');
    return uiJson(await (await getUiService()).graph(focus || null));
  });
}
