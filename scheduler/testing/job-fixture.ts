/**
 * A whole Job as a plain value, with the defaults the API's schema fills in (scheduler/api/job-schema.ts),
 * for tests that build jobs without parsing them. A job given `parents` is a dependency job and gets
 * no default schedule.
 */
import type { Job } from '../core/types';

export function jobFixture(over: Partial<Job> & { name: string }): Job {
  const scheduled = over.parents === undefined ? { schedule: 'R/2024-01-01T00:00:00Z/P1D', scheduleTimeZone: '' } : {};
  return {
    command: 'true',
    shell: true,
    executor: '',
    executorFlags: '',
    taskInfoData: '',
    retries: 2,
    owner: '',
    ownerName: '',
    description: '',
    successCount: 0,
    errorCount: 0,
    lastSuccess: '',
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
    ...scheduled,
    ...over,
  };
}
