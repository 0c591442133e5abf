/** A benchmarked app (a build over its seeded database) and a figure measured on it. */
import type { AppProcess, createBenchDb, startMesos } from '../services';
import type { Browser } from './browser-timing';
import type { SeedInfo } from './seed-db';

export interface Target {
  label: string;
  base: string;
  seed: SeedInfo;
  db: Awaited<ReturnType<typeof createBenchDb>>;
  mesos: Awaited<ReturnType<typeof startMesos>> | null;
  app: AppProcess | null;
}

export interface Figure {
  id: string;
  kind: 'page' | 'interaction';
  what: string;
  until: string;
  /** One measurement (ms); with `warm`, one unmeasured visit first. */
  once: (b: Browser) => Promise<number>;
  warm?: boolean;
}
