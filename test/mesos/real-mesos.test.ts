/**
 * The real-Mesos tier (issue 13): the suite of suite.ts on real Apache Mesos, a mesos-master and
 * two mesos-agents started from the build (scripts/mesos/) and stopped at the end. Skipped on a
 * machine without a build (`npm test` then says so in one line, scripts/services.mjs); when the
 * build is there, scripts/test.mjs fails unless this file wrote its marker (mesos-tier.mjs), so
 * CI cannot skip it silently.
 */
import { describe } from 'vitest';
import { writeTierMarker } from '../../scripts/lib/mesos-tier.mjs';
import { mesosSuite } from './suite';
import { realMesosAvailable } from './target';

describe.skipIf(!realMesosAvailable())('real Apache Mesos', () => {
  mesosSuite('real', (passed) => writeTierMarker(passed));
});
