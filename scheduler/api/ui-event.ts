/** A scheduler event (scheduler/runtime/events.ts) as the browser's event stream carries it (`UiEvent`). */
import type { SchedulerEventMap, SchedulerEventName } from '../runtime/events';
import { runRow } from './run-row';
import type { UiEvent } from './ui-types';

export function toUiEvent<K extends SchedulerEventName>(name: K, payload: SchedulerEventMap[K]): UiEvent {
  switch (name) {
    case 'run': {
      const p = payload as SchedulerEventMap['run'];
      return { type: 'run', run: runRow(p.run), previous: p.previous };
    }
    case 'queue':
      return { type: 'queue', ...(payload as SchedulerEventMap['queue']) };
    case 'offers':
      return { type: 'offers', ...(payload as SchedulerEventMap['offers']) };
    case 'framework':
      return { type: 'framework', ...(payload as SchedulerEventMap['framework']) };
    case 'leader':
      return { type: 'leader', ...(payload as SchedulerEventMap['leader']) };
    case 'job':
      return { type: 'job', ...(payload as SchedulerEventMap['job']) };
    default:
      return { type: 'error', ...(payload as SchedulerEventMap['error']) };
  }
}
