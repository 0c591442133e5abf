import { describe, expect, it } from 'vitest';
import { buildTaskInfo } from './taskinfo';
import type { Job } from './types';

const DUE = Date.UTC(2026, 0, 31, 2);
const RETRY_DUE = DUE + 3 * 60_000 + 60_000;

const job = {
  name: 'transcode', command: 'run.sh', shell: true, executor: '', executorFlags: '', taskInfoData: '', retries: 2, owner: 'ops@example.com',
  ownerName: '', description: '', successCount: 0, errorCount: 0, lastSuccess: '', lastError: '', cpus: 0.5, disk: 256, mem: 128, disabled: false,
  softError: false, dataProcessingJobType: false, errorsSinceLastSuccess: 0, fetch: [], uris: [],
  environmentVariables: [{ name: 'SISYPHUS_DUE', value: 'overridden?' }, { name: 'MINE', value: '1' }],
  arguments: [], highPriority: false, runAsUser: 'root', concurrent: false, maxCompletionTime: 0, constraints: [], schedule: 'R/2026-01-31T02:00:00Z/P1D',
} satisfies Job;

const envOf = (over: { due: number; attempt: number; trigger: 'schedule' | 'retry' | 'manual'; intended?: number }) => {
  const taskId = `ct:${over.due}:${over.attempt}:transcode:`;
  const info = buildTaskInfo({ job, taskId, agentId: 'a1', resources: [], due: over.due, attempt: over.attempt, arguments: '', hostname: 'node1', trigger: over.trigger, intended: over.intended });
  return Object.fromEntries((info.command?.environment.variables ?? []).map((v) => [v.name, v.value]));
};

describe('the SISYPHUS_* variables of a task', () => {
  it('a scheduled run: its due instant in ISO 8601 UTC, attempt 0, trigger schedule; Chronos variables as Chronos sets them', () => {
    expect(envOf({ due: DUE, attempt: 0, trigger: 'schedule' })).toEqual({
      MINE: '1',
      mesos_task_id: `ct:${DUE}:0:transcode:`,
      MESOS_TASK_ID: `ct:${DUE}:0:transcode:`,
      CHRONOS_JOB_OWNER: 'ops@example.com',
      CHRONOS_JOB_NAME: 'transcode',
      HOST: 'node1',
      CHRONOS_RESOURCE_MEM: '128.0',
      CHRONOS_RESOURCE_CPU: '0.5',
      CHRONOS_RESOURCE_DISK: '256.0',
      CHRONOS_JOB_RUN_TIME: String(DUE),
      CHRONOS_JOB_RUN_ATTEMPT: '0',
      SISYPHUS_DUE: '2026-01-31T02:00:00.000Z',
      SISYPHUS_ATTEMPT: '0',
      SISYPHUS_TRIGGER: 'schedule',
    });
  });

  it('a retry: SISYPHUS_DUE is still the night it is for, while the Chronos run time is the retry time', () => {
    const env = envOf({ due: RETRY_DUE, attempt: 1, trigger: 'retry', intended: DUE });
    expect(env).toMatchObject({ SISYPHUS_DUE: '2026-01-31T02:00:00.000Z', SISYPHUS_ATTEMPT: '1', SISYPHUS_TRIGGER: 'retry', CHRONOS_JOB_RUN_TIME: String(RETRY_DUE), CHRONOS_JOB_RUN_ATTEMPT: '1' });
  });

  it('a job variable cannot override them', () => {
    expect(envOf({ due: DUE, attempt: 0, trigger: 'manual' }).SISYPHUS_DUE).toBe('2026-01-31T02:00:00.000Z');
  });
});
