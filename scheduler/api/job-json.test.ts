import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types';
import {
  formatDouble,
  jobSummary,
  jobToChronosJson,
  jobToChronosObject,
  jobsListView,
  jobsToChronosJson,
  jsonString,
} from './job-json';
import { parseJob } from './job-schema';

const NOW = Date.UTC(2014, 2, 8, 16, 57, 17, 507);

const base: Job = {
  name: 'sample',
  command: 'echo "hi"',
  shell: true,
  executor: '',
  executorFlags: '',
  taskInfoData: '',
  retries: 2,
  owner: 'ops@example.com',
  ownerName: 'Ops',
  description: 'line1\nline2',
  successCount: 4,
  errorCount: 1,
  lastSuccess: '2014-03-08T16:57:17.507Z',
  lastError: '',
  cpus: 0.1,
  disk: 256,
  mem: 128,
  disabled: false,
  softError: false,
  dataProcessingJobType: false,
  errorsSinceLastSuccess: 0,
  fetch: [],
  uris: [],
  environmentVariables: [],
  arguments: [],
  highPriority: false,
  runAsUser: 'root',
  concurrent: false,
  maxCompletionTime: 0,
  constraints: [],
  schedule: 'R/2014-03-08T16:57:17.507Z/PT1H',
  scheduleTimeZone: '',
};

const full: Job = {
  ...base,
  shell: false,
  cpus: 2.5,
  mem: 1024,
  disk: 10,
  fetch: [
    { uri: 'http://x/a.tgz', output_file: 'a.tgz', executable: true, cache: true, extract: false },
    { uri: 'http://x/b', executable: false, cache: false, extract: true },
  ],
  environmentVariables: [{ name: 'K', value: 'V' }],
  arguments: ['-a', '1'],
  maxCompletionTime: 3600,
  container: {
    type: 'DOCKER',
    image: 'busybox',
    network: 'BRIDGE',
    networkInfos: [
      { name: 'net', labels: [], portMappings: [{ hostPort: 31000, containerPort: 80, protocol: 'tcp' }] },
    ],
    volumes: [{ containerPath: '/data', hostPath: '/srv', mode: 'RO' }],
    forcePullImage: true,
    parameters: [{ key: 'privileged', value: 'true' }],
  },
  constraints: [['rack', 'LIKE', 'rack-[1-3]']],
  scheduleTimeZone: 'Europe/Paris',
};

const FULL_JSON =
  '{"name":"sample","command":"echo \\"hi\\"","shell":false,"executor":"","executorFlags":"",' +
  '"taskInfoData":"","retries":2,"owner":"ops@example.com","ownerName":"Ops",' +
  '"description":"line1\\nline2","successCount":4,"errorCount":1,' +
  '"lastSuccess":"2014-03-08T16:57:17.507Z","lastError":"","cpus":2.5,"disk":10.0,"mem":1024.0,' +
  '"disabled":false,"softError":false,"dataProcessingJobType":false,"errorsSinceLastSuccess":0,' +
  '"fetch":[{"uri":"http://x/a.tgz","output_file":"a.tgz","executable":true,"cache":true,"extract":false},' +
  '{"uri":"http://x/b","executable":false,"cache":false,"extract":true}],' +
  '"uris":[],"environmentVariables":[{"name":"K","value":"V"}],"arguments":["-a","1"],' +
  '"highPriority":false,"runAsUser":"root","concurrent":false,"maxCompletionTime":3600,' +
  '"container":{"type":"DOCKER","image":"busybox","network":"BRIDGE",' +
  '"networkInfos":[{"name":"net","labels":[],"portMappings":[{"hostPort":"31000","containerPort":"80","protocol":"tcp"}]}],' +
  '"volumes":[{"containerPath":"/data","hostPath":"/srv","mode":"RO"}],"forcePullImage":true,' +
  '"parameters":[{"key":"privileged","value":"true"}]},' +
  '"constraints":[["rack","LIKE","rack-[1-3]"]],' +
  '"schedule":"R/2014-03-08T16:57:17.507Z/PT1H","scheduleTimeZone":"Europe/Paris"}';

const dependency: Job = { ...base, name: 'child', schedule: undefined, scheduleTimeZone: undefined, parents: ['a', 'b'] };
delete dependency.schedule;
delete dependency.scheduleTimeZone;

