import { describe, expect, it } from 'vitest';
import { checkRequestTarget } from './request-target';

describe('checkRequestTarget', () => {
  it.each([
    ['/ping', '/ping'],
    ['/v1/scheduler/job/nightly%20transcode?arguments=-v', '/v1/scheduler/job/nightly%20transcode?arguments=-v'],
    ['http://127.0.0.1:8080/ping', '/ping'],
    ['https://sisyphus.example.com/v1/scheduler/jobs?x=1', '/v1/scheduler/jobs?x=1'],
    ['/jobs/50%25', '/jobs/50%25'],
  ])('serves %j as %j', (raw, path) => {
    expect(checkRequestTarget(raw)).toEqual({ ok: true, path });
  });

  it.each([
    ['*', /request target '\*'/],
    ['ping', /must be a path starting with '\/'/],
    ['/v1/scheduler/job/%00', /the path contains a NUL character/],
    ['/v1/scheduler/job/%ZZ', /broken percent-encoding/],
    ['/v1/scheduler/job/%ED%A0%80', /broken percent-encoding/],
    ['/v1/scheduler/jobs/search?name=%00', /the query parameter 'name' contains a NUL/],
    ['/v1/scheduler/jobs/search?%00=x', /the query parameter '\\0' contains a NUL/],
  ])('refuses %j', (raw, message) => {
    const r = checkRequestTarget(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});
