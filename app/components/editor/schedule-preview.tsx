/**
 * The next runs of the schedule being edited, as the server computes them (GET /api/preview,
 * debounced by 300 ms): the schedule in words and a table of instants, or the field and reason
 * the schedule is refused for.
 */
import { useEffect, useState } from 'react';
import type { PreviewResult } from '@/scheduler/api/ui-types';
import { useApi } from '../api';
import { PreviewTable } from '../job-detail-view';
import { previewUrl } from '../urls';
import { fieldLabel } from './form-errors';

export function SchedulePreview({ schedule, zone }: { schedule: string; zone: string }) {
  const [debounced, setDebounced] = useState({ schedule, zone });
  useEffect(() => {
    const t = setTimeout(() => setDebounced({ schedule, zone }), 300);
    return () => clearTimeout(t);
  }, [schedule, zone]);
  const url = debounced.schedule.trim() ? previewUrl(debounced.schedule, debounced.zone) : null;
  const { data, error } = useApi<PreviewResult>(url);
  return (
    <div aria-live="polite" className="rounded-md border border-gray-200 p-3 dark:border-gray-800" data-testid="schedule-preview">
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-gray-500 uppercase dark:text-gray-400">Preview</h3>
      {!url ? (
        <p className="muted text-sm">Enter a schedule to see its next runs.</p>
      ) : error ? (
        <p className="field-error">{error.message}</p>
      ) : !data ? (
        <p className="muted text-sm">Computing…</p>
      ) : data.ok ? (
        <>
          <p className="text-sm font-medium">{data.description}</p>
          {data.runs.length ? <PreviewTable runs={data.runs} zone={zone} /> : <p className="muted text-sm">It never runs.</p>}
        </>
      ) : (
        <p className="field-error">
          {fieldLabel(data.field)}: {data.error}
        </p>
      )}
    </div>
  );
}
