/** GET /v1/scheduler/graph/csv: node,<name>,<lastState>,<state> and link,<parent>,<child> lines, text/plain. */
import { getServices } from '@/scheduler/api/context';
import { handle, textResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => textResponse(await (await getServices()).chronos.graphCsv()), 'GET /v1/scheduler/graph/csv');
}
