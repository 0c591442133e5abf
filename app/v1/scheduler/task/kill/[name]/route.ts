/** DELETE /v1/scheduler/task/kill/{name}: kill the job's running tasks, 204. */
import { getServices } from '@/scheduler/api/context';
import { handle, noContent, type RouteContext } from '@/scheduler/api/http';

export async function DELETE(_request: Request, { params }: RouteContext<{ name: string }>): Promise<Response> {
  return handle(async () => {
    const { name } = await params;
    await (await getServices()).chronos.killTasks(name);
    return noContent();
  }, 'DELETE /v1/scheduler/task/kill/[name]');
}
