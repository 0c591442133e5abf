import { describe, expect, it } from 'vitest';
import { parseJob } from '@/scheduler/api/job-schema';
import { emptyForm, formFromJson, jsonFromForm } from './form-model';
import { byFormField, clientErrors } from './form-errors';

const NOW = Date.UTC(2026, 4, 14, 10, 23, 45);
const base = { name: 'nightly', command: 'run.sh', schedule: 'R/2026-06-01T02:00:00Z/P1D' };

describe('the editor: concurrencyPolicy and jitter', () => {
  it('a new job waits for a running run (Queue, as Chronos) and has no jitter: the JSON has neither field', () => {
    const form = emptyForm(NOW);
    expect(form).toMatchObject({ concurrencyPolicy: 'Queue', jitter: '' });
    const json = jsonFromForm({ ...form, name: 'a', command: 'true' });
    expect(json).toMatchObject({ concurrent: false });
    expect(json).not.toHaveProperty('concurrencyPolicy');
    expect(json).not.toHaveProperty('jitter');
  });

  it.each([
    { stored: { concurrent: true }, policy: 'Allow' },
    { stored: { concurrent: false }, policy: 'Queue' },
    { stored: {}, policy: 'Queue' },
    { stored: { concurrent: false, concurrencyPolicy: 'Forbid' }, policy: 'Forbid' },
    { stored: { concurrent: false, concurrencyPolicy: 'Replace' }, policy: 'Replace' },
  ])('a stored job $stored shows $policy and saves back to what the API keeps', ({ stored, policy }) => {
    const form = formFromJson({ ...base, ...stored });
    expect(form.concurrencyPolicy).toBe(policy);
    const json = jsonFromForm(form, { ...base, ...stored });
    const job = parseJob(json, { now: NOW });
    expect(job.ok && { concurrent: job.value.concurrent, concurrencyPolicy: job.value.concurrencyPolicy }).toEqual({
      concurrent: policy === 'Allow',
      concurrencyPolicy: policy === 'Forbid' || policy === 'Replace' ? policy : undefined,
    });
  });

  it('choosing Allow in a job that was Forbid drops the field and sets concurrent', () => {
    const stored = { ...base, concurrencyPolicy: 'Forbid', jitter: 'PT5M' };
    const json = jsonFromForm({ ...formFromJson(stored), concurrencyPolicy: 'Allow', jitter: ' ' }, stored);
    expect(json).toMatchObject({ concurrent: true });
    expect(json).not.toHaveProperty('concurrencyPolicy');
    expect(json).not.toHaveProperty('jitter');
  });

  it('a bad jitter is named under its field before anything is sent', () => {
    for (const [jitter, message] of [
      ['PT2H', 'must be at most PT1H'],
      ['5 minutes', 'must be an ISO 8601 duration such as PT5M (at most PT1H)'],
      ['P1M', 'must be a fixed duration (no years or months) such as PT5M'],
    ]) {
      const json = jsonFromForm({ ...formFromJson(base), jitter }, base);
      expect(byFormField(clientErrors(json, 'scheduled'))).toEqual({ jitter: message });
    }
  });
});
