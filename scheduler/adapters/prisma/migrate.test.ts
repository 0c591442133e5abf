/**
 * Migrations against the real local PostgreSQL: they build exactly what prisma/schema.prisma
 * describes, apply once, are atomic, and survive two processes starting at once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createStore } from './create-store';
import { findMigrationsDir, loadMigrations, migratePostgres, type Migration } from './migrate';
import type { TestDatabase } from './test-support';
import { useFreshDatabases } from './use-test-store';

const freshDb = useFreshDatabases();

/* ---------- what schema.prisma says, read by a small parser (enough for this schema) ---------- */

interface ExpectedColumn {
  column: string;
  type: string; // information_schema data_type, e.g. "timestamp with time zone"
  precision: number | null; // datetime_precision for timestamps
  nullable: boolean;
  hasDefault: boolean;
}
interface ExpectedTable {
  table: string;
  columns: Map<string, ExpectedColumn>;
  primaryKey: string[];
  /** index name -> "col1, col2 DESC" and whether unique */
  indexes: Map<string, { unique: boolean; columns: string }>;
}

const SCALAR: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  Float: 'double precision',
  DateTime: 'timestamp without time zone',
  Json: 'jsonb',
};
const NATIVE: Record<string, string> = {
  Timestamptz: 'timestamp with time zone',
  JsonB: 'jsonb',
  Text: 'text',
};

function parseSchema(source: string): Map<string, ExpectedTable> {
  const tables = new Map<string, ExpectedTable>();
  const modelRe = /^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm;
  for (const [, model, body] of source.matchAll(modelRe)) {
    const lines = body.split('\n').map((l) => l.replace(/\/\/.*$/, '').trim()).filter(Boolean);
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? model;
    const fieldToColumn = new Map<string, string>();
    const t: ExpectedTable = { table, columns: new Map(), primaryKey: [], indexes: new Map() };
    for (const line of lines.filter((l) => !l.startsWith('@@'))) {
      const m = /^(\w+)\s+(\w+)(\?)?(.*)$/.exec(line);
      if (!m) throw new Error(`unparsed field line: ${line}`);
      const [, field, type, optional, attrs] = m;
      if (attrs.startsWith('[]') || /@relation\(/.test(attrs)) continue; // a relation: no column of its own
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field;
      fieldToColumn.set(field, column);
      const native = /@db\.(\w+)(?:\((\d+)\))?/.exec(attrs);
      const pgType = native ? NATIVE[native[1]] : SCALAR[type];
      if (!pgType) throw new Error(`unknown type ${type} ${native?.[1] ?? ''}`);
      const isTime = pgType.startsWith('timestamp');
      t.columns.set(column, {
        column,
        type: pgType,
        precision: isTime ? Number(native?.[2] ?? 3) : null,
        nullable: optional === '?',
        hasDefault: /@default\(/.test(attrs),
      });
      if (/@id\b/.test(attrs)) t.primaryKey = [column];
      const unique = /@unique(?:\(map:\s*"([^"]+)"\))?/.exec(attrs);
      if (unique) t.indexes.set(unique[1] ?? `${table}_${column}_key`, { unique: true, columns: column });
    }
    const cols = (list: string): string =>
      list
        .split(',')
        .map((s) => s.trim())
        .map((s) => {
          const m = /^(\w+)(?:\(sort:\s*(Asc|Desc)\))?$/.exec(s);
          if (!m) throw new Error(`unparsed index column: ${s}`);
          return `${fieldToColumn.get(m[1]) ?? m[1]}${m[2] === 'Desc' ? ' DESC' : ''}`;
        })
        .join(', ');
    for (const line of lines.filter((l) => l.startsWith('@@'))) {
      const m = /^@@(id|unique|index)\(\[([^\]]*)\](?:,\s*map:\s*"([^"]+)")?\)/.exec(line);
      if (!m) continue; // @@map
      const [, kind, list, map] = m;
      if (kind === 'id') t.primaryKey = cols(list).split(', ');
      else t.indexes.set(map ?? `${table}_${cols(list).replace(/ DESC/g, '').split(', ').join('_')}_${kind === 'unique' ? 'key' : 'idx'}`, { unique: kind === 'unique', columns: cols(list) });
    }
    t.indexes.set(`${table}_pkey`, { unique: true, columns: t.primaryKey.join(', ') });
    tables.set(table, t);
  }
  return tables;
}

/** Indexes the migration adds that schema.prisma cannot express (see the schema's header). */
const SQL_ONLY_INDEXES: Record<string, string[]> = {
  jobs: ['jobs_name_search_idx', 'jobs_command_search_idx'],
  runs: ['runs_unfinished_idx', 'runs_job_name_intended_due_idx', 'runs_queued_late_idx'],
  notifications: ['notifications_open_idx', 'notifications_sent_idx'],
  backfills: ['backfills_open_idx'],
  job_versions: ['job_versions_deletes_idx'],
};

async function introspect(db: TestDatabase) {
  const columns = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    datetime_precision: number | null;
    is_nullable: 'YES' | 'NO';
    column_default: string | null;
  }>(
    `SELECT table_name, column_name, data_type, datetime_precision, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const indexes = await db.query<{ tablename: string; indexname: string; indexdef: string }>(
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`,
  );
  return { columns, indexes };
}

