/** GET /api/notifications?job&failed&limit → NotificationsView (scheduler/api/notifications-service.ts). */
import { getServices } from '@/scheduler/api/context';
import { notificationsView } from '@/scheduler/api/notifications-service';
import { uiHandle, uiJson } from '@/scheduler/api/ui-http';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return uiHandle(async () => uiJson(await notificationsView((await getServices()).store, new URL(request.url).searchParams)));
}
