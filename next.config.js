// @ts-check
/**
 * Next.js configuration for Sisyphus.
 *
 * The scheduler runs inside the Next.js server process (see instrumentation.ts), so node-only
 * libraries it uses must not be bundled: they are loaded from node_modules at run time.
 * Telemetry is turned off in scripts/start.mjs and scripts/test.mjs (NEXT_TELEMETRY_DISABLED=1);
 * it cannot be switched off from this file.
 */

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm test` type-checks the whole project with `tsc --noEmit`. `next build` would check the
  // same include list again (tests, bench and e2e too), which makes `npm start` fail on a type
  // error in a file the app never loads, and costs time on every first start.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: [
    'pino',
    'protobufjs',
    'node-zookeeper-client',
    'pg',
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/client',
    '@prisma/adapter-pg',
  ],
  // Chronos 2.x clients call /scheduler/...: answer them with the /v1/scheduler/... handlers.
  // PUT /scheduler/task/{taskId} (2.x async completion) has its own route and is not rewritten;
  // /scheduler/task/kill/{name} (two segments after task/) is.
  async rewrites() {
    return [
      {
        source: '/scheduler/:path((?!task/[^/]+$).*)',
        destination: '/v1/scheduler/:path',
      },
    ];
  },
};

module.exports = nextConfig;
