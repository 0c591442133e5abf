/** PUT /v1/scheduler/job/success/{name}: 200 "marked job n as successful: true|false". */
import { getServices } from '@/scheduler/api/context';
import { handle, textResponse, type RouteContext } from '@/scheduler/api/http';

export async function PUT(_request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    return textResponse(await (await getServices()).chronos.markSuccess(name));
  }, 'PUT /v1/scheduler/job/success/[name]');
}
