/**
 * A run's state timeline on the run page, oldest first: queued (and, while queued, why it waits),
 * offered (matched to an agent's offer), launched, then each Mesos status update as it came (state,
 * reason, message, source, agent), from the run's stored events (RunStore.events). A run stored
 * before events were kept, or one that ended without Mesos (skipped, killed while queued), shows
 * what its stored times say.
 */
import { isTerminal, type Run } from '../core/types';
import type { RunEvent } from '../ports';
import { runStateOf } from '../runtime/update-batcher';
import type { RunStep } from './ui-types';

function eventStep(e: RunEvent): RunStep {
  const detail = e.message ?? (e.state === 'OFFERED' ? 'matched to an offer' : e.state.replace(/^TASK_/, '').toLowerCase());
  return { state: e.state, at: e.at, detail, reason: e.reason, source: e.source, agentId: e.agentId };
}

export function runSteps(run: Run, waiting: string | null, events: readonly RunEvent[] = []): RunStep[] {
  const steps: RunStep[] = [{ state: 'QUEUED', at: run.queuedAt, detail: `queued (${run.trigger})` }];
  if (run.state === 'QUEUED' && waiting) steps.push({ state: 'WAITING', at: null, detail: waiting });
  const where = [run.host, run.agentId ? `agent ${run.agentId}` : null].filter(Boolean).join(', ');
  const offered = events.filter((e) => e.state === 'OFFERED');
  const updates = events.filter((e) => e.state !== 'OFFERED');
  steps.push(...offered.map(eventStep));
  if (run.launchedAt !== null) steps.push({ state: 'LAUNCHED', at: run.launchedAt, detail: `offer accepted, task launched${where ? ` on ${where}` : ''}`, agentId: run.agentId });
  if (updates.length > 0) {
    steps.push(...updates.map(eventStep));
  } else if (run.startedAt !== null) {
    steps.push({ state: 'RUNNING', at: run.startedAt, detail: `running${where ? ` on ${where}` : ''}` });
  } else if (!isTerminal(run.state) && run.state !== 'QUEUED') {
    steps.push({ state: run.state, at: null, detail: run.state.toLowerCase() });
  }
  // the end, unless a Mesos update already says it (a run can end without one: skipped, killed while queued)
  const ended = updates.some((e) => {
    const s = runStateOf(e.state);
    return s !== null && isTerminal(s);
  });
  if (isTerminal(run.state) && !ended) {
    const why = [run.message, run.reason].filter(Boolean).join(' · ');
    steps.push({ state: run.state, at: run.finishedAt, detail: why || run.state.toLowerCase() });
  }
  return steps;
}
