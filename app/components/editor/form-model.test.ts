import { describe, expect, it } from 'vitest';
import { jobInputSchema } from '@/scheduler/api/job-schema';
import { emptyForm, formFromJson, jsonFromForm, kindOfJson, kindOfRawJson } from './form-model';
import { byFormField, clientErrors } from './form-errors';
import { EVENTS } from './notify-model';
import { NOTIFY_KINDS } from '@/scheduler/core/notify-events';

/** 2026-05-14T10:23:45Z: a new job's schedule starts at the next hour. */
const NOW = Date.UTC(2026, 4, 14, 10, 23, 45);

const stored = {
  name: 'nightly-transcode',
  command: 'transcode --all',
  shell: true,
  schedule: 'R/2026-06-01T02:00:00Z/P1D',
  scheduleTimeZone: 'Europe/Berlin',
  cpus: 2,
  mem: 4096,
  disk: 256,
  retries: 1,
  owner: 'media@example.com',
  environmentVariables: [{ name: 'STAGE', value: 'prod' }],
  // fields the form does not show
  constraints: [['hostname', 'LIKE', 'gpu-.*']],
  epsilon: 'PT5M',
  runAsUser: 'media',
  container: {
    type: 'DOCKER',
    image: 'ffmpeg:7',
    network: 'BRIDGE',
    forcePullImage: true,
    volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RO' }],
    networkInfos: [{ name: 'media-net', portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }],
  },
};

describe('form model: the Chronos job JSON through the form', () => {
  it('a stored job edited in the form keeps what the form does not show', () => {
    const form = formFromJson(stored);
    expect(form).toMatchObject({ kind: 'scheduled', cpus: '2', image: 'ffmpeg:7', network: 'BRIDGE', useContainer: true });
    const out = jsonFromForm({ ...form, description: 'edited' }, stored);
    expect(out).toMatchObject({ description: 'edited', constraints: stored.constraints, epsilon: 'PT5M', runAsUser: 'media', cpus: 2, mem: 4096 });
    expect(out.container).toMatchObject({ type: 'DOCKER', volumes: stored.container.volumes, networkInfos: [{ name: 'media-net', portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }] });
    expect(jobInputSchema.safeParse(out).success).toBe(true);
  });

  it('a new job is a daily schedule from the next hour, valid once named and given a command', () => {
    const form = emptyForm(NOW);
    expect(form.schedule).toBe('R/2026-05-14T11:00:00Z/P1D');
    const json = jsonFromForm({ ...form, name: 'hello', command: 'echo hi' });
    expect(json).toMatchObject({ name: 'hello', command: 'echo hi', schedule: 'R/2026-05-14T11:00:00Z/P1D', cpus: 0.1, mem: 128, disk: 256, retries: 2 });
    expect(json.container).toBeUndefined();
    expect(clientErrors(json, 'scheduled')).toEqual({});
  });

  it('a dependent job is saved with its parents and without a schedule or zone', () => {
    const form = { ...formFromJson(stored), kind: 'dependent' as const, parents: ['a', 'b'] };
    const json = jsonFromForm(form, stored);
    expect(json.parents).toEqual(['a', 'b']);
    expect(json).not.toHaveProperty('schedule');
    expect(json).not.toHaveProperty('scheduleTimeZone');
    expect(kindOfJson(json)).toBe('dependent');
    expect(formFromJson(json).kind).toBe('dependent');
  });

  it('an emptied number is left out (the default applies); text that is not a number is sent for the schema to name', () => {
    const json = jsonFromForm({ ...emptyForm(NOW), name: 'x', command: 'true', cpus: '', mem: 'lots' });
    expect(json).not.toHaveProperty('cpus');
    expect(json.mem).toBe('lots');
    expect(Object.keys(clientErrors(json, 'scheduled'))).toEqual(['mem']);
  });

  it('the raw JSON is saved as dependent only with parents and no schedule; text that does not parse counts as scheduled', () => {
    expect(kindOfRawJson('{"name":"x","parents":["a"]}')).toBe('dependent');
    expect(kindOfRawJson('{"name":"x","parents":["a"],"schedule":"R//P1D"}')).toBe('scheduled');
    expect(kindOfRawJson('{"name": ')).toBe('scheduled');
    expect(kindOfRawJson('null')).toBe('scheduled');
  });
});

