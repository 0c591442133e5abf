/**
 * An offer round's launches in chunks, so the first tasks can start while the rest are recorded:
 * each chunk is recorded (runs → STAGING, schedules advanced) and then ACCEPTed on its own.
 *
 * A chunk is whole agents (one ACCEPT per agent's offers: an offer is used once) and whole jobs (a
 * job's runs and its schedule's advance are recorded together, so a stop between two chunks never
 * leaves a schedule advanced past a run that is not recorded, or the reverse). Agents sharing a job
 * go to the same chunk. Chunks are filled in the matcher's order up to about `size` tasks (a group
 * of agents bigger than `size` is one chunk).
 */
import type { AgentLaunch } from './matcher';

export function launchChunks(launches: readonly AgentLaunch[], size: number): AgentLaunch[][] {
  // union-find over the agents' launches: joined when they launch runs of the same job
  const parent = launches.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const agentOfJob = new Map<string, number>();
  launches.forEach((l, i) => {
    for (const t of l.tasks) {
      const seen = agentOfJob.get(t.jobName);
      if (seen === undefined) agentOfJob.set(t.jobName, i);
      else {
        const a = find(seen);
        const b = find(i);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  // the groups in the order of their first agent, each agent in the matcher's order
  const groups = new Map<number, AgentLaunch[]>();
  launches.forEach((l, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(l);
    else groups.set(root, [l]);
  });
  const chunks: AgentLaunch[][] = [];
  let current: AgentLaunch[] = [];
  let tasks = 0;
  for (const group of groups.values()) {
    const n = group.reduce((s, l) => s + l.tasks.length, 0);
    if (current.length > 0 && tasks + n > size) {
      chunks.push(current);
      current = [];
      tasks = 0;
    }
    current.push(...group);
    tasks += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
