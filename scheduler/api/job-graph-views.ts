/** The Chronos dependency graph views: GET /graph/dot and GET /graph/csv (scheduler/core/dag.ts writes them). */
import { DependencyGraph } from '../core/dag';
import { lastState } from '../core/last-state';
import type { Job } from '../core/types';
import type { SchedulerRuntime } from '../ports';
import type { JobSource } from './job-source';
import { activityLabel } from './job-reads';

export class JobGraphViews {
  constructor(
    private readonly runtime: SchedulerRuntime,
    private readonly jobs: JobSource,
  ) {}

  private async graph(): Promise<{ graph: DependencyGraph; jobs: Map<string, Job> }> {
    const list = (await this.jobs.all()).jobs;
    const { graph } = DependencyGraph.fromJobs(list);
    return { graph, jobs: new Map(list.map((j) => [j.name, j] as const)) };
  }

  /** GET /graph/dot. */
  async graphDot(): Promise<string> {
    return (await this.graph()).graph.toDot();
  }

  /** GET /graph/csv. */
  async graphCsv(): Promise<string> {
    const { graph, jobs } = await this.graph();
    return graph.toCsv((name) => ({
      lastState: lastState(jobs.get(name)!),
      state: activityLabel(this.runtime.activity(name)),
    }));
  }
}
