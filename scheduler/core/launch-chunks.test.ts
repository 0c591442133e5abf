import { describe, expect, it } from 'vitest';
import { launchChunks } from './launch-chunks';
import type { AgentLaunch } from './matcher';

const agent = (id: string, jobs: string[]): AgentLaunch => ({
  agentId: id,
  hostname: id,
  offerIds: [`o-${id}`],
  tasks: jobs.map((j, k) => ({ taskId: `${j}-${k}`, jobName: j, resources: [] })),
});

const ids = (chunks: AgentLaunch[][]) => chunks.map((c) => c.map((l) => l.agentId));

describe('launchChunks', () => {
  it('fills chunks with whole agents, in order, up to about the size', () => {
    const launches = [agent('a', ['j1', 'j2']), agent('b', ['j3', 'j4']), agent('c', ['j5', 'j6']), agent('d', ['j7'])];
    expect(ids(launchChunks(launches, 4))).toEqual([['a', 'b'], ['c', 'd']]);
    expect(ids(launchChunks(launches, 1))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(ids(launchChunks(launches, 100))).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('keeps every agent launching runs of one job in the same chunk', () => {
    const launches = [agent('a', ['j1']), agent('b', ['j2']), agent('c', ['j1', 'j3']), agent('d', ['j3']), agent('e', ['j4'])];
    const chunks = launchChunks(launches, 1);
    expect(ids(chunks)).toEqual([['a', 'c', 'd'], ['b'], ['e']]);
    // every job in exactly one chunk, every agent once
    const jobChunk = new Map<string, number>();
    chunks.forEach((c, i) => {
      for (const t of c.flatMap((l) => l.tasks)) {
        expect(jobChunk.get(t.jobName) ?? i).toBe(i);
        jobChunk.set(t.jobName, i);
      }
    });
    expect(chunks.flat()).toHaveLength(launches.length);
  });

  it('has no chunk for no launches', () => {
    expect(launchChunks([], 10)).toEqual([]);
  });
});
