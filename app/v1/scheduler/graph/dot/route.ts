/** GET /v1/scheduler/graph/dot: the dependency graph in Graphviz DOT, text/plain. */
import { getServices } from '@/scheduler/api/context';
import { handle, textResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => textResponse(await (await getServices()).chronos.graphDot()), 'GET /v1/scheduler/graph/dot');
}
