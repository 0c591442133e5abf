/**
 * What this PostgreSQL can write: pgbench's TPC-B-like script (per transaction 3 UPDATEs, 1
 * INSERT, 1 SELECT, one commit) with 16 clients on 2 threads, on a fresh database at scale 16
 * (16 branches, so 16 clients do not all queue on one row).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { ADMIN_URL, createBenchDb } from './services';

const run = promisify(execFile);

function pgbenchBin(): string {
  for (const p of ['/usr/bin/pgbench', '/usr/lib/postgresql/15/bin/pgbench']) {
    try {
      fs.accessSync(p);
      return p;
    } catch {
      // next
    }
  }
  return 'pgbench';
}

export interface PgbenchResult {
  tps: number;
  rowWritesPerSecond: number;
}

export async function pgbench(seconds: number, runs: number, onProgress: (i: number) => void): Promise<PgbenchResult[]> {
  const db = await createBenchDb('sisyphus_bench_pgbench');
  const u = new URL(ADMIN_URL);
  const conn = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
  const bin = pgbenchBin();
  try {
    await run(bin, ['-i', '-q', '-s', '16', ...conn, db.name], { maxBuffer: 16 << 20 });
    const out: PgbenchResult[] = [];
    for (let i = 0; i < runs; i++) {
      onProgress(i);
      const { stdout } = await run(bin, ['-n', '-c', '16', '-j', '2', '-T', String(seconds), ...conn, db.name], { maxBuffer: 16 << 20 });
      const m = /tps = ([\d.]+)/.exec(stdout);
      if (!m) throw new Error(`pgbench printed no tps:\n${stdout}`);
      const tps = Number(m[1]);
      out.push({ tps, rowWritesPerSecond: tps * 4 });
    }
    return out;
  } finally {
    await db.drop();
  }
}
