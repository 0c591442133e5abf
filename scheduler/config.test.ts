import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults: a 1 MiB body limit, no credentials', () => {
    expect(loadConfig({})).toEqual({ maxBodyBytes: DEFAULT_MAX_BODY_BYTES, httpCredentials: null });
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it.each([
    ['65536', 65536],
    ['64KiB', 65536],
    ['2MiB', 2 * 1_048_576],
    [' 3 mb ', 3 * 1_048_576],
  ])('HTTP_MAX_BODY_BYTES=%j is %d bytes', (raw, bytes) => {
    expect(loadConfig({ HTTP_MAX_BODY_BYTES: raw }).maxBodyBytes).toBe(bytes);
  });

  it.each([
    [{ HTTP_MAX_BODY_BYTES: 'lots' }, "HTTP_MAX_BODY_BYTES: must be a number of bytes such as 1048576 or 1MiB, got 'lots'"],
    [{ HTTP_MAX_BODY_BYTES: '10' }, "HTTP_MAX_BODY_BYTES: must be at least 1024 bytes, got '10'"],
    [{ HTTP_CREDENTIALS: 'nocolon' }, "HTTP_CREDENTIALS: must be 'user:password'"],
  ])('a bad value stops start-up with one line naming it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('credentials split at the first colon (the password may hold colons)', () => {
    expect(loadConfig({ HTTP_CREDENTIALS: 'u:p:q' }).httpCredentials).toEqual({ user: 'u', password: 'p:q' });
  });
});
