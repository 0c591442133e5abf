#!/usr/bin/env node
/**
 * `npm test` (and CI): every check, in order, stopping at the first failure.
 *
 *   1. services      node scripts/services.mjs: PostgreSQL, ZooKeeper, Chromium, ffmpeg (quiet when up)
 *   2. prisma        node scripts/prisma-generate.mjs, only when the generated client is missing
 *   3. typecheck     tsc --noEmit over the whole project
 *   3b. lint         eslint: typescript-eslint and the layer rules of eslint.config.mjs
 *   4. build         next build when .next is stale (the HA proxy test and e2e serve the build)
 *   5. tests         vitest run: all unit and integration tests (its summary is the last lines),
 *                    the real-Mesos tier (test/mesos/real-mesos.test.ts) included; afterwards, when
 *                    this machine has a Mesos build, the step fails unless that tier ran and passed
 *                    (scripts/lib/mesos-tier.mjs); without one, step 1 said in one line it is skipped
 *   6. e2e           the end-to-end runner, once e2e/ holds tests
 *
 * Child output is streamed as it comes. Exit code: 0 when all passed, else the failed step's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ScriptError, runMain, say, stream } from './lib/util.mjs';
import { clearTierMarker, mesosBuildPresent, tierProblem } from './lib/mesos-tier.mjs';

const node = process.execPath;
const bin = (...p) => path.join(ROOT, 'node_modules', ...p);
const PRISMA_SCHEMA = path.join(ROOT, 'prisma', 'schema.prisma');
const PRISMA_CLIENT = path.join(ROOT, 'scheduler', 'adapters', 'prisma', 'generated', 'client.ts');
const E2E_DIR = path.join(ROOT, 'e2e');
const E2E_TEST = /\.(spec|test|e2e)\.[cm]?[jt]sx?$/;

function hasE2eTests(dir = E2E_DIR) {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? e.name !== 'artifacts' && e.name !== 'node_modules' && hasE2eTests(path.join(dir, e.name)) : E2E_TEST.test(e.name),
  );
}

/**
 * The e2e runner, picked by what the e2e engineer sets up: Playwright's test runner with a
 * playwright.config.ts, or vitest with e2e/vitest.config.ts (playwright-core as a library).
 */
function e2eCommand() {
  const playwrightConfig = ['playwright.config.ts', 'playwright.config.mjs', 'playwright.config.js']
    .map((f) => path.join(ROOT, f))
    .find((f) => fs.existsSync(f));
  if (playwrightConfig && fs.existsSync(bin('@playwright', 'test', 'cli.js'))) {
    return [node, [bin('@playwright', 'test', 'cli.js'), 'test', '--config', playwrightConfig]];
  }
  const vitestConfig = ['vitest.config.ts', 'vitest.config.mts'].map((f) => path.join(E2E_DIR, f)).find((f) => fs.existsSync(f));
  if (vitestConfig) return [node, [bin('vitest', 'vitest.mjs'), 'run', '--config', vitestConfig]];
  throw new ScriptError(
    'e2e/ has tests but no runner: add playwright.config.ts (with @playwright/test installed) or e2e/vitest.config.ts',
  );
}

runMain(async () => {
  const started = Date.now();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

  const steps = [
    { name: 'services', run: () => [node, [path.join(ROOT, 'scripts', 'services.mjs')]], quiet: true },
    {
      name: 'prisma generate',
      when: () => fs.existsSync(PRISMA_SCHEMA) && !fs.existsSync(PRISMA_CLIENT),
      run: () => [node, [path.join(ROOT, 'scripts', 'prisma-generate.mjs')]],
    },
    { name: 'typecheck (tsc --noEmit)', run: () => [node, [bin('typescript', 'bin', 'tsc'), '--noEmit']] },
    { name: 'lint (eslint: layers and typescript-eslint)', run: () => [node, [bin('eslint', 'bin', 'eslint.js'), '.']] },
    // before vitest: test/ha/next-proxy and e2e/ serve the built app; building during the HA tests would starve them
    { name: 'build the app (next build, when stale)', run: () => [node, ['--import', 'tsx', path.join(ROOT, 'scripts', 'build-if-stale.ts')]] },
    {
      name: 'unit and integration tests (vitest run)',
      before: () => clearTierMarker(),
      run: () => [node, [bin('vitest', 'vitest.mjs'), 'run']],
      after: () => tierProblem(mesosBuildPresent()),
    },
    { name: 'end-to-end tests', when: hasE2eTests, run: e2eCommand },
  ];

  for (const step of steps) {
    if (step.when && !step.when()) continue;
    const stepStarted = Date.now();
    if (!step.quiet) say(`▸ ${step.name}`);
    step.before?.();
    const [cmd, args] = step.run();
    const code = await stream(cmd, args, { env });
    if (code !== 0) throw new ScriptError(`npm test failed at: ${step.name} (exit ${code})`);
    const problem = step.after?.();
    if (problem) throw new ScriptError(`npm test failed at: ${step.name}: ${problem}`);
    if (!step.quiet) say(`✓ ${step.name} (${((Date.now() - stepStarted) / 1000).toFixed(1)} s)`);
  }
  say(`all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
});
