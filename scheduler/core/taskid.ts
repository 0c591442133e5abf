/**
 * Chronos task identity (shared/reference/chronos.md §5): `ct:<dueMs>:<attempt>:<job>:<args>`,
 * task name `ChronosTask:<job>`. Pure.
 */
import type { Instant, Job, Result } from './types';
import { err, ok } from './types';
import { LATEST_INSTANT } from './iso8601';

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

/**
 * The longest task id Mesos can run: the agent names the command executor's sandbox directory
 * after the task id, and a file name has at most 255 bytes (a longer id failed every run with
 * ENAMETOOLONG).
 */
export const MAX_TASK_ID_BYTES = 255;

const UTF8 = new TextEncoder();

/** Characters Mesos refuses in any id (src/common/validation.cpp): control characters, `/` and `\`. */
const INVALID_ID_CHARACTER = /[\x00-\x1f\x7f/\\]/;

/**
 * Why the task ids of `jobName` with `args` would be refused by Mesos, in words; null when they
 * are fine. Checks the longest id such a run can have: the latest due instant Sisyphus schedules
 * and an attempt of `maxAttempt` (the job's retries).
 */
export function taskIdProblem(jobName: string, args: string, maxAttempt: number): string | null {
  const bad = INVALID_ID_CHARACTER.exec(args);
  if (bad) {
    const c = bad[0];
    const shown = c === '/' || c === '\\' ? `'${c}'` : `the control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
    return `${shown} cannot be used: the arguments are part of the Mesos task id (ct:<due>:<attempt>:<job>:<arguments>), and Mesos refuses ${shown} in an id (pass paths in the command or in environmentVariables instead)`;
  }
  const longest = UTF8.encode(formatTaskId(LATEST_INSTANT, maxAttempt, jobName, args)).length;
  if (longest > MAX_TASK_ID_BYTES) {
    return `too long: with them the Mesos task id would be up to ${longest} bytes, and Mesos takes at most ${MAX_TASK_ID_BYTES} (shorten the arguments or the job name)`;
  }
  return null;
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