const schemaPath = path.resolve(findMigrationsDir(), '..', 'schema.prisma');

describe('migrations match schema.prisma', () => {
  test('tables, columns, types, nullability, defaults, keys and indexes', async () => {
    const expected = parseSchema(readFileSync(schemaPath, 'utf8'));
    expect([...expected.keys()].sort()).toEqual(['backfill_items', 'backfills', 'dependency_edges', 'framework_state', 'job_tombstones', 'job_versions', 'jobs', 'notifications', 'run_events', 'runs']);
    const db = await freshDb();
    await migratePostgres(db.url);
    const { columns, indexes } = await introspect(db);

    const actualTables = [...new Set(columns.map((c) => c.table_name))].filter((t) => t !== '_prisma_migrations');
    expect(actualTables.sort()).toEqual([...expected.keys()].sort());

    for (const t of expected.values()) {
      const actual = columns.filter((c) => c.table_name === t.table);
      expect(actual.map((c) => c.column_name).sort(), t.table).toEqual([...t.columns.keys()].sort());
      for (const c of actual) {
        const e = t.columns.get(c.column_name)!;
        const where = `${t.table}.${c.column_name}`;
        expect(c.data_type, where).toBe(e.type);
        if (e.precision !== null) expect(c.datetime_precision, where).toBe(e.precision);
        expect(c.is_nullable === 'YES', where).toBe(e.nullable);
        expect(c.column_default !== null, `${where} default`).toBe(e.hasDefault);
      }

      const actualIdx = indexes.filter((i) => i.tablename === t.table);
      expect(actualIdx.map((i) => i.indexname).sort(), t.table).toEqual(
        [...t.indexes.keys(), ...(SQL_ONLY_INDEXES[t.table] ?? [])].sort(),
      );
      for (const [name, want] of t.indexes) {
        const def = actualIdx.find((i) => i.indexname === name)!.indexdef;
        expect(def.startsWith(want.unique ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX'), name).toBe(true);
        expect(def, name).toMatch(new RegExp(`USING btree \\(${want.columns}\\)$`));
      }
    }
  });

  test('real PostgreSQL gets trigram GIN search indexes and the partial unfinished-run index', async () => {
    const db = await freshDb();
    await migratePostgres(db.url);
    const defs = Object.fromEntries(
      (await db.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes`)).map(
        (r) => [r.indexname, r.indexdef],
      ),
    );
    expect(defs.jobs_name_search_idx).toMatch(/USING gin \(lower\(name\) gin_trgm_ops\)/);
    expect(defs.jobs_command_search_idx).toMatch(/USING gin \(lower\(command\) gin_trgm_ops\)/);
    expect(defs.runs_unfinished_idx).toMatch(/USING btree \(due, id\) WHERE \(finished_at IS NULL\)/);
  });
});

describe('applying migrations', () => {
  test('records each migration once, with Prisma\'s checksum; applying again is a no-op', async () => {
    const db = await freshDb();
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.name)).toContain('20250101000000_init');
    expect(await migratePostgres(db.url)).toEqual({ applied: migrations.map((m) => m.name) });
    expect(await migratePostgres(db.url)).toEqual({ applied: [] });
    const rows = await db.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const r of rows) {
      const file = readFileSync(path.join(findMigrationsDir(), r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(r.finished_at).not.toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
  });

  test('a failing migration leaves nothing behind, and the good ones before it stay', async () => {
    const db = await freshDb();
    const bad: Migration = {
      name: '99990101000000_bad',
      sql: 'CREATE TABLE half_done (x int);\nSELECT 1/0;',
      checksum: 'x'.repeat(64),
    };
    await expect(migratePostgres(db.url, [...loadMigrations(), bad])).rejects.toThrow(
      /migration 99990101000000_bad failed: division by zero/,
    );
    const tables = (await db.query<{ t: string }>(`SELECT to_regclass('half_done')::text AS t`))[0].t;
    expect(tables).toBeNull();
    const names = (await db.query<{ migration_name: string }>(`SELECT migration_name FROM _prisma_migrations`)).map(
      (r) => r.migration_name,
    );
    expect(names).toEqual(loadMigrations().map((m) => m.name));
  });

  test('a migration edited after it was applied stops the start with a reason', async () => {
    const db = await freshDb();
    await migratePostgres(db.url);
    const edited = loadMigrations().map((m) => ({ ...m, checksum: 'f'.repeat(64) }));
    await expect(migratePostgres(db.url, edited)).rejects.toThrow(/was modified after it was applied/);
  });

  test('two processes starting at once on an empty database both succeed', async () => {
    const db = await freshDb();
    const stores = await Promise.all([
      createStore({ databaseUrl: db.url, poolSize: 1 }),
      createStore({ databaseUrl: db.url, poolSize: 1 }),
      createStore({ databaseUrl: db.url, poolSize: 1 }),
    ]);
    try {
      await stores[0].framework.setFrameworkId('fw');
      expect(await stores[2].framework.getFrameworkId()).toBe('fw');
      const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM _prisma_migrations`);
      expect(Number(n)).toBe(loadMigrations().length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('an unreachable server gives a one-line reason', async () => {
    await expect(migratePostgres('postgresql://postgres@127.0.0.1:1/nope')).rejects.toThrow(
      /cannot connect to PostgreSQL for migrations/,
    );
  });
});
