/**
 * Does a job's ask fit any agent? The editor warns when cpus, mem or disk exceed what the largest
 * agent has in all (so no offer can ever hold it: the run would wait forever). Pure.
 */
import type { AgentInfo } from '@/scheduler/api/ui-types';

type Kind = 'cpus' | 'mem' | 'disk';
const UNIT: Record<Kind, string> = { cpus: 'cpus', mem: 'MB mem', disk: 'MB disk' };

/** One sentence per resource asked beyond every active agent's total; [] when it fits or no agent is known. */
export function resourceWarnings(ask: Partial<Record<Kind, number>>, agents: readonly AgentInfo[]): string[] {
  const active = agents.filter((a) => a.active);
  if (active.length === 0) return [];
  const out: string[] = [];
  for (const k of ['cpus', 'mem', 'disk'] as const) {
    const want = ask[k];
    if (want === undefined || !Number.isFinite(want)) continue;
    let best = active[0];
    for (const a of active) if (a.resources[k] > best.resources[k]) best = a;
    if (want > best.resources[k]) {
      out.push(
        `asks for ${want} ${UNIT[k]}, more than any agent has: the largest of ${active.length} agent${active.length === 1 ? '' : 's'} has ${best.resources[k]} (${best.hostname}). Its runs would wait in the queue until such an agent joins.`,
      );
    }
  }
  return out;
}
