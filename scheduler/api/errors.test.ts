import { describe, expect, it, vi } from 'vitest';
import { ApiError, toChronosBody } from './errors';

describe('ApiError', () => {
  it('is recognised when thrown by another copy of the module (Next bundles the worker and the routes apart)', async () => {
    vi.resetModules();
    const other = await import('./errors?copy=2' as string).catch(() => import('./errors'));
    expect(other.ApiError).not.toBe(ApiError); // really a second copy of the class
    const foreign = other.ApiError.notFound("Job 'x' not found");
    expect(foreign).toBeInstanceOf(ApiError);
    expect(toChronosBody(foreign)).toEqual({ message: "Job 'x' not found", status: 'Bad Request' });
  });

  it('does not claim plain errors', () => {
    expect(new Error('boom')).not.toBeInstanceOf(ApiError);
    expect({ code: 'bad_request' }).not.toBeInstanceOf(ApiError);
  });
});
