/** POST /api/jobs/{name}/resume {downstream?, prefix?} → {jobs, pause: null}: end a pause early (the body may be empty). */
import type { RouteContext } from '@/scheduler/api/http';
import { requestUser } from '@/scheduler/api/request-user';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function POST(request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    const text = await request.text();
    let body: unknown = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (e) {
        return uiJson({ error: `malformed JSON body: ${(e as Error).message}`, field: 'body' }, 400);
      }
    }
    return uiJson(await (await getUiService()).resume(name, body, requestUser(request)));
  });
}
