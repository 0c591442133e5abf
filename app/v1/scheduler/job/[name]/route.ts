/**
 * /v1/scheduler/job/{name}
 *   GET     the job's Chronos JSON
 *   PUT     manual run (?arguments=…), 204
 *   DELETE  delete, children rewired, 204
 */
import { getServices } from '@/scheduler/api/context';
import { handle, jsonTextResponse, noContent, type RouteContext } from '@/scheduler/api/http';
import { requestUser } from '@/scheduler/api/request-user';
import { jobToChronosJson } from '@/scheduler/api/job-json';

type Ctx = RouteContext<{ name: string }>;

export async function GET(_request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    return jsonTextResponse(jobToChronosJson(await (await getServices()).chronos.getJob(name)));
  }, 'GET /v1/scheduler/job/[name]');
}

export async function PUT(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    const args = new URL(request.url).searchParams.get('arguments');
    await (await getServices()).chronos.runJob(name, args);
    return noContent();
  }, 'PUT /v1/scheduler/job/[name]');
}

export async function DELETE(request: Request, { params }: Ctx): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    await (await getServices()).chronos.deleteJob(name, { by: requestUser(request) || null });
    return noContent();
  }, 'DELETE /v1/scheduler/job/[name]');
}
