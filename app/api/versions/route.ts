/** GET /api/versions?deleted=1&limit= → DeletedJobs: jobs deleted (and not re-created), latest first. */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).history.deleted(new URL(request.url).searchParams)));
}
