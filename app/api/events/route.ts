/**
 * GET /api/events → text/event-stream: one `data: <UiEvent JSON>` per scheduler event (runs,
 * queue, offers, framework, leader, jobs, errors), a comment ping every 15 s. Unsubscribes when
 * the client goes away.
 */
import { uiEventStream } from '@/scheduler/api/ui-http';
import { SCHEDULER_KEY } from '@/scheduler/api/ui-service';
import type { Scheduler } from '@/scheduler/runtime/assemble';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Response {
  const registry = globalThis as unknown as Record<symbol, Scheduler | undefined>;
  return uiEventStream({ bus: () => registry[SCHEDULER_KEY]?.events ?? null, signal: request.signal });
}
