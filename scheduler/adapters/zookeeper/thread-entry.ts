/**
 * Where the ZooKeeper thread's code is, for the way this process runs:
 *
 * - from source (tsx, vitest, `next dev`): elector-thread.ts beside this file, loaded through tsx's
 *   API by a one-line bootstrap (on Node 20 a thread does not get tsx's hooks from `--import tsx`);
 * - compiled (scripts/lib/server-bundle.mjs, `npm start`, the benchmarks): the bundle's own
 *   scheduler/adapters/zookeeper/elector-thread.mjs, found above the chunk this code was put in.
 *
 * null when neither is there (a build that left the thread out): the caller then runs the
 * elector on the main thread.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ThreadEntry {
  /** A file for `new Worker`, or the bootstrap's code when `evaluate`. */
  code: string;
  evaluate: boolean;
  execArgv: string[];
}

const BUNDLED = path.join('scheduler', 'adapters', 'zookeeper', 'elector-thread.mjs');

export function electorThreadEntry(here: string = import.meta.url): ThreadEntry | null {
  if (!here.startsWith('file:')) return null;
  const dir = path.dirname(fileURLToPath(here));
  const source = path.join(dir, 'elector-thread.ts');
  if (here.endsWith('.ts') && fs.existsSync(source)) {
    let api: string;
    try {
      // the package's ESM build of its API (the CommonJS one resolves tsImport's loader wrongly in a thread)
      api = path.join(path.dirname(createRequire(here).resolve('tsx/esm/api')), 'index.mjs');
    } catch {
      return null;
    }
    const url = pathToFileURL(source).href;
    const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => m.tsImport(${JSON.stringify(url)}, ${JSON.stringify(url)}))`;
    return { code, evaluate: true, execArgv: withoutTsx(process.execArgv) };
  }
  for (let d = dir, i = 0; i < 6; i++, d = path.dirname(d)) {
    const file = path.join(d, BUNDLED);
    if (fs.existsSync(file)) return { code: file, evaluate: false, execArgv: process.execArgv };
  }
  return null;
}

/** The process's node options without its tsx loader (the bootstrap registers tsx itself). */
function withoutTsx(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--import' || argv[i] === '--loader' || argv[i] === '--require') && /(^|\/)tsx(\/|$)/.test(argv[i + 1] ?? '')) i++;
    else if (/^--(import|loader|require)=.*tsx/.test(argv[i])) continue;
    else out.push(argv[i]);
  }
  return out;
}