describe('form errors: each error shown next to the widget that holds its field', () => {
  it('nested API fields go to their list or container widget, naming the item', () => {
    expect(
      byFormField({
        'container.volumes[1].mode': 'must be RW or RO',
        'environmentVariables[0].name': 'is required',
        'container.image': 'is required',
        cpus: 'must be a positive number',
      }),
    ).toEqual({
      volumes: 'container.volumes[1].mode: must be RW or RO',
      env: 'environmentVariables[0].name: is required',
      image: 'container.image: is required',
      cpus: 'must be a positive number',
    });
  });

  it('the form checks what the schema alone does not: a schedule, a parent, a command', () => {
    const base = jsonFromForm({ ...emptyForm(NOW), name: 'x', command: ' ', schedule: ' ' });
    expect(clientErrors(base, 'scheduled')).toMatchObject({ schedule: 'is required for a scheduled job', command: 'is required (the shell command to run)' });
    expect(clientErrors({ ...base, command: 'true', parents: [] }, 'dependent')).toMatchObject({ parents: 'pick at least one parent' });
  });
});

describe('notification rules in the editor', () => {
  it('a ticked grid becomes notifications the schema takes; nothing ticked leaves the JSON as Chronos has it', () => {
    const f = formFromJson({ name: 'n', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' });
    expect(jsonFromForm(f)).not.toHaveProperty('notifications');
    const ticked = { ...f, notify: { cells: ['failed:mail', 'failed:slack', 'recovered:slack'], webhookUrl: ' https://hooks.example.com/n ' } };
    const json = jsonFromForm(ticked);
    expect(json.notifications).toEqual({
      rules: [
        { events: ['failed'], channels: ['mail', 'slack'] },
        { events: ['recovered'], channels: ['slack'] },
      ],
      webhookUrl: 'https://hooks.example.com/n',
    });
    expect(jobInputSchema.safeParse(json).success).toBe(true);
    // and back: the stored rules tick the same cells
    expect(formFromJson(json).notify.cells.sort()).toEqual(['failed:mail', 'failed:slack', 'recovered:slack']);
    // unticking everything removes the field
    expect(jsonFromForm({ ...ticked, notify: { cells: [], webhookUrl: '' } }, json)).not.toHaveProperty('notifications');
  });

  it('offers a row for every event the job JSON takes: a run still running past its limit to the webhook', () => {
    expect([...EVENTS]).toEqual([...NOTIFY_KINDS]);
    const f = formFromJson({ name: 'n', command: 'true', schedule: 'R/2030-01-01T00:00:00Z/P1D' });
    const json = jsonFromForm({ ...f, notify: { cells: ['still-running:webhook'], webhookUrl: '' } });
    expect(json.notifications).toEqual({ rules: [{ events: ['still-running'], channels: ['webhook'] }] });
    expect(jobInputSchema.safeParse(json).success).toBe(true);
  });
});

describe('catch-up in the form', () => {
  it('latest (the default) writes nothing; all with a window round-trips; a dependent job drops them', () => {
    const form = formFromJson(stored);
    expect(form.catchUp).toBe('latest');
    expect(jsonFromForm(form, stored)).not.toHaveProperty('catchUp');
    const all = jsonFromForm({ ...form, catchUp: 'all', catchUpWindow: ' PT6H ' }, stored);
    expect(all).toMatchObject({ catchUp: 'all', catchUpWindow: 'PT6H' });
    expect(formFromJson(all)).toMatchObject({ catchUp: 'all', catchUpWindow: 'PT6H' });
    expect(jobInputSchema.safeParse(all).success).toBe(true);
    // back to latest: both fields go, even those of the stored job
    expect(jsonFromForm({ ...formFromJson(all), catchUp: 'latest' }, all)).not.toHaveProperty('catchUpWindow');
    expect(jsonFromForm({ ...formFromJson(all), kind: 'dependent', parents: ['a'] }, all)).not.toHaveProperty('catchUp');
  });
});
