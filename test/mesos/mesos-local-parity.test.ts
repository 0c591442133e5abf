/**
 * mesos-local matches Mesos (issue 13, point 4): the suite of suite.ts, unchanged, against
 * mesos-local. Every assertion there also holds on real Apache Mesos (real-mesos.test.ts); the
 * differences this found and fixed in mesos-local are listed in mesos-local/README.md.
 */
import { describe } from 'vitest';
import { mesosSuite } from './suite';

describe('mesos-local', () => {
  mesosSuite('mesos-local');
});
