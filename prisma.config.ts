// Prisma 7 CLI configuration. The app never reads this file: at runtime the store builds its own
// driver adapter (scheduler/adapters/prisma/create-store.ts) and applies prisma/migrations itself.
// The URL is only for CLI commands that talk to a database (migrate status, studio, db pull).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
