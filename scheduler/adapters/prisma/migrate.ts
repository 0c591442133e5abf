/**
 * Applies prisma/migrations/<name>/migration.sql on start, without Prisma's native schema engine
 * (which this project never downloads). Each migration runs in its own transaction together with
 * its bookkeeping row, so a failing migration leaves nothing behind.
 *
 * Bookkeeping uses Prisma's own `_prisma_migrations` table and row format (sha256 checksum of the
 * file, finished_at, applied_steps_count), so `prisma migrate status` agrees with us wherever a
 * schema engine is available.
 *
 * Concurrency: on PostgreSQL the whole check-and-apply runs under a session advisory lock, so two
 * processes starting at once serialize and the second finds nothing to do. PGlite is single-process
 * by construction (one process owns the data directory), so it needs no lock.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Migration {
  /** Directory name, e.g. 20250101000000_init; applied in lexical order. */
  name: string;
  sql: string;
  /** sha256 hex of the file, as Prisma computes it. */
  checksum: string;
}

/** The little a migrator needs from a connection: multi-statement exec, parameterized query. */
export interface MigrationConnection {
  exec(sql: string): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs fn in one transaction on this connection. */
  transaction<T>(fn: (c: MigrationConnection) => Promise<T>): Promise<T>;
}

export interface MigrateResult {
  /** Names applied by this call, in order (empty when already up to date). */
  applied: string[];
}

/** Arbitrary fixed key of the session advisory lock held while migrating ("SISYPHUS"). */
export const MIGRATION_LOCK_KEY = '6005972380418696531';

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Finds prisma/migrations: an explicit dir (SISYPHUS_MIGRATIONS_DIR), else the first
 * `prisma/migrations` found walking up from the working directory, then from this module
 * (covers `next start`, bundled chunks under .next/, vitest and tsx).
 */
export function findMigrationsDir(explicit?: string): string {
  const given = explicit;
  if (given) {
    if (!isDir(given)) throw new Error(`migrations directory not found: ${path.resolve(given)}`);
    return path.resolve(given);
  }
  const starts = [process.cwd()];
  try {
    starts.push(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not a file: URL (bundled); the working directory is enough
  }
  for (const start of starts) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'prisma', 'migrations');
      if (isDir(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `prisma/migrations not found above ${process.cwd()}; set SISYPHUS_MIGRATIONS_DIR to its path`,
  );
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function loadMigrations(dir: string = findMigrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'migration.sql')))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies every migration not yet recorded, in name order. Idempotent. Throws when a recorded
 * migration's file changed (checksum mismatch). Recorded migrations this build does not know are
 * ignored, so an older build keeps starting against a database a newer build migrated.
 */
export async function applyMigrations(
  conn: MigrationConnection,
  migrations: Migration[],
): Promise<MigrateResult> {
  await conn.exec(MIGRATIONS_TABLE);
  const rows = await conn.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const done = new Map(rows.map((r) => [r.migration_name, r.checksum]));
  const applied: string[] = [];
  for (const m of migrations) {
    const recorded = done.get(m.name);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) {
        throw new Error(
          `migration ${m.name} was modified after it was applied (checksum differs); add a new migration instead`,
        );
      }
      continue;
    }
    await conn.transaction(async (tx) => {
      const id = randomUUID();
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), 0)`,
        [id, m.checksum, m.name],
      );
      try {
        await tx.exec(m.sql);
      } catch (e) {
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
      await tx.query(
        `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`,
        [id],
      );
    });
    applied.push(m.name);
  }
  return { applied };
}

/** PostgreSQL: one dedicated connection, advisory lock held for the whole check-and-apply. */
export async function migratePostgres(
  connectionString: string,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrateResult> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString, application_name: 'sisyphus-migrate' });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL for migrations: ${(e as Error).message}`, {
      cause: e,
    });
  }
  // Notices (e.g. "relation already exists, skipping") are expected; keep them off the console.
  client.on('notice', () => {});
  const conn: MigrationConnection = {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <R>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params as unknown[])).rows as R[],
    transaction: async (fn) => {
      await client.query('BEGIN');
      try {
        const r = await fn(conn);
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    },
  };
  try {
    await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      return await applyMigrations(conn, migrations);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** The subset of @electric-sql/pglite used here (its Transaction has the same methods). */
interface PGliteLike {
  exec(sql: string): Promise<unknown>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  transaction<T>(fn: (tx: PGliteTxLike) => Promise<T>): Promise<T>;
}
interface PGliteTxLike {
  exec(sql: string): Promise<unknown>;
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** PGlite: the process owns the data directory, so no lock is needed. */
export async function migratePGlite(
  db: PGliteLike,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrateResult> {
  const wrap = (q: PGliteTxLike, inTx: boolean): MigrationConnection => ({
    exec: async (sql) => {
      await q.exec(sql);
    },
    query: async <R>(sql: string, params?: unknown[]) => (await q.query<R>(sql, params)).rows,
    transaction: async (fn) => {
      if (inTx) return fn(wrap(q, true));
      return db.transaction((tx) => fn(wrap(tx, true)));
    },
  });
  return applyMigrations(wrap(db, false), migrations);
}
