#!/usr/bin/env node
// postinstall: generate the Prisma client (gitignored, scheduler/adapters/prisma/generated) offline.
// `prisma generate` only needs the query compiler shipped in @prisma/client, but the CLI insists on
// locating a native schema engine first and would try to download it; naming any existing file in
// PRISMA_SCHEMA_ENGINE_BINARY satisfies that check without a download. Quiet on success; on
// failure one line with the reason and a non-zero exit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fail = (reason) => {
  process.stderr.write(`prisma-generate: ${reason.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(1);
};

let cli;
try {
  cli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
} catch {
  fail('the prisma package is not installed (run npm install)');
}

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath; // any existing file; generate never runs it
}

const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: root,
  env,
  encoding: 'utf8',
  timeout: 120_000,
});
if (r.error) fail(`could not run prisma generate: ${r.error.message}`);
if (r.status !== 0) {
  const out = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(npm warn|Loaded Prisma config|Prisma schema loaded|Environment variables)/i.test(l));
  // Prefer the specific validation line ("error: ...") and its location ("--> file:line").
  const specific = out.find((l) => l.startsWith('error:'));
  const where = out.find((l) => l.startsWith('-->'));
  const reason = specific
    ? `${specific.slice(6).trim()}${where ? ` (${where.slice(3).trim()})` : ''}`
    : (out.find((l) => /error|fail|cannot|could not|not found/i.test(l)) ?? out[0] ?? `exit ${r.status}`);
  fail(`prisma generate failed: ${reason}`);
}
