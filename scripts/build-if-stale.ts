/**
 * `npm test`'s build step: `next build` when .next is older than any build input (e2e/harness.ts
 * decides), so the tests that serve the built app (test/ha/next-proxy, e2e/) never build it while
 * timing-sensitive tests run.
 */
import { ensureBuilt } from '../e2e/harness';

ensureBuilt((s) => console.log(s)).catch((e) => {
  console.error(`build failed: ${(e as Error).message}`);
  process.exit(1);
});
