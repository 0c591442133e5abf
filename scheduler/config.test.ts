import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES, LAUNCHER_SETTINGS, SETTINGS, TEST_SETTINGS, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults: every setting has a working one', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({ port: 8080, host: '0.0.0.0', credentials: null, maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
    expect(c.database).toEqual({ url: null, dataDir: './data', migrationsDir: null, versionsKept: 100 });
    expect(c.mesos).toMatchObject({ master: null, encoding: 'json', role: '*', user: 'root', frameworkName: 'sisyphus', declineIdleSeconds: 300, declineBusySeconds: 2 });
    expect(c.zk).toEqual({ servers: null, path: '/sisyphus/leader', sessionTimeoutMs: 4_000, standbyPollMs: 500 });
    expect(c.worker).toEqual({ retryDelayMs: 60_000, disableAfterFailures: 0, takeoverRetryMs: 1_000, catchUpMax: 100, catchUpGraceMs: 60_000, prepareAheadMs: 5000 });
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1_048_576);
  });

  it.each([
    ['65536', 65536],
    ['64KiB', 65536],
    ['2MiB', 2 * 1_048_576],
    [' 3 mb ', 3 * 1_048_576],
  ])('HTTP_MAX_BODY_BYTES=%j is %d bytes', (raw, bytes) => {
    expect(loadConfig({ HTTP_MAX_BODY_BYTES: raw }).http.maxBodyBytes).toBe(bytes);
  });

  it('the instance id is SISYPHUS_HOSTNAME:PORT; MESOS_ENCODING takes the media type too', () => {
    expect(loadConfig({ SISYPHUS_HOSTNAME: 'node-a', PORT: '9090' }).instance.id).toBe('node-a:9090');
    expect(loadConfig({ MESOS_ENCODING: 'application/x-protobuf' }).mesos.encoding).toBe('protobuf');
    expect(loadConfig({ MESOS_CREDENTIALS: 'p:s:t' }).mesos.credentials).toEqual({ principal: 'p', secret: 's:t' });
    expect(loadConfig({ HTTP_CREDENTIALS: 'u:p:q' }).http.credentials).toEqual({ user: 'u', password: 'p:q' });
  });

  it.each([
    [{ HTTP_MAX_BODY_BYTES: 'lots' }, "HTTP_MAX_BODY_BYTES: must be a number of bytes such as 1048576 or 1MiB, got 'lots'"],
    [{ HTTP_MAX_BODY_BYTES: '10' }, "HTTP_MAX_BODY_BYTES: must be at least 1024 bytes, got '10'"],
    [{ HTTP_CREDENTIALS: 'nocolon' }, "HTTP_CREDENTIALS: must be 'user:password'"],
    [{ PORT: '70000' }, "PORT: must be a whole number from 1 to 65535, got '70000'"],
    [{ PORT: 'http' }, "PORT: must be a whole number from 1 to 65535, got 'http'"],
    [{ MESOS_ENCODING: 'xml' }, "MESOS_ENCODING: must be json or protobuf, got 'xml'"],
    [{ LOG_LEVEL: 'loud' }, "LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, got 'loud'"],
    [{ RETRY_DELAY_MS: '-5' }, "RETRY_DELAY_MS: must be a whole number from 0 to any size, got '-5'"],
    [{ MESOS_DECLINE_BUSY_SECONDS: 'soon' }, "MESOS_DECLINE_BUSY_SECONDS: must be a number of seconds (0 or more), got 'soon'"],
    [{ ZK_SESSION_TIMEOUT_MS: '10' }, "ZK_SESSION_TIMEOUT_MS: must be a whole number from 1000 to any size, got '10'"],
  ])('a bad value stops start-up with one line naming it: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("the README's configuration table", () => {
  const readme = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const rows = section.split('\n').filter((l) => /^\| `[A-Z_]+` \|/.test(l));

  it('lists every setting, with the default and meaning of scheduler/config.ts, and nothing else', () => {
    const expected = [...Object.entries(SETTINGS), ...Object.entries(LAUNCHER_SETTINGS), ...Object.entries(TEST_SETTINGS)].map(([k, v]) => `| \`${k}\` | ${v.default} | ${v.meaning} |`);
    // on a difference, the expected table is printed: paste it into the README
    expect(rows.join('\n')).toBe(expected.join('\n'));
  });
});
