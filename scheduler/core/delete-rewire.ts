/**
 * What deleting a job does to its children (shared/reference/chronos.md §4). Pure.
 */
import type { Job } from './types';

const dedupe = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * The jobs to rewrite when `deleted` is deleted, given its children (Chronos behaviour, §4):
 * - `deleted` is a dependency job P: each child's parents become (child.parents − P) ∪ P.parents;
 * - `deleted` is a scheduled job S: every dependency child becomes a scheduled job with S's
 *   schedule and scheduleTimeZone, even a child with other parents (#660). As in Chronos the
 *   converted child also loses its container, environmentVariables, arguments, constraints,
 *   description and concurrent (they go back to their defaults).
 * Children are returned in the order given; store them together with the delete.
 */
export function rewireChildrenOnDelete(deleted: Job, children: readonly Job[]): Job[] {
  const isDependency = deleted.parents !== undefined && deleted.parents.length > 0;
  return children.map((child) => {
    if (isDependency) {
      const parents = dedupe([
        ...(child.parents ?? []).filter((p) => p !== deleted.name),
        ...deleted.parents!,
      ]);
      return { ...child, parents };
    }
    const converted: Job = {
      ...child,
      environmentVariables: [],
      arguments: [],
      constraints: [],
      description: '',
      concurrent: false,
      schedule: deleted.schedule ?? '',
      scheduleTimeZone: deleted.scheduleTimeZone ?? '',
    };
    delete converted.parents;
    delete converted.container;
    return converted;
  });
}
