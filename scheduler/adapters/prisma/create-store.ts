/**
 * Opens the store the environment asks for and brings its schema up to date first:
 * - `databaseUrl` / DATABASE_URL set: PostgreSQL through @prisma/adapter-pg; migrations under a
 *   Postgres advisory lock (safe when several processes start at once).
 * - unset: embedded PGlite in `<dataDir>/pglite` (dataDir: the option, default ./data),
 *   through pglite-prisma-adapter, with the pg_trgm contrib loaded for job search.
 * Nothing here downloads anything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadMigrations, migratePGlite, migratePostgres, type Migration } from './migrate';
import { bulkCursorReader } from './bulk-cursor';
import { pgTxRunner } from './pg-tx';
import { PrismaStore, type BulkReader } from './store';
import { DEFAULT_VERSIONS_KEPT } from './version-store';
import { PrismaClient } from './generated/client';

export interface CreateStoreOptions {
  /** PostgreSQL URL; default DATABASE_URL. Empty or unset selects embedded PGlite. */
  databaseUrl?: string;
  /** Directory for embedded data (SISYPHUS_DATA_DIR); default ./data. PGlite lives in <dir>/pglite. */
  dataDir?: string;
  /** Directory of migrations (SISYPHUS_MIGRATIONS_DIR); default prisma/migrations found upward. */
  migrationsDir?: string;
  /** Max PostgreSQL pool connections (default 10). */
  poolSize?: number;
  /** Versions of each job kept in its history (JOB_VERSIONS_KEPT; default 100). */
  versionsKept?: number;
  /** Told the pids a leader-epoch raise terminated because they blocked it (fencing.ts). */
  onRaiseCut?: (pids: number[]) => void;
}

export async function createStore(opts: CreateStoreOptions = {}): Promise<PrismaStore> {
  const migrations = loadMigrations(opts.migrationsDir ? opts.migrationsDir : undefined);
  const url = opts.databaseUrl;
  const kept = opts.versionsKept ?? DEFAULT_VERSIONS_KEPT;
  return url ? openPostgres(url, migrations, opts.poolSize ?? 10, kept, opts.onRaiseCut) : openPGlite(pgliteDir(opts), migrations, kept);
}

export function pgliteDir(opts: { dataDir?: string } = {}): string {
  const base = opts.dataDir || './data';
  return path.resolve(base, 'pglite');
}

/** Connections kept open however idle (see openPostgres). */
const WARM_CONNECTIONS = 4;

async function openPostgres(url: string, migrations: Migration[], max: number, versionsKept: number, onRaiseCut?: (pids: number[]) => void): Promise<PrismaStore> {
  await migratePostgres(url, migrations);
  const [{ PrismaPg }, { default: pg }] = await Promise.all([import('@prisma/adapter-pg'), import('pg')]);
  // One pool for Prisma and for the store's bulk reads of every job (plain pg, no row mapping).
  // `min`: the connections a follower opened at start (leadership.ts warms four) stay open while it
  // follows on one, so a takeover's parallel reads do not each wait to connect (pg closes an idle
  // client after 10 s; a new connection took up to 0.7 s of a takeover on a loaded machine). Idle
  // clients do not keep a process alive (a script that forgets close() still exits, as before).
  const pool = new pg.Pool({ connectionString: url, max, min: Math.min(max, WARM_CONNECTIONS), allowExitOnIdle: true, application_name: 'sisyphus' });
  pool.on('error', () => {}); // an idle client lost (database restart): the next query reconnects
  const adapter = new PrismaPg(pool);
  const prisma = new PrismaClient({ adapter });
  const bulk: BulkReader = bulkCursorReader(pool);
  const rawTx = pgTxRunner(pool);
  return new PrismaStore(
    prisma,
    async () => {
      await prisma.$disconnect();
      await pool.end();
    },
    bulk,
    rawTx,
    pool,
    onRaiseCut,
    versionsKept,
  );
}

async function openPGlite(dir: string, migrations: Migration[], versionsKept: number): Promise<PrismaStore> {
  mkdirSync(dir, { recursive: true });
  const [{ PGlite }, { pg_trgm }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('pglite-prisma-adapter'),
  ]);
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create(dir, { extensions: { pg_trgm } });
  } catch (e) {
    throw new Error(`cannot open embedded database in ${dir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    await migratePGlite(db, migrations);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return new PrismaStore(
    prisma,
    async () => {
      await prisma.$disconnect();
      await db.close();
    },
    null,
    null,
    null,
    undefined,
    versionsKept,
  );
}
