/** The EdgeStore port over Prisma: Chronos's invocation counters on parent → child edges (#811). */
import type { EdgeStore } from '../../ports';
import { withTx, type Db } from './sql';

export class PrismaEdgeStore implements EdgeStore {
  constructor(private readonly db: Db) {}

  async load(): Promise<Map<string, Map<string, number>>> {
    const rows = await this.db.dependencyEdge.findMany();
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      let m = out.get(r.child);
      if (!m) out.set(r.child, (m = new Map()));
      m.set(r.parent, r.count);
    }
    return out;
  }

  async set(child: string, parent: string, count: number): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "dependency_edges" ("child", "parent", "count") VALUES (${child}, ${parent}, ${count}::int)
      ON CONFLICT ("child", "parent") DO UPDATE SET "count" = excluded."count"`;
  }

  async resetChild(child: string, parents: string[]): Promise<void> {
    await withTx(this.db, async (tx) => {
      await tx.$executeRaw`DELETE FROM "dependency_edges" WHERE "child" = ${child}`;
      const unique = [...new Set(parents)];
      if (unique.length > 0) {
        await tx.$executeRaw`
          INSERT INTO "dependency_edges" ("child", "parent", "count")
          SELECT ${child}, p, 0 FROM unnest(${unique}::text[]) AS p`;
      }
    });
  }

  async deleteJob(name: string): Promise<void> {
    await this.db.$executeRaw`DELETE FROM "dependency_edges" WHERE "child" = ${name} OR "parent" = ${name}`;
  }
}
