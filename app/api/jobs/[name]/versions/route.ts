/** GET /api/jobs/{name}/versions?limit=&before= → VersionPage (the job's history, newest first). */
import type { RouteContext } from '@/scheduler/api/http';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return uiHandle(async () => {
    const { name } = await params;
    return uiJson(await (await getUiService()).history.versions(name, new URL(request.url).searchParams));
  });
}
