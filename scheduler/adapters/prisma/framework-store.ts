/** The FrameworkStore port over Prisma: the framework id and small key/value state. */
import type { FrameworkStore } from '../../ports';
import { FRAMEWORK_ID_KEY, type Db } from './sql';

export class PrismaFrameworkStore implements FrameworkStore {
  constructor(private readonly db: Db) {}

  getFrameworkId(): Promise<string | null> {
    return this.get(FRAMEWORK_ID_KEY);
  }

  async setFrameworkId(id: string | null): Promise<void> {
    if (id === null) await this.db.$executeRaw`DELETE FROM "framework_state" WHERE "key" = ${FRAMEWORK_ID_KEY}`;
    else await this.set(FRAMEWORK_ID_KEY, id);
  }

  async get(key: string): Promise<string | null> {
    const [row] = await this.db.$queryRaw<{ value: string }[]>`SELECT "value" FROM "framework_state" WHERE "key" = ${key}`;
    return row ? row.value : null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${key}, ${value}, now())
      ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updated_at" = excluded."updated_at"`;
  }

  async getOrSet(key: string, value: string): Promise<string> {
    await this.db.$executeRaw`
      INSERT INTO "framework_state" ("key", "value", "updated_at") VALUES (${key}, ${value}, now())
      ON CONFLICT ("key") DO NOTHING`;
    return (await this.get(key)) ?? value;
  }
}
