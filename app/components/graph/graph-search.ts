/** Finding jobs in the graph by name: the matches for what is typed, best first. */
import type { GraphNode } from '@/scheduler/api/ui-types';

/** The names containing `query` (case-insensitive): the exact match, then prefixes, then the rest, each by name. */
export function findMatches(nodes: readonly Pick<GraphNode, 'name'>[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const all = nodes.map((n) => n.name).filter((n) => n.toLowerCase().includes(q));
  return all.sort((a, b) => rank(a, q) - rank(b, q) || a.localeCompare(b));
}

function rank(name: string, q: string): number {
  const n = name.toLowerCase();
  return n === q ? 0 : n.startsWith(q) ? 1 : 2;
}
