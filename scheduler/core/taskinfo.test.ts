import { describe, expect, it } from 'vitest';
import { buildTaskInfo, type BuildTaskInfoArgs } from './taskinfo';
import type { Job, OfferResource } from './types';
import { jobFixture } from '../testing/job-fixture';

const DUE = Date.UTC(2024, 0, 1, 2, 0, 0); // 1704074400000, the run's due instant

const job = (over: Partial<Job> = {}): Job =>
  jobFixture({ name: 'nightly-report', command: 'echo hello', owner: 'ops@example.com', ownerName: 'Ops', cpus: 0.5, schedule: 'R/2024-01-01T02:00:00Z/P1D', scheduleTimeZone: '', ...over });

const res = (name: string, value: number): OfferResource => ({ name, type: 'SCALAR', scalar: value, role: '*', reserved: false });

const args = (j: Job, over: Partial<BuildTaskInfoArgs> = {}): BuildTaskInfoArgs => ({
  job: j,
  taskId: `ct:${DUE}:0:${j.name}:`,
  agentId: 'agent-1',
  resources: [res('cpus', j.cpus), res('mem', j.mem), res('disk', j.disk)],
  due: DUE,
  attempt: 0,
  arguments: '',
  hostname: 'node1.example.com',
  ...over,
});

/** Chronos's own variables for the default job and args above. */
const chronosEnv = (j: Job, taskId = `ct:${DUE}:0:${j.name}:`, attempt = '0') => [
  { name: 'mesos_task_id', value: taskId },
  { name: 'MESOS_TASK_ID', value: taskId },
  { name: 'CHRONOS_JOB_OWNER', value: j.owner },
  { name: 'CHRONOS_JOB_NAME', value: j.name },
  { name: 'HOST', value: 'node1.example.com' },
  { name: 'CHRONOS_RESOURCE_MEM', value: '128.0' },
  { name: 'CHRONOS_RESOURCE_CPU', value: '0.5' },
  { name: 'CHRONOS_RESOURCE_DISK', value: '256.0' },
  { name: 'CHRONOS_JOB_RUN_TIME', value: String(DUE) },
  { name: 'CHRONOS_JOB_RUN_ATTEMPT', value: attempt },
];

const resourcesJson = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, role: '*' },
  { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, role: '*' },
  { name: 'disk', type: 'SCALAR', scalar: { value: 256 }, role: '*' },
];

