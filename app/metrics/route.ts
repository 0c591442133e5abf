/**
 * GET /metrics. Chronos's Codahale-style JSON by default (scheduler/api/metrics-json.ts), as
 * Chronos clients expect; Prometheus text when the request asks for it: `Accept: text/plain`
 * (text format 0.0.4) or `application/openmetrics-text` (OpenMetrics 1.0), best q wins, JSON on a
 * tie. /metrics/prometheus always answers text.
 */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTextResponse } from '@/scheduler/api/http';
import { metricsJson } from '@/scheduler/api/metrics-json';
import { negotiateMetrics, schedulerMetrics } from '@/scheduler/runtime/metrics';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(request?: Request): Promise<Response> {
  return handle(async () => {
    const kind = negotiateMetrics(request?.headers.get('accept'));
    if (kind === 'json') {
      const r = jsonTextResponse(await metricsJson((await getServices()).store));
      r.headers.set('vary', 'Accept');
      return r;
    }
    const { body, contentType } = await schedulerMetrics().text(kind);
    return new Response(body, { status: 200, headers: { 'content-type': contentType, vary: 'Accept' } });
  }, 'GET /metrics');
}
