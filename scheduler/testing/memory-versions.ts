/**
 * The JobVersionStore port in memory (for MemoryStore): numbered per job name from 1, across
 * deletes; at most `keep` versions per job, the oldest dropped, as version-store.ts does.
 */
import type { JobVersion } from '../core/job-version';
import type { Job } from '../core/types';
import type { JobVersionStore } from '../ports';

const copy = <T>(v: T): T => structuredClone(v);

export function memoryVersions(data: () => { versions: JobVersion[]; jobs: Map<string, Job> }, keep = 100): JobVersionStore {
  const top = (name: string) => data().versions.reduce((m, v) => (v.jobName === name && v.n > m ? v.n : m), 0);
  return {
    add: async (versions) => {
      const ns: number[] = [];
      for (const v of versions) {
        const n = top(v.jobName) + 1;
        const { previous: _previous, ...kept } = copy(v);
        data().versions.push({ ...kept, n });
        ns.push(n);
      }
      for (const name of new Set(versions.map((v) => v.jobName))) {
        const floor = top(name) - keep;
        data().versions = data().versions.filter((v) => v.jobName !== name || v.n > floor);
      }
      return ns;
    },
    list: async (name, limit, before) =>
      copy(
        data()
          .versions.filter((v) => v.jobName === name && (before === undefined || v.n < before))
          .sort((a, b) => b.n - a.n)
          .slice(0, limit),
      ),
    get: async (name, n) => copy(data().versions.find((v) => v.jobName === name && v.n === n) ?? null),
    deleted: async (limit) => {
      const latest = new Map<string, JobVersion>();
      for (const v of data().versions) if (v.kind === 'delete' && (latest.get(v.jobName)?.n ?? 0) < v.n) latest.set(v.jobName, v);
      return [...latest.values()]
        .filter((v) => !data().jobs.has(v.jobName))
        .sort((a, b) => b.at - a.at || (a.jobName < b.jobName ? -1 : 1))
        .slice(0, limit)
        .map((v) => copy({ name: v.jobName, n: v.n, at: v.at, by: v.by, job: v.job }));
    },
  };
}

/** The latest version number of a job, or undefined without history (a run's jobVersion). */
export function latestVersion(versions: readonly JobVersion[], name: string): number | undefined {
  let n: number | undefined;
  for (const v of versions) if (v.jobName === name && (n === undefined || v.n > n)) n = v.n;
  return n;
}
