/**
 * The schedule builder: the schedule as its parts (repetitions, start in the job's zone, period)
 * or as cron presets, both writing the one schedule text field, with the time zone and the live
 * preview of the next runs. The text is read with the scheduler's own grammar
 * (scheduler/core: `grammarOf` tells ISO 8601 from cron, `splitSchedule` gives the parts of
 * `R[n]/<start>/<period>`, `joinSchedule` writes them back).
 */
import { DateTime } from 'luxon';
import { useId, useState } from 'react';
import { joinSchedule, splitSchedule, type ScheduleParts } from '@/scheduler/core/iso8601';
import { grammarOf } from '@/scheduler/core/spec';
import { newJobSchedule } from '../urls';
import { Field } from './fields';
import type { FieldErrors } from './form-errors';
import type { FormState, SetField } from './form-model';
import { SchedulePreview } from './schedule-preview';

const PERIODS: Array<[string, string]> = [
  ['PT1M', 'every minute'],
  ['PT5M', 'every 5 minutes'],
  ['PT15M', 'every 15 minutes'],
  ['PT30M', 'every 30 minutes'],
  ['PT1H', 'every hour'],
  ['PT6H', 'every 6 hours'],
  ['PT12H', 'every 12 hours'],
  ['P1D', 'every day'],
  ['P1W', 'every week'],
  ['P1M', 'every month'],
];
const CRON_PRESETS: Array<[string, string]> = [
  ['*/15 * * * *', 'every 15 minutes'],
  ['0 * * * *', 'hourly'],
  ['0 2 * * *', 'daily at 02:00'],
  ['0 9 * * 1-5', 'weekdays at 09:00'],
  ['0 0 1 * *', 'monthly on the 1st'],
];
const ZONES = ['', 'UTC', 'America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Europe/Paris', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Sydney'];

/**
 * The parts of an ISO 8601 schedule as written, or null when the text is not one (cron, or
 * typed in the text field). Looser than the grammar's split: a period being typed ("", "X1")
 * still shows as the custom period, so the builder never vanishes or changes what was typed.
 */
function isoParts(schedule: string): ScheduleParts | null {
  const text = schedule.trim();
  const parts = splitSchedule(text);
  if (parts.ok) return parts.value;
  const m = /^R(\d*)\/([^/]*)\/([^/]*)$/.exec(text);
  return m ? { repeat: m[1], start: m[2], period: m[3] } : null;
}
const isPreset = (period: string) => PERIODS.some(([p]) => p === period);
const isCron = (schedule: string) => grammarOf(schedule.trim()) === 'cron';

/**
 * The start as a datetime-local value: its wall time in the zone (with a zone: the written
 * fields, as the scheduler reads them) or in UTC; '' when the picker cannot show it (not a date,
 * seconds), and then the text is shown as typed.
 */
function startToLocal(start: string, zone: string): string {
  if (!start) return '';
  const dt = DateTime.fromISO(start, { setZone: true, zone: 'utc' });
  if (!dt.isValid) return '';
  const wall = zone ? dt : dt.toUTC();
  return wall.toFormat("yyyy-MM-dd'T'HH:mm");
}
function localToStart(local: string, zone: string): string {
  if (!local) return '';
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  return zone ? withSeconds : `${withSeconds}Z`;
}

export function ScheduleBuilder({ form, set, errors }: { form: FormState; set: SetField; errors: FieldErrors }) {
  const cron = isCron(form.schedule);
  const iso = isoParts(form.schedule);
  const [customChosen, setCustomChosen] = useState(false);
  // A period that is no preset is always shown as custom: the select never shows another period than the text's.
  const customPeriod = customChosen || (!!iso && !isPreset(iso.period));
  const startLocal = iso ? startToLocal(iso.start, form.scheduleTimeZone) : '';
  // a start the picker cannot show (a typo, seconds) is shown as text, as typed
  const startAsText = !!iso && iso.start !== '' && (startLocal === '' || !/T\d\d:\d\d(:00(\.0+)?)?([Z+-]|$)/.test(iso.start));
  const zoneListId = useId();

  const writeIso = (patch: Partial<ScheduleParts>) => {
    const cur = iso ?? { repeat: '', start: '', period: 'P1D' };
    set('schedule', joinSchedule({ ...cur, ...patch }));
  };

  return (
    <div className="space-y-4">
      <div role="radiogroup" aria-label="Schedule kind" className="flex gap-4 text-sm">
        <label className="flex items-center gap-2">
          <input type="radio" name="schedule-kind" checked={!cron} onChange={() => set('schedule', newJobSchedule(Date.now()))} />
          Repeating interval (ISO 8601)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="schedule-kind" checked={cron} onChange={() => set('schedule', '0 2 * * *')} />
          Cron
        </label>
      </div>

      {cron ? (
        <div className="flex flex-wrap gap-2">
          {CRON_PRESETS.map(([expr, label]) => (
            <button key={expr} type="button" className={`btn btn-sm ${form.schedule.trim() === expr ? 'btn-primary' : ''}`} onClick={() => set('schedule', expr)}>
              {label}
            </button>
          ))}
        </div>
      ) : iso ? (
        <div className="grid gap-3 sm:grid-cols-3">
          <div>
            <label htmlFor="sb-repeat" className="label">
              Repetitions
            </label>
            <input
              id="sb-repeat"
              className="input"
              inputMode="numeric"
              placeholder="forever"
              value={iso.repeat}
              onChange={(e) => writeIso({ repeat: e.target.value.replace(/\D/g, '') })}
            />
            <p className="hint">Empty: forever.</p>
          </div>
          <div>
            <label htmlFor="sb-start" className="label">
              Start ({form.scheduleTimeZone || 'UTC'})
            </label>
            {startAsText ? (
              <input id="sb-start" className="input font-mono" value={iso.start} spellCheck={false} onChange={(e) => writeIso({ start: e.target.value })} />
            ) : (
              <input
                id="sb-start"
                type="datetime-local"
                className="input"
                value={startLocal}
                onChange={(e) => writeIso({ start: localToStart(e.target.value, form.scheduleTimeZone) })}
              />
            )}
            <label className="mt-1 flex items-center gap-1.5 text-xs">
              <input type="checkbox" checked={iso.start === ''} onChange={(e) => writeIso({ start: e.target.checked ? '' : localToStart(DateTime.utc().plus({ hours: 1 }).startOf('hour').toFormat("yyyy-MM-dd'T'HH:mm"), form.scheduleTimeZone) })} />
              start now
            </label>
          </div>
          <div>
            <label htmlFor="sb-period" className="label">
              Period
            </label>
            <select
              id="sb-period"
              className="input"
              value={customPeriod ? 'custom' : iso.period}
              onChange={(e) => {
                if (e.target.value === 'custom') setCustomChosen(true);
                else {
                  setCustomChosen(false);
                  writeIso({ period: e.target.value });
                }
              }}
            >
              {PERIODS.map(([p, l]) => (
                <option key={p} value={p}>
                  {l} ({p})
                </option>
              ))}
              <option value="custom">custom…</option>
            </select>
            {customPeriod ? (
              <input aria-label="Custom period (ISO 8601 duration)" className="input mt-1 font-mono" placeholder="PT90M" value={iso.period} onChange={(e) => writeIso({ period: e.target.value.toUpperCase() })} />
            ) : null}
          </div>
        </div>
      ) : null}

      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <Field label="Schedule" field="schedule" errors={errors} hint={cron ? 'minute hour day-of-month month day-of-week, in the time zone' : 'R[n]/start/period, e.g. R/2026-01-01T02:00:00Z/P1D'}>
          {(p) => <input {...p} className="input font-mono" value={form.schedule} onChange={(e) => set('schedule', e.target.value)} spellCheck={false} autoComplete="off" />}
        </Field>
        <Field label="Time zone" field="scheduleTimeZone" errors={errors} hint="Empty: UTC. Daylight saving is applied.">
          {(p) => (
            <>
              <input {...p} list={zoneListId} className="input" placeholder="UTC" value={form.scheduleTimeZone} onChange={(e) => set('scheduleTimeZone', e.target.value)} />
              <datalist id={zoneListId}>
                {ZONES.filter(Boolean).map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
      </div>
      <SchedulePreview schedule={form.schedule} zone={form.scheduleTimeZone} />
    </div>
  );
}
