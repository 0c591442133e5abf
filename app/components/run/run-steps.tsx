/**
 * A run's state timeline on the run page: queued → offered → launched → each Mesos status update
 * (state, message, reason, source, agent) → ended; a queued run shows why it waits.
 */
import type { RunStep } from '@/scheduler/api/ui-types';
import { Time, formatDuration } from '../time';

const DOT: Record<string, string> = {
  QUEUED: 'bg-amber-400',
  WAITING: 'bg-amber-400',
  OFFERED: 'bg-sky-300',
  LAUNCHED: 'bg-sky-400',
  RUNNING: 'bg-sky-500',
  FINISHED: 'bg-green-500',
  TASK_STAGING: 'bg-sky-400',
  TASK_STARTING: 'bg-sky-400',
  TASK_RUNNING: 'bg-sky-500',
  TASK_KILLING: 'bg-amber-400',
  TASK_UNREACHABLE: 'bg-amber-400',
  TASK_FINISHED: 'bg-green-500',
};

export function RunSteps({ steps }: { steps: RunStep[] }) {
  let previous: number | null = null;
  return (
    <ol className="space-y-2 text-sm" aria-label="State timeline">
      {steps.map((s, i) => {
        const gap = s.at !== null && previous !== null ? s.at - previous : null;
        if (s.at !== null) previous = s.at;
        return (
          <li key={i} className="flex min-w-0 gap-3" data-testid="run-step">
            <span aria-hidden="true" className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${DOT[s.state] ?? 'bg-red-500'}`} />
            <div className="min-w-0">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <span className="font-mono text-xs font-semibold">{s.state}</span>
                {s.at !== null ? <Time instant={s.at} seconds className="tabular-nums" /> : <span className="muted text-xs">now</span>}
                {gap !== null && gap > 0 ? <span className="muted text-xs">+{formatDuration(gap)}</span> : null}
              </div>
              <p className="break-words text-gray-700 dark:text-gray-300">{s.detail}</p>
              <StepFacts step={s} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** A status update's Mesos reason, source and agent, when it carries them. */
function StepFacts({ step }: { step: RunStep }) {
  const facts = [
    step.reason ? { label: 'reason', value: step.reason } : null,
    step.source ? { label: 'source', value: step.source } : null,
    step.agentId && step.state !== 'LAUNCHED' ? { label: 'agent', value: step.agentId } : null,
  ].filter((f): f is { label: string; value: string } => f !== null);
  if (facts.length === 0) return null;
  return (
    <dl className="muted mt-0.5 flex flex-wrap gap-x-3 text-xs">
      {facts.map((f) => (
        <div key={f.label} className="flex min-w-0 gap-1">
          <dt>{f.label}</dt>
          <dd className="break-all font-mono">{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
