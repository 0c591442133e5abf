'use client';
/** The editor's warning when a job asks for more than any agent has (resource-fit.ts), from /api/cluster. */
import type { ClusterState } from '@/scheduler/api/ui-types';
import { useApi } from '../api';
import { resourceWarnings } from './resource-fit';

export function ResourceWarning({ cpus, mem, disk }: { cpus: string; mem: string; disk: string }) {
  const cluster = useApi<ClusterState>('/api/cluster');
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const warnings = cluster.data ? resourceWarnings({ cpus: num(cpus), mem: num(mem), disk: num(disk) }, cluster.data.agents) : [];
  if (warnings.length === 0) return null;
  return (
    <div role="status" data-testid="resource-warning" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
      {warnings.map((w) => (
        <p key={w}>This job {w}</p>
      ))}
    </div>
  );
}
