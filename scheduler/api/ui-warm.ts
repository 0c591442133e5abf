/**
 * The UI's jobs snapshot built as soon as this instance's scheduler has loaded (the moment
 * `sisyphus_scheduler_loaded` turns 1: a start or a takeover), in the background and over many
 * event-loop turns (jobs-snapshot.ts), instead of on the first request: at a million jobs that
 * request took 4-13 s, the event loop held for seconds. Called by server/main.ts after boot().
 */
import { registry } from '../registry';
import type { Leadership } from '../runtime/leadership';
import { getUiService } from './ui-service';

export function warmUiOnLead(leadership: Leadership, onError: (e: unknown) => void = () => {}): void {
  const warm = () => void getUiService().then((ui) => ui.warmJobs()).catch(onError);
  // the 'leader' event comes after the term's scheduler has loaded and been registered
  leadership.events.on('leader', (e) => {
    if (e.isLeader) warm();
  });
  if (registry.scheduler.get()) warm();
}
