/** POST /v1/scheduler/iso8601: create or replace a scheduled job (204). PUT is the 2.x alias. */
import { getServices } from '@/scheduler/api/context';
import { handle, noContent, readJsonBody } from '@/scheduler/api/http';
import { requestUser } from '@/scheduler/api/request-user';

export async function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const body = await readJsonBody(request);
    await (await getServices()).chronos.upsertIso8601(body, { by: requestUser(request) || null });
    return noContent();
  }, 'POST /v1/scheduler/iso8601');
}

/** Chronos 2.x accepted PUT as POST, and chronos-python's `update` still sends it. */
export const PUT = POST;