const DEPENDENCY_JSON =
  '{"name":"child","command":"echo \\"hi\\"","shell":true,"executor":"","executorFlags":"",' +
  '"taskInfoData":"","retries":2,"owner":"ops@example.com","ownerName":"Ops",' +
  '"description":"line1\\nline2","successCount":4,"errorCount":1,' +
  '"lastSuccess":"2014-03-08T16:57:17.507Z","lastError":"","cpus":0.1,"disk":256.0,"mem":128.0,' +
  '"disabled":false,"softError":false,"dataProcessingJobType":false,"errorsSinceLastSuccess":0,' +
  '"fetch":[],"uris":[],"environmentVariables":[],"arguments":[],' +
  '"highPriority":false,"runAsUser":"root","concurrent":false,"maxCompletionTime":0,' +
  '"constraints":[],"parents":["a","b"]}';

describe('jobToChronosJson', () => {
  it('writes a full scheduled job byte for byte', () => {
    expect(jobToChronosJson(full)).toBe(FULL_JSON);
  });

  it('writes a dependency job byte for byte (parents, no schedule, no container)', () => {
    expect(jobToChronosJson(dependency)).toBe(DEPENDENCY_JSON);
  });

  it('writes a list as a JSON array', () => {
    expect(jobsToChronosJson([full, dependency])).toBe(`[${FULL_JSON},${DEPENDENCY_JSON}]`);
    expect(jobsToChronosJson([])).toBe('[]');
  });

  it('writes the 2.x fields epsilon and async last, only when set', () => {
    const j = jobToChronosJson({ ...base, epsilon: 'PT60S', async: false });
    expect(j.endsWith('"scheduleTimeZone":"","epsilon":"PT60S","async":false}')).toBe(true);
    expect(jobToChronosJson(base)).not.toContain('epsilon');
  });

  it('round-trips through parseJob', () => {
    for (const job of [full, dependency, base]) {
      const back = parseJob(JSON.parse(jobToChronosJson(job)), { now: NOW });
      expect(back).toEqual({ ok: true, value: job });
    }
  });

  it('gives an object form in the same key order', () => {
    const o = jobToChronosObject(full);
    expect(Object.keys(o)).toEqual(Object.keys(JSON.parse(FULL_JSON)));
    expect(o.mem).toBe(1024);
  });
});

describe('formatDouble (Java Double.toString)', () => {
  const cases: Array<[number, string]> = [
    [128, '128.0'],
    [0.1, '0.1'],
    [2.5, '2.5'],
    [256, '256.0'],
    [0, '0.0'],
    [1, '1.0'],
    [0.001, '0.001'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [12345678, '1.2345678E7'],
    [0.0001, '1.0E-4'],
    [-3, '-3.0'],
  ];
  it.each(cases)('%d → %s', (n, s) => {
    expect(formatDouble(n)).toBe(s);
  });
});

describe('jsonString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\t\n\r\b\f', '"\\t\\n\\r\\b\\f"'],
    ['\u0001\u001f', '"\\u0001\\u001F"'],
    ['é/😀', '"é/😀"'],
  ])('%j', (s, out) => {
    expect(jsonString(s)).toBe(out);
  });
});

describe('jobsListView', () => {
  it('fills an empty fetch from uris', () => {
    const v = jobsListView({ ...base, uris: ['http://a', 'http://b'] });
    expect(v.fetch).toEqual([
      { uri: 'http://a', executable: false, cache: false, extract: true },
      { uri: 'http://b', executable: false, cache: false, extract: true },
    ]);
    expect(v.uris).toEqual(['http://a', 'http://b']);
  });
  it('fills uris from fetch', () => {
    const v = jobsListView(full);
    expect(v.uris).toEqual(['http://x/a.tgz', 'http://x/b']);
    expect(v.fetch).toEqual(full.fetch);
  });
  it('leaves both empty when both are empty', () => {
    const v = jobsListView(base);
    expect([v.fetch, v.uris]).toEqual([[], []]);
  });
});

describe('jobSummary', () => {
  const cases: Array<{ name: string; job: Job; state: string; expected: object }> = [
    {
      name: 'scheduled, success',
      job: base,
      state: 'idle',
      expected: { name: 'sample', status: 'success', state: 'idle', schedule: base.schedule, parents: [], disabled: false },
    },
    {
      name: 'dependency, failure',
      job: { ...dependency, lastError: '2014-03-09T00:00:00.000Z', disabled: true },
      state: '2 running',
      expected: { name: 'child', status: 'failure', state: '2 running', schedule: '', parents: ['a', 'b'], disabled: true },
    },
    {
      name: 'fresh',
      job: { ...base, lastSuccess: '' },
      state: 'queued',
      expected: { name: 'sample', status: 'fresh', state: 'queued', schedule: base.schedule, parents: [], disabled: false },
    },
  ];
  it.each(cases)('$name', ({ job, state, expected }) => {
    expect(jobSummary(job, state)).toEqual(expected);
    expect(Object.keys(jobSummary(job, state))).toEqual(['name', 'status', 'state', 'schedule', 'parents', 'disabled']);
  });
});
