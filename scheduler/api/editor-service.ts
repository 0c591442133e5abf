/**
 * The job editor's dry runs, nothing stored: GET /api/preview (an unsaved schedule's next runs and
 * its description, scheduler/core/preview.ts and describe.ts) and POST /api/validate (the upsert's
 * checks, chronos-service.ts, as field errors).
 */
import { describeSchedule } from '../core/describe';
import { MAX_PREVIEW, nextRuns } from '../core/preview';
import { scheduleProblem } from '../core/schedule-problem';
import type { Clock } from '../ports';
import type { ChronosService } from './chronos-service';
import type { PreviewResult, ValidateResult } from './ui-types';

export interface EditorServiceDeps {
  clock: Clock;
  chronos: Pick<ChronosService, 'validate'>;
}

export class EditorService {
  constructor(private readonly deps: EditorServiceDeps) {}

  preview(schedule: string | null | undefined, zone: string | null | undefined, n = 10): PreviewResult {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PREVIEW) {
      return { ok: false, error: `n must be an integer from 0 to ${MAX_PREVIEW}`, field: 'n' };
    }
    const expr = (schedule ?? '').trim();
    if (expr === '') return { ok: false, error: 'a schedule is required', field: 'schedule' };
    const now = this.deps.clock.now();
    const r = nextRuns(expr, zone ?? '', now, n);
    if (!r.ok) {
      const p = scheduleProblem(r.error, zone ?? '');
      return { ok: false, error: p.message, field: p.field };
    }
    return { ok: true, runs: r.value, description: describeSchedule(expr, zone, now) };
  }

  async validate(body: unknown, kind?: 'iso8601' | 'dependency'): Promise<ValidateResult> {
    const errors = await this.deps.chronos.validate(body, kind);
    return errors.length === 0 ? { ok: true } : { ok: false, errors };
  }
}
