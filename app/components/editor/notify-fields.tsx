'use client';
/** The editor's Notifications card: which events go to which channels, and a webhook of the job's own. */
import { Field } from './fields';
import type { FieldErrors } from './form-errors';
import { CHANNELS, EVENTS, type NotifyForm } from './notify-model';

export function NotifyFields({ value, onChange, errors }: { value: NotifyForm; onChange: (v: NotifyForm) => void; errors: FieldErrors }) {
  const toggle = (cell: string, on: boolean) => onChange({ ...value, cells: on ? [...value.cells, cell] : value.cells.filter((c) => c !== cell) });
  return (
    <fieldset className="card min-w-0 space-y-3">
      <legend className="sr-only">Notifications</legend>
      <h2 className="card-title">Notifications</h2>
      <p className="hint">Nothing ticked: as Chronos — failed, disabled and deleted go to every configured channel, mail to each owner.</p>
      {/* a fieldset does not shrink below its content unless told (min-w-0); the grid scrolls inside it at 390 px */}
      <div className="overflow-x-auto">
        <table className="text-sm" aria-label="Notification rules">
          <thead>
            <tr>
              <th />
              {CHANNELS.map((c) => (
                <th key={c} className="px-2 text-xs font-medium">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {EVENTS.map((e) => (
              <tr key={e}>
                <th className="pr-2 text-left text-xs font-medium">{e}</th>
                {CHANNELS.map((c) => (
                  <td key={c} className="px-2 text-center">
                    <input type="checkbox" aria-label={`${e} → ${c}`} checked={value.cells.includes(`${e}:${c}`)} onChange={(ev) => toggle(`${e}:${c}`, ev.target.checked)} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Field label="Webhook of this job" field="notifications" errors={errors} hint="Receives a signed JSON document per notification, besides NOTIFY_WEBHOOK_URL (tick its webhook column).">
        {(p) => <input {...p} className="input" type="url" placeholder="https://hooks.example.com/…" value={value.webhookUrl} onChange={(e) => onChange({ ...value, webhookUrl: e.target.value })} />}
      </Field>
    </fieldset>
  );
}
