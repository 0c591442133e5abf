/** GET /api/jobs?q&status&state&owner&disabled&kind&sort&dir&offset&limit → JobPage. */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService, parseJobPageQuery } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const query = parseJobPageQuery(new URL(request.url).searchParams);
    return uiJson(await (await getUiService()).jobs(query));
  });
}
