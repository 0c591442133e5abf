/** GET /metrics: Codahale-style JSON, as Chronos serves it (see scheduler/api/metrics-json.ts). */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTextResponse } from '@/scheduler/api/http';
import { metricsJson } from '@/scheduler/api/metrics-json';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => jsonTextResponse(await metricsJson((await getServices()).store)));
}
