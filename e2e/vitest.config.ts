import path from 'node:path';
import { defineConfig } from 'vitest/config';

/** The e2e suite: `npx vitest run --config e2e/vitest.config.ts` (npm test runs it last). */
export default defineConfig({
  root: path.resolve(import.meta.dirname, '..'),
  resolve: { alias: { '@': path.resolve(import.meta.dirname, '..') } },
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    environment: 'node',
    pool: 'forks',
    // One app and one browser at a time on small machines: files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 240_000,
    reporters: ['default'],
  },
});