describe('buildTaskInfo: exact JSON', () => {
  const cases: Array<{ name: string; job: Job; over?: Partial<BuildTaskInfoArgs>; want: unknown }> = [
    {
      name: 'shell job, run arguments appended to the command (Chronos quirk), fetch URIs, user',
      job: job({
        command: 'python report.py',
        fetch: [
          { uri: 'https://example.com/report.tgz', executable: false, cache: true, extract: true },
          { uri: 'https://example.com/conf', output_file: 'conf.yml', executable: false, cache: false, extract: false },
        ],
        uris: ['https://example.com/legacy.sh'],
        runAsUser: 'reports',
      }),
      over: { taskId: `ct:${DUE}:1:nightly-report:--day 1`, attempt: 1, arguments: '--day 1' },
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:1:nightly-report:--day 1` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: {
          value: 'python report.py --day 1',
          shell: true,
          environment: { variables: chronosEnv(job(), `ct:${DUE}:1:nightly-report:--day 1`, '1') },
          uris: [
            { value: 'https://example.com/report.tgz', executable: false, extract: true, cache: true },
            { value: 'https://example.com/conf', executable: false, extract: false, cache: false, output_file: 'conf.yml' },
            { value: 'https://example.com/legacy.sh', executable: false, extract: true, cache: false },
          ],
          user: 'reports',
        },
      },
    },
    {
      name: 'argv job (shell=false): value is the command, arguments the argv, nothing appended',
      job: job({ command: '/bin/ls', shell: false, arguments: ['-l', '/tmp'], runAsUser: '' }),
      over: { arguments: '-l /tmp', taskId: `ct:${DUE}:0:nightly-report:-l /tmp` },
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:-l /tmp` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: {
          value: '/bin/ls',
          shell: false,
          arguments: ['-l', '/tmp'],
          environment: { variables: chronosEnv(job(), `ct:${DUE}:0:nightly-report:-l /tmp`) },
        },
      },
    },
    {
      name: 'Docker job with bridge ports, volumes, parameters and force pull',
      job: job({
        container: {
          type: 'DOCKER',
          image: 'registry.example.com/report:1.2',
          network: 'BRIDGE',
          networkInfos: [
            { portMappings: [{ hostPort: 31000, containerPort: 8080 }, { hostPort: 31001, containerPort: 53, protocol: 'udp' }] },
          ],
          volumes: [
            { containerPath: '/data', hostPath: '/srv/data', mode: 'RW' },
            { containerPath: '/etc/conf', hostPath: '/srv/conf', mode: 'RO' },
            { containerPath: '/scratch' },
            { containerPath: '/ext', external: { name: 'vol1', provider: 'dvdi', options: [{ key: 'dvdi/driver', value: 'rexray' }, { key: 'size', value: '5' }] } },
          ],
          forcePullImage: true,
          parameters: [{ key: 'log-driver', value: 'json-file' }, { key: 'env', value: 'X=1' }],
        },
      }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: { value: 'echo hello', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
        container: {
          type: 'DOCKER',
          docker: {
            image: 'registry.example.com/report:1.2',
            network: 'BRIDGE',
            force_pull_image: true,
            port_mappings: [
              { host_port: 31000, container_port: 8080, protocol: 'tcp' },
              { host_port: 31001, container_port: 53, protocol: 'udp' },
            ],
            parameters: [{ key: 'log-driver', value: 'json-file' }, { key: 'env', value: 'X=1' }],
          },
          volumes: [
            { container_path: '/data', host_path: '/srv/data', mode: 'RW' },
            { container_path: '/etc/conf', host_path: '/srv/conf', mode: 'RO' },
            { container_path: '/scratch', mode: 'RW' },
            {
              container_path: '/ext',
              mode: 'RW',
              source: {
                type: 'DOCKER_VOLUME',
                docker_volume: { driver: 'rexray', name: 'vol1', driver_options: { parameter: [{ key: 'size', value: '5' }] } },
              },
            },
          ],
        },
      },
    },
    {
      name: 'Docker job on a USER network: network_infos by name',
      job: job({
        container: {
          type: 'DOCKER',
          image: 'alpine',
          network: 'USER',
          networkInfos: [{ name: 'overlay-a', protocol: 'IPv4', labels: [{ key: 'team', value: 'ops' }], portMappings: [{ hostPort: 0, containerPort: 80 }] }],
          volumes: [],
          forcePullImage: false,
          parameters: [],
        },
      }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: { value: 'echo hello', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
        container: {
          type: 'DOCKER',
          docker: {
            image: 'alpine',
            network: 'USER',
            force_pull_image: false,
            port_mappings: [{ host_port: 0, container_port: 80, protocol: 'tcp' }],
          },
          network_infos: [{ name: 'overlay-a', ip_addresses: [{ protocol: 'IPv4' }], labels: { labels: [{ key: 'team', value: 'ops' }] } }],
        },
      },
    },
    {
      name: 'MESOS container (Docker image through the Mesos containerizer), USER network from networkName',
      job: job({
        container: {
          type: 'MESOS',
          image: 'library/python:3.12',
          network: 'USER',
          networkName: 'cni-net',
          networkInfos: [],
          volumes: [{ containerPath: '/out', hostPath: '/srv/out', mode: 'RW' }],
          forcePullImage: true,
          parameters: [],
        },
      }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: { value: 'echo hello', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
        container: {
          type: 'MESOS',
          mesos: { image: { type: 'DOCKER', docker: { name: 'library/python:3.12' }, cached: false } },
          volumes: [{ container_path: '/out', host_path: '/srv/out', mode: 'RW' }],
          network_infos: [{ name: 'cni-net' }],
        },
      },
    },
    {
      name: 'env precedence: the job variables first, reserved names cannot be overridden',
      job: job({
        environmentVariables: [
          { name: 'APP_ENV', value: 'prod' },
          { name: 'MESOS_TASK_ID', value: 'spoofed' },
          { name: 'HOST', value: 'spoofed' },
          { name: 'CHRONOS_JOB_RUN_ATTEMPT', value: '99' },
          { name: 'PATH_EXTRA', value: '/opt/bin' },
        ],
      }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: {
          value: 'echo hello',
          shell: true,
          environment: {
            variables: [{ name: 'APP_ENV', value: 'prod' }, { name: 'PATH_EXTRA', value: '/opt/bin' }, ...chronosEnv(job())],
          },
          user: 'root',
        },
      },
    },
    {
      name: 'http command: fetched as executable and run as ./basename (query cut), arguments appended',
      job: job({ command: 'https://artifacts.example.com/bin/run-report.sh?token=abc', fetch: [{ uri: 'https://example.com/in.csv', executable: false, cache: false, extract: true }] }),
      over: { arguments: 'fast' },
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: {
          value: './run-report.sh fast',
          shell: true,
          environment: { variables: chronosEnv(job()) },
          uris: [
            { value: 'https://artifacts.example.com/bin/run-report.sh?token=abc', executable: true, extract: false, cache: false },
            { value: 'https://example.com/in.csv', executable: false, extract: true, cache: false },
          ],
          user: 'root',
        },
      },
    },
    {
      name: 'ftp command',
      job: job({ command: 'ftp://files.example.com/job.sh', runAsUser: '' }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: {
          value: './job.sh',
          shell: true,
          environment: { variables: chronosEnv(job()) },
          uris: [{ value: 'ftp://files.example.com/job.sh', executable: true, extract: false, cache: false }],
        },
      },
    },
    {
      name: 'custom executor: executor_id = job name, data = base64(flags|command)',
      job: job({ executor: '/opt/exec/run', executorFlags: '--verbose', command: 'https://not-fetched.example.com/x.sh' }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        executor: {
          executor_id: { value: 'nightly-report' },
          command: { value: '/opt/exec/run', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
        },
        data: Buffer.from('--verbose|https://not-fetched.example.com/x.sh').toString('base64'),
      },
    },
    {
      name: 'custom executor: taskInfoData wins, container goes on the executor',
      job: job({
        executor: '/opt/exec/run',
        taskInfoData: '{"käse":1}',
        container: { type: 'DOCKER', image: 'alpine', network: 'HOST', networkInfos: [], volumes: [], forcePullImage: false, parameters: [] },
      }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        executor: {
          executor_id: { value: 'nightly-report' },
          command: { value: '/opt/exec/run', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
          container: { type: 'DOCKER', docker: { image: 'alpine', network: 'HOST', force_pull_image: false } },
        },
        data: Buffer.from('{"käse":1}', 'utf8').toString('base64'),
      },
    },
    {
      name: 'max completion time: seconds to nanoseconds',
      job: job({ maxCompletionTime: 3600 }),
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: resourcesJson,
        command: { value: 'echo hello', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
        max_completion_time: { nanoseconds: 3_600_000_000_000 },
      },
    },
    {
      name: 'raw resources are copied verbatim; other types are built',
      job: job(),
      over: {
        resources: [
          { ...res('cpus', 0.5), role: 'analytics', reserved: true, raw: { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, reservations: [{ role: 'analytics', type: 'STATIC' }] } },
          res('mem', 128),
          { name: 'ports', type: 'RANGES', ranges: [{ begin: 31000, end: 31001 }], role: '*', reserved: false },
          { name: 'gpus_set', type: 'SET', set: ['a'], role: '*', reserved: false },
        ],
      },
      want: {
        name: 'ChronosTask:nightly-report',
        task_id: { value: `ct:${DUE}:0:nightly-report:` },
        agent_id: { value: 'agent-1' },
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, reservations: [{ role: 'analytics', type: 'STATIC' }] },
          { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, role: '*' },
          { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }] }, role: '*' },
          { name: 'gpus_set', type: 'SET', set: { item: ['a'] }, role: '*' },
        ],
        command: { value: 'echo hello', shell: true, environment: { variables: chronosEnv(job()) }, user: 'root' },
      },
    },
  ];

  it.each(cases)('$name', ({ job: j, over, want }) => {
    const info = buildTaskInfo(args(j, over));
    expect(info).toEqual(want);
    // plain JSON: survives a round trip unchanged (no undefined fields, no class instances)
    expect(JSON.parse(JSON.stringify(info))).toStrictEqual(info);
  });
});

describe('environment values', () => {
  it.each([
    { name: 'whole numbers print as Java doubles', cpus: 2, mem: 1024, disk: 0, want: ['2.0', '1024.0', '0.0'] },
    { name: 'fractions print as they are', cpus: 0.1, mem: 512.5, disk: 100, want: ['0.1', '512.5', '100.0'] },
  ])('$name', ({ cpus, mem, disk, want }) => {
    const env = buildTaskInfo(args(job({ cpus, mem, disk }))).command!.environment.variables;
    const get = (n: string) => env.find((v) => v.name === n)?.value;
    expect([get('CHRONOS_RESOURCE_CPU'), get('CHRONOS_RESOURCE_MEM'), get('CHRONOS_RESOURCE_DISK')]).toEqual(want);
  });
});
