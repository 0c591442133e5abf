/**
 * POST /api/validate (job JSON) → ValidateResult: the Chronos upsert's checks (schema, schedule,
 * zone, parents, cycle), nothing stored. `?kind=iso8601|dependency` picks the endpoint's rules;
 * without it the type comes from the keys present.
 */
import { UiFieldError, getUiService } from '@/scheduler/api/ui-service';
import { uiHandle, uiJson, uiJsonBody } from '@/scheduler/api/ui-http';

export const dynamic = 'force-dynamic';

export function POST(request: Request): Promise<Response> {
  return uiHandle(async () => {
    const kind = new URL(request.url).searchParams.get('kind');
    if (kind !== null && kind !== 'iso8601' && kind !== 'dependency') {
      throw new UiFieldError('kind', 'kind must be iso8601 or dependency');
    }
    const body = await uiJsonBody(request);
    return uiJson(await (await getUiService()).validate(body, kind ?? undefined));
  });
}
