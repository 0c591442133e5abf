/**
 * The form mode of the editor: every field it shows, in cards (basics; when it runs, through the
 * schedule builder or the parent picker; arguments and environment; Docker container; resources;
 * behaviour), and the JSON that will be sent.
 */
import { Check, Field, ListEditor } from './fields';
import type { FieldErrors } from './form-errors';
import type { FormState, Json, SetField } from './form-model';
import { ParentPicker } from './parent-picker';
import { RunPolicyFields } from './run-policy-fields';
import { CatchUpFields } from './catch-up-fields';
import { NotifyFields } from './notify-fields';
import { ResourceWarning } from './resource-warning';
import { ScheduleBuilder } from './schedule-builder';

export function FormFields({
  form,
  set,
  errors,
  editing,
  jobName,
  json,
}: {
  form: FormState;
  set: SetField;
  errors: FieldErrors;
  editing: boolean;
  jobName?: string;
  json: Json;
}) {
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="space-y-6 lg:col-span-2">
        <fieldset className="card space-y-4">
          <legend className="sr-only">Basics</legend>
          <h2 className="card-title">Basics</h2>
          <Field label="Name" field="name" errors={errors} hint={editing ? 'The name cannot change.' : 'Letters, digits, _ . and - only.'}>
            {(p) => <input {...p} className="input font-mono" value={form.name} readOnly={editing} onChange={(e) => set('name', e.target.value)} autoComplete="off" />}
          </Field>
          <Field label="Command" field="command" errors={errors} hint={form.shell ? 'Run by /bin/sh -c.' : 'Run directly, with the arguments below.'}>
            {(p) => <textarea {...p} className="input h-20 font-mono text-xs" value={form.command} onChange={(e) => set('command', e.target.value)} spellCheck={false} />}
          </Field>
          <Check label="Run through a shell" checked={form.shell} onChange={(v) => set('shell', v)} />
          <Field label="Description" field="description" errors={errors}>
            {(p) => <input {...p} className="input" value={form.description} onChange={(e) => set('description', e.target.value)} />}
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Owner (emails)" field="owner" errors={errors} hint="Notified on failure; comma separated.">
              {(p) => <input {...p} className="input" value={form.owner} onChange={(e) => set('owner', e.target.value)} />}
            </Field>
            <Field label="Owner name" field="ownerName" errors={errors}>
              {(p) => <input {...p} className="input" value={form.ownerName} onChange={(e) => set('ownerName', e.target.value)} />}
            </Field>
          </div>
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">When</legend>
          <h2 className="card-title">When it runs</h2>
          <div role="radiogroup" aria-label="Job type" className="flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="kind" checked={form.kind === 'scheduled'} onChange={() => set('kind', 'scheduled')} />
              On a schedule
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="kind" checked={form.kind === 'dependent'} onChange={() => set('kind', 'dependent')} />
              After other jobs (dependent)
            </label>
          </div>
          {form.kind === 'scheduled' ? (
            <>
              <ScheduleBuilder form={form} set={set} errors={errors} />
              <CatchUpFields form={form} set={set} errors={errors} />
            </>
          ) : (
            <ParentPicker parents={form.parents} onChange={(p) => set('parents', p)} errors={errors} jobName={jobName ?? form.name} json={json} />
          )}
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">Arguments and environment</legend>
          <h2 className="card-title">Arguments and environment</h2>
          <ListEditor
            label="Arguments"
            field="arguments"
            errors={errors}
            items={form.arguments}
            empty=""
            onChange={(v) => set('arguments', v)}
            render={(item, update, i) => <input className="input font-mono" aria-label={`Argument ${i + 1}`} value={item} onChange={(e) => update(e.target.value)} />}
          />
          <ListEditor
            label="Environment variables"
            field="env"
            errors={errors}
            items={form.env}
            empty={{ key: '', value: '' }}
            onChange={(v) => set('env', v)}
            render={(item, update, i) => (
              <div className="grid flex-1 grid-cols-2 gap-2">
                <input className="input font-mono" aria-label={`Variable ${i + 1} name`} placeholder="NAME" value={item.key} onChange={(e) => update({ ...item, key: e.target.value })} />
                <input className="input font-mono" aria-label={`Variable ${i + 1} value`} placeholder="value" value={item.value} onChange={(e) => update({ ...item, value: e.target.value })} />
              </div>
            )}
          />
        </fieldset>

        <fieldset className="card space-y-4">
          <legend className="sr-only">Docker container</legend>
          <h2 className="card-title">Docker container</h2>
          <Check label="Run in a Docker container" checked={form.useContainer} onChange={(v) => set('useContainer', v)} />
          {form.useContainer ? (
            <>
              <div className="grid gap-4 sm:grid-cols-2">
                <Field label="Image" field="image" errors={errors}>
                  {(p) => <input {...p} className="input font-mono" placeholder="alpine:3.20" value={form.image} onChange={(e) => set('image', e.target.value)} />}
                </Field>
                <Field label="Network" field="network" errors={errors}>
                  {(p) => (
                    <select {...p} className="input" value={form.network} onChange={(e) => set('network', e.target.value)}>
                      <option value="HOST">HOST</option>
                      <option value="BRIDGE">BRIDGE</option>
                      <option value="USER">USER</option>
                    </select>
                  )}
                </Field>
              </div>
              <Check label="Force pull the image" checked={form.forcePullImage} onChange={(v) => set('forcePullImage', v)} />
              <ListEditor
                label="Docker parameters"
                field="parameters"
                errors={errors}
                items={form.parameters}
                empty={{ key: '', value: '' }}
                onChange={(v) => set('parameters', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-2 gap-2">
                    <input className="input font-mono" aria-label={`Parameter ${i + 1} key`} placeholder="key" value={item.key} onChange={(e) => update({ ...item, key: e.target.value })} />
                    <input className="input font-mono" aria-label={`Parameter ${i + 1} value`} placeholder="value" value={item.value} onChange={(e) => update({ ...item, value: e.target.value })} />
                  </div>
                )}
              />
              <ListEditor
                label="Volumes"
                field="volumes"
                errors={errors}
                items={form.volumes}
                empty={{ containerPath: '', hostPath: '', mode: 'RW' }}
                onChange={(v) => set('volumes', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-[1fr_1fr_5rem] gap-2">
                    <input className="input font-mono" aria-label={`Volume ${i + 1} container path`} placeholder="/container/path" value={item.containerPath} onChange={(e) => update({ ...item, containerPath: e.target.value })} />
                    <input className="input font-mono" aria-label={`Volume ${i + 1} host path`} placeholder="/host/path" value={item.hostPath} onChange={(e) => update({ ...item, hostPath: e.target.value })} />
                    <select className="input" aria-label={`Volume ${i + 1} mode`} value={item.mode} onChange={(e) => update({ ...item, mode: e.target.value })}>
                      <option value="RW">RW</option>
                      <option value="RO">RO</option>
                    </select>
                  </div>
                )}
              />
              <ListEditor
                label="Port mappings"
                field="portMappings"
                errors={errors}
                items={form.portMappings}
                empty={{ hostPort: '', containerPort: '', protocol: 'tcp' }}
                onChange={(v) => set('portMappings', v)}
                render={(item, update, i) => (
                  <div className="grid flex-1 grid-cols-[1fr_1fr_5rem] gap-2">
                    <input className="input font-mono" inputMode="numeric" aria-label={`Mapping ${i + 1} host port`} placeholder="host port" value={item.hostPort} onChange={(e) => update({ ...item, hostPort: e.target.value })} />
                    <input className="input font-mono" inputMode="numeric" aria-label={`Mapping ${i + 1} container port`} placeholder="container port" value={item.containerPort} onChange={(e) => update({ ...item, containerPort: e.target.value })} />
                    <select className="input" aria-label={`Mapping ${i + 1} protocol`} value={item.protocol} onChange={(e) => update({ ...item, protocol: e.target.value })}>
                      <option value="tcp">tcp</option>
                      <option value="udp">udp</option>
                    </select>
                  </div>
                )}
              />
            </>
          ) : (
            <p className="hint">Without a container the command runs in the Mesos sandbox with the agent&apos;s default executor.</p>
          )}
        </fieldset>
      </div>

      <div className="space-y-6">
        <fieldset className="card space-y-4">
          <legend className="sr-only">Resources</legend>
          <h2 className="card-title">Resources</h2>
          <div className="grid grid-cols-3 gap-3">
            <Field label="CPUs" field="cpus" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} />}
            </Field>
            <Field label="Mem (MB)" field="mem" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.mem} onChange={(e) => set('mem', e.target.value)} />}
            </Field>
            <Field label="Disk (MB)" field="disk" errors={errors}>
              {(p) => <input {...p} className="input" inputMode="decimal" value={form.disk} onChange={(e) => set('disk', e.target.value)} />}
            </Field>
          </div>
          <ResourceWarning cpus={form.cpus} mem={form.mem} disk={form.disk} />
          <Field label="Retries" field="retries" errors={errors} hint="Extra attempts after a failure.">
            {(p) => <input {...p} className="input w-24" inputMode="numeric" value={form.retries} onChange={(e) => set('retries', e.target.value)} />}
          </Field>
        </fieldset>
        <fieldset className="card space-y-3">
          <legend className="sr-only">Behaviour</legend>
          <h2 className="card-title">Behaviour</h2>
          <RunPolicyFields form={form} set={set} errors={errors} />
          <Check label="High priority" hint="Launched before other queued runs." checked={form.highPriority} onChange={(v) => set('highPriority', v)} />
          <Check label="Soft error" hint="A failure does not disable the job after repeated errors." checked={form.softError} onChange={(v) => set('softError', v)} />
          <Check label="Disabled" hint="Kept, but not scheduled." checked={form.disabled} onChange={(v) => set('disabled', v)} />
        </fieldset>
        <NotifyFields value={form.notify} onChange={(v) => set('notify', v)} errors={errors} />
        <details className="card text-xs">
          <summary className="cursor-pointer text-sm font-medium">JSON that will be sent</summary>
          <pre className="mt-2 max-h-80 overflow-auto font-mono">{JSON.stringify(json, null, 2)}</pre>
        </details>
      </div>
    </div>
  );
}
