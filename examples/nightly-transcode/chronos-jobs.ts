/**
 * The pipeline's steps as Chronos job JSON: the root is a scheduled job (POST
 * /v1/scheduler/iso8601) at 02:00 Asia/Shanghai every day, every other step a dependent job (POST
 * /v1/scheduler/dependency). Pure: the time is passed in.
 *
 * Beyond Chronos's own fields (retries, cpus, mem, maxCompletionTime as the step's deadline,
 * owner), Sisyphus's `notifications` route failures and overruns to the owners, and the root's
 * `concurrencyPolicy: Forbid` skips a night rather than starting it while the last one still runs.
 */
import { DateTime } from 'luxon';
import { NIGHT_HOUR, TIME_ZONE, type Step } from './pipeline';

export const OWNER = 'video-ops@example.com';

export type ChronosJob = Record<string, unknown> & { name: string; command: string };

/**
 * `R/<next 02:00 in Shanghai, wall clock>/P1D`: with scheduleTimeZone the start keeps its wall
 * time in that zone (Chronos's withZoneRetainFields), and P1D keeps it every day.
 */
export function nightlySchedule(now: Date): string {
  const local = DateTime.fromJSDate(now, { zone: TIME_ZONE });
  let next = local.set({ hour: NIGHT_HOUR, minute: 0, second: 0, millisecond: 0 });
  if (next <= local) next = next.plus({ days: 1 });
  return `R/${next.toFormat("yyyy-MM-dd'T'HH:mm:ss")}/P1D`;
}

export function chronosJobs(steps: Step[], now: Date): ChronosJob[] {
  return steps.map((s) => {
    const job: ChronosJob = {
      name: s.name,
      command: s.command,
      shell: true,
      description: s.description,
      owner: OWNER,
      ownerName: 'Video ops',
      cpus: s.cpus,
      mem: s.mem,
      disk: 256,
      retries: s.retries,
      maxCompletionTime: s.deadline,
      notifications: {
        rules: [
          { events: ['failed', 'still-running'], channels: ['mail', 'slack'] },
          { events: ['recovered'], channels: ['slack'] },
        ],
      },
    };
    if (s.parents.length) return { ...job, parents: s.parents };
    return { ...job, schedule: nightlySchedule(now), scheduleTimeZone: TIME_ZONE, concurrencyPolicy: 'Forbid' };
  });
}
