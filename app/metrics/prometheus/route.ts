/** GET /metrics/prometheus: the scheduler's metrics in Prometheus text format 0.0.4, always. */
import { handle } from '@/scheduler/api/http';
import { schedulerMetrics } from '@/scheduler/runtime/metrics';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => {
    const { body, contentType } = await schedulerMetrics().text('prometheus');
    return new Response(body, { status: 200, headers: { 'content-type': contentType } });
  }, 'GET /metrics/prometheus');
}
