/**
 * GET /api/events → text/event-stream: one `data: <UiEvent JSON>` per scheduler event (runs,
 * queue, offers, framework, leader, jobs, errors), a comment ping every 15 s. Unsubscribes when
 * the client goes away.
 */
import { uiEventStream } from '@/scheduler/api/ui-http';
import { registry } from '@/scheduler/registry';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  return uiEventStream({ bus: () => registry.scheduler.get()?.events ?? null, signal: request.signal });
}
