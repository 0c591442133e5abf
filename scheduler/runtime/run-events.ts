/**
 * The entries of a run's stored timeline (RunEvent): each Mesos status update as it came, and the
 * scheduler's OFFERED when a queued run is matched to an offer. Text is kept as it came where it
 * can be stored, and cut at RUN_EVENT_TEXT_MAX characters (an agent's message can be a stack trace).
 */
import { storableText } from '../core/text';
import type { Instant } from '../core/types';
import type { RunEvent, TaskUpdate } from '../ports';

/** Longest message or reason kept on one event. */
export const RUN_EVENT_TEXT_MAX = 2000;

const text = (s: string | null | undefined): string | null =>
  s ? storableText(s.length > RUN_EVENT_TEXT_MAX ? `${s.slice(0, RUN_EVENT_TEXT_MAX - 1)}…` : s) : null;

/** A status update as its run's timeline keeps it; `now`: when the scheduler received it. */
export function statusEvent(update: TaskUpdate, now: Instant): RunEvent {
  return {
    taskId: update.taskId,
    at: now,
    state: text(update.state) ?? 'TASK_UNKNOWN',
    reason: text(update.reason),
    message: text(update.message),
    source: text(update.source),
    agentId: text(update.agentId),
    mesosAt: typeof update.timestamp === 'number' && Number.isFinite(update.timestamp) ? update.timestamp : null,
  };
}

/** The run was matched to these offers of an agent and its launch recorded (ACCEPT follows). */
export function offeredEvent(taskId: string, agentId: string, host: string, offerIds: readonly string[], now: Instant): RunEvent {
  const offers = offerIds.length === 1 ? `offer ${offerIds[0]}` : `offers ${offerIds.join(', ')}`;
  return {
    taskId,
    at: now,
    state: 'OFFERED',
    reason: null,
    message: text(`matched to ${offers} from ${host}`),
    source: 'SCHEDULER',
    agentId: text(agentId),
    mesosAt: null,
  };
}
