/**
 * ESLint (run by `npm test`, `npm run lint`): typescript-eslint's recommended rules, and the rules
 * that keep the layers of shared/ARCHITECTURE.md:
 *
 *   scheduler/core      pure: no I/O library, no other layer, no wall clock or timers
 *   scheduler/adapters  the only importers of Prisma, pg, PGlite, protobufjs (proto/), ZooKeeper
 *   scheduler/runtime   never imports scheduler/api (the API depends on the runtime, not back)
 *   scheduler/**        never imports app/ (the web UI) or mesos-local/ (tests may, and
 *                       scheduler/testing, which assembles whole schedulers for tests)
 */
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** The I/O libraries, by module name (regular expressions, so a path such as ../adapters/prisma is not one). */
const IO_LIBRARIES = [
  { regex: '^(@prisma/.*|prisma(/.*)?|.*/generated/(client|internal).*)$', message: 'Prisma belongs in scheduler/adapters/prisma.' },
  { regex: '^pg(/.*)?$', message: 'pg belongs in scheduler/adapters/prisma.' },
  { regex: '^(@electric-sql/pglite.*|pglite-prisma-adapter)$', message: 'PGlite belongs in scheduler/adapters/prisma.' },
  { regex: '^(protobufjs(/.*)?|(\\.\\./)+proto(/.*)?|@/proto(/.*)?)$', message: 'protobufjs and proto/ belong in scheduler/adapters/mesos.' },
  { regex: '^node-zookeeper-client$', message: 'ZooKeeper belongs in scheduler/adapters/zookeeper.' },
  { regex: '^nodemailer$', message: 'nodemailer belongs in scheduler/adapters/notify.' },
];
const UI_AND_MESOS_LOCAL = [
  { group: ['@/app/*', '*/app/*', '../../app/*'], message: 'scheduler/ never imports the web UI (app/).' },
  { group: ['*/mesos-local/*', '@/mesos-local/*'], message: 'scheduler/ never imports mesos-local/ (only tests do).' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.cache/**',
      '.next/**',
      'data/**',
      'coverage/**',
      'e2e/artifacts/**',
      'scheduler/adapters/prisma/generated/**',
      'proto/**/*.js',
      'next-env.d.ts',
      '**/*.mjs',
      '**/*.cjs',
      '**/*.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // the code base uses `_` for deliberately unused parameters
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['scheduler/core/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...IO_LIBRARIES,
            ...UI_AND_MESOS_LOCAL,
            { group: ['../adapters/*', '../runtime/*', '../api/*', '../ports', 'node:*'], message: 'scheduler/core is pure: it imports only core, luxon, croner and types.' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'scheduler/core takes `now` as a parameter.' }],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'scheduler/core has no timers.' },
        { name: 'setInterval', message: 'scheduler/core has no timers.' },
        { name: 'setImmediate', message: 'scheduler/core has no timers.' },
      ],
    },
  },
  {
    files: ['scheduler/runtime/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...IO_LIBRARIES, ...UI_AND_MESOS_LOCAL, { group: ['../api/*', '../../api/*'], message: 'scheduler/runtime never imports scheduler/api: the API depends on the runtime.' }] },
      ],
    },
  },
  {
    files: ['scheduler/api/**/*.ts', 'scheduler/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...IO_LIBRARIES, ...UI_AND_MESOS_LOCAL] }],
    },
  },
  {
    files: ['scheduler/adapters/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', '**/test-support.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...UI_AND_MESOS_LOCAL, { group: ['../../api/*', '../../runtime/*'], message: 'adapters implement ports; they never import the runtime or the API.' }] },
      ],
    },
  },
  {
    files: ['server/**/*.ts', 'app/**/*.ts', 'app/**/*.tsx', '*.ts'],
    // prisma.config.ts is the Prisma CLI's own configuration
    ignores: ['**/*.test.ts', 'prisma.config.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: IO_LIBRARIES }],
    },
  },
);
