import { describe, expect, it } from 'vitest';
import { prng } from '../testing/prng';
import type { Job } from '../core/types';
import {
  formatDouble,
  jobListJson,
  jobSummary,
  jobToChronosJson,
  jobToChronosJsonViaTree,
  jobToChronosObject,
  jobsListView,
  jobsToChronosJson,
  jsonString,
} from './job-json';
import { parseJob } from './job-schema';
import { jobFixture } from '../testing/job-fixture';

const NOW = Date.UTC(2014, 2, 8, 16, 57, 17, 507);

const base: Job = jobFixture({
  name: 'sample',
  command: 'echo "hi"',
  owner: 'ops@example.com',
  ownerName: 'Ops',
  description: 'line1\nline2',
  successCount: 4,
  errorCount: 1,
  lastSuccess: '2014-03-08T16:57:17.507Z',
  schedule: 'R/2014-03-08T16:57:17.507Z/PT1H',
});

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

describe('the direct writer (GET /jobs at scale) against the tree, byte for byte', () => {
  /** The same jobs on every run. */
  const rng = prng;
  const STRINGS = ['', 'plain', 'a"b\\c', 'tab\there', 'nl\nx', '\u0001\u001f\u007f', 'é/😀', '\ud800 lone', '\u2028\u2029', '</script>', 'x'.repeat(300)];
  const NUMBERS = [0, 1, 2.5, 0.1, 128, 1e7, 12345678, 0.0001, 1e21, 1e-7, 4096.75, 2 ** 53];

  function randomJob(r: () => number, i: number): Job {
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const str = () => pick(STRINGS);
    const list = <T,>(f: () => T): T[] => Array.from({ length: Math.floor(r() * 3) }, f);
    const job: Job = {
      ...base,
      name: `job-${i}`,
      command: str(),
      shell: r() < 0.5,
      executor: str(),
      executorFlags: str(),
      taskInfoData: str(),
      retries: Math.floor(r() * 5),
      owner: str(),
      ownerName: str(),
      description: str(),
      successCount: Math.floor(r() * 1e6),
      errorCount: Math.floor(r() * 10),
      lastSuccess: r() < 0.5 ? '' : '2026-01-01T00:00:00.000Z',
      lastError: r() < 0.5 ? '' : '2026-01-02T00:00:00.000Z',
      cpus: pick(NUMBERS),
      disk: pick(NUMBERS),
      mem: pick(NUMBERS),
      disabled: r() < 0.5,
      softError: r() < 0.5,
      dataProcessingJobType: r() < 0.5,
      errorsSinceLastSuccess: Math.floor(r() * 3),
      fetch: list(() => ({ uri: str(), ...(r() < 0.5 ? { output_file: str() } : {}), executable: r() < 0.5, cache: r() < 0.5, extract: r() < 0.5 })),
      uris: list(str),
      environmentVariables: list(() => ({ name: str(), value: str() })),
      arguments: list(str),
      highPriority: r() < 0.5,
      runAsUser: str(),
      concurrent: r() < 0.5,
      maxCompletionTime: Math.floor(r() * 7200),
      constraints: list(() => [str(), pick(['LIKE', 'UNLIKE', 'EQUALS', 'CLUSTER']), str()] as Job['constraints'][number]),
      schedule: `R/2026-01-0${1 + (i % 9)}T00:00:00.000Z/PT1H`,
      scheduleTimeZone: pick(['', 'Europe/Paris', 'EST']),
    };
    if (r() < 0.2) job.container = full.container;
    if (r() < 0.3) {
      delete job.schedule;
      delete job.scheduleTimeZone;
      job.parents = list(str).concat(['p']);
    }
    if (r() < 0.2) job.epsilon = 'PT30S';
    if (r() < 0.2) job.async = r() < 0.5;
    return job;
  }

  const jobs = [base, full, dependency, ...Array.from({ length: 500 }, (_, i) => randomJob(rng(i + 1), i))];

  it('jobToChronosJson is the tree writer, for 500 varied jobs', () => {
    for (const job of jobs) expect(jobToChronosJson(job)).toBe(jobToChronosJsonViaTree(job));
  });

  it('jobListJson is the tree writer of jobsListView (fetch filled from uris, or uris from fetch)', () => {
    for (const job of jobs) expect(jobListJson(job)).toBe(jobToChronosJsonViaTree(jobsListView(job)));
    const uriOnly = jobListJson({ ...base, uris: ['http://a'] });
    expect(uriOnly).toContain('"fetch":[{"uri":"http://a","executable":false,"cache":false,"extract":true}],"uris":["http://a"]');
  });

  it('jsonString: the fast path and the escaping path agree with the character loop', () => {
    for (const s of STRINGS) {
      let expected = '"';
      for (const ch of s) {
        const code = ch.charCodeAt(0);
        if (ch === '"') expected += '\\"';
        else if (ch === '\\') expected += '\\\\';
        else if (ch === '\n') expected += '\\n';
        else if (ch === '\t') expected += '\\t';
        else if (ch === '\r') expected += '\\r';
        else if (ch === '\b') expected += '\\b';
        else if (ch === '\f') expected += '\\f';
        else if (code < 0x20) expected += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
        else expected += ch;
      }
      expect(jsonString(s)).toBe(`${expected}"`);
    }
  });
});
