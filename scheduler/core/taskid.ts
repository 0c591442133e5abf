/**
 * Chronos task identity (shared/reference/chronos.md §5): `ct:<dueMs>:<attempt>:<job>:<args>`,
 * task name `ChronosTask:<job>`. Pure.
 */
import type { Instant, Job, Result } from './types';
import { err, ok } from './types';

export const TASK_ID_PREFIX = 'ct:';
export const TASK_NAME_PREFIX = 'ChronosTask:';

/** The Chronos parse rule, anchored (Scala regex patterns match the whole string). */
export const TASK_ID_PATTERN = /^ct:(\d+):(\d+):([\w.-]+):?(.*)?$/;

export interface TaskId {
  jobName: string;
  /** Due instant in ms. */
  due: Instant;
  attempt: number;
  /** The arguments part, "" when absent. */
  args: string;
}

/**
 * The arguments written into a task id: an override (manual run `?arguments=`) with every `;`
 * removed; when it is absent or blank after that, the job's own arguments joined by a space.
 */
export function taskArguments(job: Pick<Job, 'arguments'>, override?: string | null): string {
  if (override !== undefined && override !== null) {
    const cleaned = override.replaceAll(';', '');
    if (cleaned.trim() !== '') return cleaned;
  }
  return job.arguments.join(' ');
}

/** `ct:<due>:<attempt>:<jobName>:<args>` from its parts (args used verbatim). */
export function formatTaskId(due: Instant, attempt: number, jobName: string, args: string): string {
  return `${TASK_ID_PREFIX}${due}:${attempt}:${jobName}:${args}`;
}

/** The task id of one run of `job`, with the Chronos argument rule applied. */
export function buildTaskId(
  job: Pick<Job, 'name' | 'arguments'>,
  due: Instant,
  attempt: number,
  argumentsOverride?: string | null,
): string {
  return formatTaskId(due, attempt, job.name, taskArguments(job, argumentsOverride));
}

/** Parse a task id; the error says why it is not one. */
export function parseTaskId(id: string): Result<TaskId, string> {
  if (!id.startsWith(TASK_ID_PREFIX)) return err(`task id '${id}' does not start with '${TASK_ID_PREFIX}'`);
  const m = TASK_ID_PATTERN.exec(id);
  if (!m) {
    return err(`task id '${id}' does not match ct:<dueMs>:<attempt>:<job>[:<args>]`);
  }
  const due = Number(m[1]);
  const attempt = Number(m[2]);
  if (!Number.isSafeInteger(due)) return err(`task id '${id}': due instant ${m[1]} is out of range`);
  if (!Number.isSafeInteger(attempt)) return err(`task id '${id}': attempt ${m[2]} is out of range`);
  return ok({ jobName: m[3], due, attempt, args: m[4] ?? '' });
}

/** Mesos TaskInfo.name of a job's tasks. */
export const taskName = (jobName: string): string => `${TASK_NAME_PREFIX}${jobName}`;
