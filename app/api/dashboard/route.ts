/** GET /api/dashboard → Dashboard (scheduler/api/ui-types.ts). */
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';
import { getUiService } from '@/scheduler/api/ui-service';

export const dynamic = 'force-dynamic';

export function GET(): Promise<Response> {
  return uiHandle(async () => uiJson(await (await getUiService()).dashboard()));
}
