/** GET /api/preview?schedule&zone&n=10 → PreviewResult (an unsaved schedule; errors name the field). */
import { uiHandle, uiIntParam, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';
import { MAX_PREVIEW } from '@/scheduler/core/preview';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const url = new URL(request.url);
    const n = uiIntParam(url, 'n', 10, MAX_PREVIEW);
    const zone = url.searchParams.get('zone') ?? url.searchParams.get('scheduleTimeZone');
    return uiJson((await getUiService()).preview(url.searchParams.get('schedule'), zone, n));
  });
}
