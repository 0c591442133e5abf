/** GET /v1/scheduler/leader: {"leader":"host:port"}. */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonResponse } from '@/scheduler/api/http';

/** Answered at request time, never prerendered at build (it reads the database). */
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  return handle(async () => jsonResponse((await getServices()).chronos.leader()), 'GET /v1/scheduler/leader');
}
