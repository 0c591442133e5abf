/**
 * What the web app's build reads, so what makes a build stale: `npm start` (scripts/start.mjs)
 * and the tests that serve the built app (e2e/harness.ts `ensureBuilt`) rebuild by this one rule.
 * Plain Node.js (start.mjs runs it before anything is built).
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Not part of the web app's build: a change here needs no rebuild. Directories by name at any
 * depth; files by suffix.
 */
const NOT_BUILD_INPUT_DIRS = new Set([
  'node_modules', '.next', '.git', '.ci', 'data', 'coverage', '.sisyphus-test',
  'e2e', 'bench', 'examples', 'mesos-local', 'scripts', 'test',
]);
const NOT_BUILD_INPUT_FILES = [/\.md$/, /\.(test|spec)\.[cm]?[jt]sx?$/, /^next-env\.d\.ts$/, /\.tsbuildinfo$/];

/** Newest modification time of any build input under dir (0 when none). */
export function newestBuildInput(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!NOT_BUILD_INPUT_DIRS.has(entry.name)) newest = Math.max(newest, newestBuildInput(path.join(dir, entry.name)));
    } else if (entry.isFile() && !NOT_BUILD_INPUT_FILES.some((re) => re.test(entry.name))) {
      newest = Math.max(newest, fs.statSync(path.join(dir, entry.name)).mtimeMs);
    }
  }
  return newest;
}
