/**
 * The server compiled ahead of time: server/main.ts, proxy.ts, the ZooKeeper thread
 * (scheduler/adapters/zookeeper/elector-thread.ts) and every app/**\/route.ts bundled
 * by esbuild into plain ES modules under .next/server-bundle/ (the same tree: server/main.mjs,
 * app/…/route.mjs; shared code in chunks, so every route sees the same module instances), run by
 * plain `node`. Packages stay in node_modules (not bundled).
 *
 * Why: under `node --import tsx` the server carried tsx's loader thread (a second V8 heap), an
 * esbuild service process and the source maps of every transpiled file: ~60 MiB of resident
 * memory before the first job (issue 18: 100,000 jobs in < 512 MiB). `next build` empties .next,
 * so a build of the web app always drops a stale bundle; `npm start` and the benchmarks make it
 * after `next build` (2-3 s).
 */
import fs from 'node:fs';
import path from 'node:path';

/** Where the bundle lives under a checkout (or a copy of one). */
export const BUNDLE_DIR = path.join('.next', 'server-bundle');
/** Written last: its presence means the bundle is whole, its mtime when it was made. */
const STAMP = 'BUNDLED';

/** The compiled server's entry point under `root`. */
export function bundledMain(root) {
  return path.join(root, BUNDLE_DIR, 'server', 'main.mjs');
}

/** The route handlers under `dir` (app/), as paths. */
function routeFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') out.push(...routeFiles(p));
    } else if (e.name === 'route.ts') {
      out.push(p);
    }
  }
  return out;
}

/**
 * Node's ESM loader does not add `.js` to a package's subpath the way bundlers and CommonJS do:
 * `next/server` (a package without an exports map) must be written `next/server.js` to load.
 * Such imports are kept external with the file's name spelled out.
 */
function subpathExtensions(root) {
  const exportsMap = new Map();
  const hasExports = (pkg) => {
    if (!exportsMap.has(pkg)) {
      let value = true;
      try {
        value = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).exports !== undefined;
      } catch {
        // not installed at the top level: left to node
      }
      exportsMap.set(pkg, value);
    }
    return exportsMap.get(pkg);
  };
  return {
    name: 'subpath-extensions',
    setup(build) {
      build.onResolve({ filter: /^(@[^/.][^/]*\/)?[^/.@][^/]*\/[^.]+$/ }, (args) => {
        const m = /^((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(args.path);
        if (!m || hasExports(m[1])) return undefined;
        const file = path.join(root, 'node_modules', m[1], `${m[2]}.js`);
        return fs.existsSync(file) ? { path: `${args.path}.js`, external: true } : undefined;
      });
    },
  };
}

/** Whether the bundle under `root` is whole and at least as new as `sinceMs` (e.g. .next/BUILD_ID). */
export function bundleCurrent(root, sinceMs) {
  const stamp = path.join(root, BUNDLE_DIR, STAMP);
  return fs.existsSync(stamp) && fs.existsSync(bundledMain(root)) && fs.statSync(stamp).mtimeMs >= sinceMs;
}

/**
 * Bundles the server of the checkout at `root` into root/.next/server-bundle, or into `outDir`
 * (replacing what was there); answers the entry point.
 */
export async function buildServerBundle(root, outDir = path.join(root, BUNDLE_DIR)) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    throw new Error(`esbuild is missing (${e.message}); run: npm install`);
  }
  const out = outDir;
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      path.join(root, 'server', 'main.ts'),
      path.join(root, 'proxy.ts'),
      // the ZooKeeper thread's code (scheduler/adapters/zookeeper/thread-entry.ts finds it here)
      path.join(root, 'scheduler', 'adapters', 'zookeeper', 'elector-thread.ts'),
      ...routeFiles(path.join(root, 'app')),
    ],
    outbase: root,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'silent',
    plugins: [subpathExtensions(root)],
  });
  fs.writeFileSync(path.join(out, STAMP), `${new Date().toISOString()}\n`);
  return path.join(out, 'server', 'main.mjs');
}
