import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import { fieldOfPath, formatJobError, jobInputSchema, parseJob, splitFieldMessage, urisAndFetchOnCreate, type JobFieldError } from './job-schema';

/** 2014-03-08T16:57:17.507Z */
const NOW = Date.UTC(2014, 2, 8, 16, 57, 17, 507);

const parse = (json: unknown, kind?: 'iso8601' | 'dependency') => parseJob(json, { now: NOW, kind });

const mustParse = (json: unknown, kind?: 'iso8601' | 'dependency'): Job => {
  const r = parse(json, kind);
  if (!r.ok) throw new Error(`unexpected error ${formatJobError(r.error)}`);
  return r.value;
};

const mustFail = (json: unknown, kind?: 'iso8601' | 'dependency'): JobFieldError => {
  const r = parse(json, kind);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('parseJob: defaults', () => {
  const job = mustParse({ name: 'minimal', schedule: 'R/2014-01-01T00:00:00Z/PT1H' });
  const cases: Array<[keyof Job, unknown]> = [
    ['command', ''],
    ['shell', true],
    ['executor', ''],
    ['executorFlags', ''],
    ['taskInfoData', ''],
    ['retries', 2],
    ['owner', ''],
    ['ownerName', ''],
    ['description', ''],
    ['successCount', 0],
    ['errorCount', 0],
    ['lastSuccess', ''],
    ['lastError', ''],
    ['cpus', 0.1],
    ['disk', 256],
    ['mem', 128],
    ['disabled', false],
    ['softError', false],
    ['dataProcessingJobType', false],
    ['errorsSinceLastSuccess', 0],
    ['fetch', []],
    ['uris', []],
    ['environmentVariables', []],
    ['arguments', []],
    ['highPriority', false],
    ['runAsUser', 'root'],
    ['concurrent', false],
    ['maxCompletionTime', 0],
    ['container', undefined],
    ['constraints', []],
    ['parents', undefined],
    ['scheduleTimeZone', ''],
    ['epsilon', undefined],
    ['async', undefined],
  ];
  it.each(cases)('%s defaults to %j', (field, expected) => {
    expect(job[field]).toEqual(expected);
  });

  it('null means the default, for every field', () => {
    const nulls = Object.fromEntries(cases.map(([f]) => [f, null]));
    const j = mustParse({ ...nulls, name: 'minimal', schedule: 'R/2014-01-01T00:00:00Z/PT1H' });
    expect(j).toEqual(job);
  });

  it('unknown keys are ignored', () => {
    const j = mustParse({
      name: 'minimal',
      schedule: 'R/2014-01-01T00:00:00Z/PT1H',
      dataJob: true,
      whatever: { x: 1 },
    });
    expect(j).toEqual(job);
  });
});

describe('parseJob: resources, 0 or missing is the default', () => {
  const cases: Array<{ name: string; input: Record<string, unknown>; cpus: number; mem: number; disk: number }> = [
    { name: 'missing', input: {}, cpus: 0.1, mem: 128, disk: 256 },
    { name: 'zero', input: { cpus: 0, mem: 0, disk: 0 }, cpus: 0.1, mem: 128, disk: 256 },
    { name: 'null', input: { cpus: null, mem: null, disk: null }, cpus: 0.1, mem: 128, disk: 256 },
    { name: 'given', input: { cpus: 2.5, mem: 1024, disk: 10 }, cpus: 2.5, mem: 1024, disk: 10 },
    { name: 'numeric strings', input: { cpus: '0.5', mem: '64', disk: '0' }, cpus: 0.5, mem: 64, disk: 256 },
  ];
  it.each(cases)('$name', ({ input, cpus, mem, disk }) => {
    const j = mustParse({ name: 'r', ...input });
    expect({ cpus: j.cpus, mem: j.mem, disk: j.disk }).toEqual({ cpus, mem, disk });
  });
});

describe('parseJob: every field type', () => {
  const full = {
    name: 'full-job.v2_x',
    command: 'echo hi',
    shell: false,
    executor: '/usr/bin/exec',
    executorFlags: '--flag',
    taskInfoData: 'data',
    retries: 5,
    owner: 'a@example.com,b@example.com',
    ownerName: 'Team',
    description: 'desc',
    successCount: 3,
    errorCount: 1,
    lastSuccess: '2014-03-08T16:57:17.507Z',
    lastError: '2014-03-07T16:57:17.507Z',
    cpus: 1.5,
    disk: 512,
    mem: 2048,
    disabled: true,
    softError: true,
    dataProcessingJobType: true,
    errorsSinceLastSuccess: 0,
    fetch: [
      { uri: 'http://x/a.tgz', output_file: 'a.tgz', executable: true, cache: true, extract: false },
      { uri: 'http://x/b' },
    ],
    uris: [],
    environmentVariables: [{ name: 'K', value: 'V' }],
    arguments: ['-a', '1'],
    highPriority: true,
    runAsUser: 'nobody',
    concurrent: true,
    maxCompletionTime: 3600,
    container: {
      type: 'mesos',
      image: 'busybox',
      network: 'BRIDGE',
      networkName: 'legacy',
      networkInfos: [
        {
          name: 'net',
          protocol: 'ipv6',
          labels: [{ key: 'l', value: 'v' }],
          portMappings: [{ hostPort: '31000', containerPort: 80, protocol: 'tcp' }],
        },
      ],
      volumes: [
        { containerPath: '/data', hostPath: '/srv/data', mode: 'ro' },
        {
          containerPath: '/ext',
          external: { name: 'vol', provider: 'dvdi', options: [{ key: 'size', value: '1' }] },
        },
      ],
      forcePullImage: true,
      parameters: [{ key: 'privileged', value: 'true' }],
    },
    constraints: [
      ['hostname', 'EQUALS', 'a.example.com'],
      ['rack', 'LIKE', 'rack-[1-3]'],
      ['zone', 'UNLIKE', 'north|south'],
    ],
    schedule: 'R/2014-03-08T16:57:17.507Z/PT1H',
    scheduleTimeZone: 'Europe/Paris',
    epsilon: 'PT30M',
    async: false,
  };

  it('parses a job with every field', () => {
    expect(mustParse(full)).toEqual({
      ...full,
      fetch: [
        { uri: 'http://x/a.tgz', output_file: 'a.tgz', executable: true, cache: true, extract: false },
        { uri: 'http://x/b', executable: false, cache: false, extract: true },
      ],
      container: {
        type: 'MESOS',
        image: 'busybox',
        network: 'BRIDGE',
        networkName: 'legacy',
        networkInfos: [
          {
            name: 'net',
            protocol: 'IPv6',
            labels: [{ key: 'l', value: 'v' }],
            portMappings: [{ hostPort: 31000, containerPort: 80, protocol: 'tcp' }],
          },
        ],
        volumes: [
          { containerPath: '/data', hostPath: '/srv/data', mode: 'RO' },
          {
            containerPath: '/ext',
            external: { name: 'vol', provider: 'dvdi', options: [{ key: 'size', value: '1' }] },
          },
        ],
        forcePullImage: true,
        parameters: [{ key: 'privileged', value: 'true' }],
      },
    });
  });

  const bad: Array<{ name: string; patch: Record<string, unknown>; field: string; message: string | RegExp }> = [
    { name: 'name missing', patch: { name: undefined }, field: 'name', message: 'is required' },
    { name: 'name not a string', patch: { name: 7 }, field: 'name', message: 'must be a string' },
    { name: 'name with a space', patch: { name: 'a b' }, field: 'name', message: 'must match [\\w.-]+' },
    { name: 'name with a slash', patch: { name: 'a/b' }, field: 'name', message: 'must match [\\w.-]+' },
    { name: 'name empty', patch: { name: '' }, field: 'name', message: 'must match [\\w.-]+' },
    { name: 'command not a string', patch: { command: 1 }, field: 'command', message: 'must be a string' },
    { name: 'shell not a boolean', patch: { shell: 'yes' }, field: 'shell', message: 'must be a boolean' },
    { name: 'retries negative', patch: { retries: -1 }, field: 'retries', message: 'must be a non-negative integer' },
    { name: 'retries fractional', patch: { retries: 1.5 }, field: 'retries', message: 'must be a non-negative integer' },
    { name: 'successCount a word', patch: { successCount: 'many' }, field: 'successCount', message: 'must be a non-negative integer' },
    { name: 'lastSuccess garbage', patch: { lastSuccess: 'yesterday' }, field: 'lastSuccess', message: 'must be an ISO8601 instant or ""' },
    { name: 'cpus negative', patch: { cpus: -1 }, field: 'cpus', message: 'must be a positive number' },
    { name: 'mem negative', patch: { mem: -128 }, field: 'mem', message: 'must be a positive number' },
    { name: 'disk negative', patch: { disk: -0.5 }, field: 'disk', message: 'must be a positive number' },
    { name: 'cpus a word', patch: { cpus: 'lots' }, field: 'cpus', message: 'must be a positive number' },
    { name: 'disabled a number', patch: { disabled: 1 }, field: 'disabled', message: 'must be a boolean' },
    { name: 'fetch not an array', patch: { fetch: 'x' }, field: 'fetch', message: 'must be an array' },
    { name: 'fetch item without uri', patch: { fetch: [{ cache: true }] }, field: 'fetch[0].uri', message: 'is required' },
    { name: 'uris with a number', patch: { uris: ['a', 2] }, field: 'uris[1]', message: 'must be a string' },
    { name: 'env var without name', patch: { environmentVariables: [{ value: 'v' }] }, field: 'environmentVariables[0].name', message: 'is required' },
    { name: 'arguments a string', patch: { arguments: '-a' }, field: 'arguments', message: 'must be an array of strings' },
    { name: 'runAsUser a number', patch: { runAsUser: 0 }, field: 'runAsUser', message: 'must be a string' },
    { name: 'maxCompletionTime negative', patch: { maxCompletionTime: -5 }, field: 'maxCompletionTime', message: 'must be a non-negative integer' },
    { name: 'container type unknown', patch: { container: { image: 'x', type: 'rkt' } }, field: 'container.type', message: 'must be one of DOCKER, MESOS' },
    { name: 'container network unknown', patch: { container: { image: 'x', network: 'NONE' } }, field: 'container.network', message: 'must be one of HOST, BRIDGE, USER' },
    { name: 'container image a number', patch: { container: { image: 5 } }, field: 'container.image', message: 'must be a string' },
    { name: 'port not a number', patch: { container: { image: 'x', networkInfos: [{ portMappings: [{ hostPort: 'http', containerPort: 80 }] }] } }, field: 'container.networkInfos[0].portMappings[0].hostPort', message: 'must be a port number' },
    { name: 'volume without containerPath', patch: { container: { image: 'x', volumes: [{ hostPath: '/a' }] } }, field: 'container.volumes[0].containerPath', message: 'is required' },
    { name: 'volume mode unknown', patch: { container: { image: 'x', volumes: [{ containerPath: '/a', mode: 'RX' }] } }, field: 'container.volumes[0].mode', message: 'must be one of RW, RO' },
    { name: 'constraint too short', patch: { constraints: [['a', 'EQUALS']] }, field: 'constraints[0]', message: 'must be [attribute, operator, value]' },
    { name: 'constraints not an array', patch: { constraints: 'a:b' }, field: 'constraints', message: /must be an array/ },
    { name: 'bad LIKE regex', patch: { constraints: [['rack', 'LIKE', 'rack-[1-3']] }, field: 'constraints[0]', message: "invalid regular expression 'rack-[1-3' for LIKE" },
    { name: 'bad UNLIKE regex', patch: { constraints: [['ok', 'EQUALS', '('], ['rack', 'UNLIKE', '(']] }, field: 'constraints[1]', message: "invalid regular expression '(' for UNLIKE" },
    { name: 'parents not an array', patch: { parents: 'a' }, field: 'parents', message: 'must be an array of job names' },
    { name: 'schedule not a string', patch: { schedule: 5 }, field: 'schedule', message: 'must be a string' },
    { name: 'epsilon not a duration', patch: { epsilon: '60s' }, field: 'epsilon', message: 'must be an ISO8601 duration such as PT60S' },
    { name: 'async a string', patch: { async: 'no' }, field: 'async', message: 'must be a boolean' },
    // issue 12: what PostgreSQL or a Mesos task id cannot take, named by its field
    { name: 'NUL in command', patch: { command: 'echo a\u0000b' }, field: 'command', message: 'contains a NUL character (\\u0000), which cannot be stored' },
    { name: 'lone surrogate in owner', patch: { owner: '\ud800' }, field: 'owner', message: /^contains an unpaired UTF-16 surrogate/ },
    { name: 'lone low surrogate in an env value', patch: { environmentVariables: [{ name: 'A', value: 'x\udc00' }] }, field: 'environmentVariables[0].value', message: /^contains an unpaired UTF-16 surrogate/ },
    { name: 'NUL in a fetch uri', patch: { fetch: [{ uri: 'http://a/\u0000' }] }, field: 'fetch[0].uri', message: /^contains a NUL character/ },
    { name: 'NUL in a key', patch: { ['ke\u0000y']: 1 }, field: 'ke\ufffdy', message: /^contains a NUL character/ },
    { name: 'name of 129 characters', patch: { name: 'n'.repeat(129) }, field: 'name', message: 'must be at most 128 characters long (it is part of every Mesos task id)' },
    { name: 'name "."', patch: { name: '.' }, field: 'name', message: "must not be '.' or '..' (they are path steps in URLs and sandbox paths)" },
    { name: 'name ".."', patch: { name: '..' }, field: 'name', message: "must not be '.' or '..' (they are path steps in URLs and sandbox paths)" },
    { name: 'maxCompletionTime past 64-bit nanoseconds', patch: { maxCompletionTime: 9_223_372_037 }, field: 'maxCompletionTime', message: 'must be at most 9223372036 seconds (Mesos counts it in nanoseconds in 64 bits)' },
    { name: 'retries past the safe integers', patch: { retries: 2 ** 53 }, field: 'retries', message: 'must be a non-negative integer' },
    { name: 'arguments with a slash', patch: { arguments: ['-i', '/in.mp4'] }, field: 'arguments', message: /^'\/' cannot be used: the arguments are part of the Mesos task id/ },
    { name: 'arguments with a newline', patch: { arguments: ['a\nb'] }, field: 'arguments', message: /^the control character U\+000A cannot be used/ },
    { name: 'arguments too long for a task id', patch: { arguments: ['x'.repeat(250)] }, field: 'arguments', message: /^too long: with them the Mesos task id would be up to \d+ bytes, and Mesos takes at most 255/ },
  ];
  // (both uris and fetch: refused on create only, as Chronos does; see urisAndFetchOnCreate below
  // and the service tests)
  it("urisAndFetchOnCreate names Chronos's rule for a new job with both", () => {
    expect(urisAndFetchOnCreate({ name: 'full-job.v2_x', uris: ['http://a'], fetch: [{ uri: 'http://b', executable: false, cache: false, extract: true }] })).toEqual({
      field: 'fetch',
      message: 'Tried to add both uri (deprecated) and fetch parameters on full-job.v2_x',
    });
    expect(urisAndFetchOnCreate({ name: 'x', uris: ['http://a'], fetch: [] })).toBeNull();
  });
  it.each(bad)('rejects $name naming $field', ({ patch, field, message }) => {
    const e = mustFail({ ...full, ...patch });
    expect(e.field).toBe(field);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });

  it.each([
    ['a name of 128 characters', { name: 'n'.repeat(128) }],
    ['a name with dots', { name: '.a.' }],
    ['maxCompletionTime at the 64-bit limit', { maxCompletionTime: 9_223_372_036 }],
    ['arguments that fit a task id with a long name', { name: 'n'.repeat(128), arguments: ['-v'] }],
    ['text with emoji (paired surrogates)', { description: 'nightly 🎬 transcode' }],
  ])('accepts %s', (_, patch) => {
    const r = parseJob({ ...full, ...patch }, { now: NOW });
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });

  it('formats an error as "field: message"', () => {
    expect(formatJobError(mustFail({ ...full, cpus: -1 }))).toBe('cpus: must be a positive number');
  });

  it.each([
    ['an array', []],
    ['a string', 'job'],
    ['null', null],
  ])('rejects a body that is %s', (_, body) => {
    expect(mustFail(body)).toEqual({ field: 'job', message: 'must be a JSON object' });
  });
});

describe('parseJob: details', () => {
  it('uris alone or fetch alone are fine; empty uris with fetch too', () => {
    expect(mustParse({ name: 'u', uris: ['http://a'] }).uris).toEqual(['http://a']);
    expect(mustParse({ name: 'u', uris: [], fetch: [{ uri: 'http://b' }] }).fetch).toHaveLength(1);
  });

  it('fetch output_file is kept only when non-empty', () => {
    const j = mustParse({ name: 'f', fetch: [{ uri: 'a', output_file: '' }, { uri: 'b', output_file: 'o' }] });
    expect(j.fetch).toEqual([
      { uri: 'a', executable: false, cache: false, extract: true },
      { uri: 'b', output_file: 'o', executable: false, cache: false, extract: true },
    ]);
  });

  it('unknown constraint operators are dropped silently', () => {
    const j = mustParse({
      name: 'c',
      constraints: [
        ['hostname', 'GROUP_BY', '(bad regex is not checked'],
        ['rack', 'CLUSTER', 'x'],
        ['rack', 'LIKE', 'r.*'],
        ['host', 'equals', 'lower-case is unknown'],
      ],
    });
    expect(j.constraints).toEqual([['rack', 'LIKE', 'r.*']]);
  });

  const containers: Array<{ name: string; container: unknown; expected: Job['container'] }> = [
    { name: 'no image: ignored', container: { type: 'DOCKER', network: 'garbage' }, expected: undefined },
    { name: 'null image: ignored', container: { image: null }, expected: undefined },
    { name: 'blank image: ignored', container: { image: ' ' }, expected: undefined },
    { name: 'not an object: ignored', container: 'busybox', expected: undefined },
    {
      name: 'image only: DOCKER, HOST',
      container: { image: 'busybox' },
      expected: {
        type: 'DOCKER',
        image: 'busybox',
        network: 'HOST',
        networkInfos: [],
        volumes: [],
        forcePullImage: false,
        parameters: [],
      },
    },
  ];
  it.each(containers)('container $name', ({ container, expected }) => {
    expect(mustParse({ name: 'c', container }).container).toEqual(expected);
  });

  it('ports are accepted as numbers or strings', () => {
    const j = mustParse({
      name: 'p',
      container: { image: 'x', networkInfos: [{ portMappings: [{ hostPort: 8080, containerPort: '80' }] }] },
    });
    expect(j.container!.networkInfos[0].portMappings).toEqual([{ hostPort: 8080, containerPort: 80 }]);
  });

  it('duplicate parents collapse', () => {
    expect(mustParse({ name: 'd', parents: ['a', 'b', 'a'] }).parents).toEqual(['a', 'b']);
  });

  it('a blank runAsUser is the default user', () => {
    expect(mustParse({ name: 'u', runAsUser: '' }).runAsUser).toBe('root');
  });

  it.each(['PT60S', 'P1D', 'P', 'PT0.5S', 'P1Y2M3W4DT5H6M7S'])('epsilon %s is accepted', (epsilon) => {
    expect(mustParse({ name: 'e', epsilon }).epsilon).toBe(epsilon);
  });

  it('the exported object schema is usable on its own (UI forms)', () => {
    expect(jobInputSchema.shape.cpus.safeParse(0).data).toBe(0.1);
    expect(jobInputSchema.shape.name.safeParse('a b').success).toBe(false);
  });
});

describe('parseJob: job type selection', () => {
  const cases: Array<{
    name: string;
    input: Record<string, unknown>;
    kind?: 'iso8601' | 'dependency';
    schedule?: string;
    scheduleTimeZone?: string;
    parents?: string[];
    error?: JobFieldError;
  }> = [
    {
      name: 'neither schedule nor parents: R1/now/PT24H',
      input: {},
      schedule: 'R1/2014-03-08T16:57:17.507Z/PT24H',
      scheduleTimeZone: '',
    },
    {
      name: 'null schedule and null parents: R1/now/PT24H',
      input: { schedule: null, parents: null },
      schedule: 'R1/2014-03-08T16:57:17.507Z/PT24H',
      scheduleTimeZone: '',
    },
    {
      name: 'schedule: scheduled, verbatim (grammar not checked here)',
      input: { schedule: 'not a schedule', scheduleTimeZone: 'PST' },
      schedule: 'not a schedule',
      scheduleTimeZone: 'PST',
    },
    { name: 'parents: dependency job', input: { parents: ['a'], schedule: 'R/x/P1D', scheduleTimeZone: 'PST' }, parents: ['a'] },
    { name: 'empty parents', input: { parents: [] }, error: { field: 'parents', message: 'must not be empty' } },
    { name: '/dependency without parents', input: { schedule: 'R/x/P1D' }, kind: 'dependency', error: { field: 'parents', message: 'must not be empty' } },
    { name: '/dependency with parents', input: { parents: ['a'], schedule: 'R/x/P1D' }, kind: 'dependency', parents: ['a'] },
    { name: '/iso8601 with schedule and parents: scheduled', input: { parents: ['a'], schedule: 'R/x/P1D' }, kind: 'iso8601', schedule: 'R/x/P1D', scheduleTimeZone: '' },
    { name: '/iso8601 with nothing: R1/now/PT24H', input: {}, kind: 'iso8601', schedule: 'R1/2014-03-08T16:57:17.507Z/PT24H', scheduleTimeZone: '' },
    {
      name: '/iso8601 with parents only',
      input: { parents: ['a'] },
      kind: 'iso8601',
      error: { field: 'schedule', message: 'is required for a scheduled job (this job has parents: post it to /dependency)' },
    },
  ];
  it.each(cases)('$name', ({ input, kind, schedule, scheduleTimeZone, parents, error }) => {
    const r = parse({ name: 'j', ...input }, kind);
    if (error) {
      expect(r).toEqual({ ok: false, error });
      return;
    }
    if (!r.ok) throw new Error(formatJobError(r.error));
    expect(r.value.schedule).toBe(schedule);
    expect(r.value.scheduleTimeZone).toBe(scheduleTimeZone);
    expect(r.value.parents).toEqual(parents);
  });
});

describe('field names: a zod issue path as the API names the field, and read back from a message', () => {
  const cases: Array<{ name: string; path: PropertyKey[]; field: string }> = [
    { name: 'a top-level field', path: ['cpus'], field: 'cpus' },
    { name: 'an item of a list', path: ['arguments', 2], field: 'arguments[2]' },
    { name: 'a field of a list item', path: ['fetch', 0, 'uri'], field: 'fetch[0].uri' },
    { name: 'nested objects and lists', path: ['container', 'volumes', 1, 'mode'], field: 'container.volumes[1].mode' },
    { name: 'a list in a list (constraints)', path: ['constraints', 0, 2], field: 'constraints[0][2]' },
    { name: 'the whole body', path: [], field: 'job' },
  ];
  it.each(cases)('$name: $field', ({ path, field }) => {
    expect(fieldOfPath(path)).toBe(field);
    // what the REST API writes, the UI reads back
    expect(splitFieldMessage(formatJobError({ field, message: 'must be: this' }))).toEqual({ field, message: 'must be: this' });
  });

  it('names the field of every issue the schema reports', () => {
    const r = jobInputSchema.safeParse({ name: 'x', cpus: 'many', container: { image: 'a', volumes: [{ containerPath: 5 }] } });
    expect(r.success).toBe(false);
    const fields = r.success ? [] : r.error.issues.map((i) => fieldOfPath(i.path));
    expect(fields).toContain('cpus');
    expect(fields.some((f) => f.startsWith('container.volumes[0]'))).toBe(true);
    expect(formatJobError(mustFail({ name: 'x', schedule: 'R/2014-01-01T00:00:00Z/PT1H', cpus: 'many' }))).toMatch(/^cpus: /);
  });

  it.each([
    ['a message without a field', 'Cannot parse schedule (wtf bro)'],
    ['a field without a message', 'schedule: '],
    ['a sentence with a colon', 'Not found: job x'],
    ['a path that starts with an index', '[0].name: bad'],
  ])('%s names no field', (_, text) => {
    expect(splitFieldMessage(text)).toEqual({ field: null, message: text });
  });
});
