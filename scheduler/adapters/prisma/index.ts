/** The persistence adapter: the only place that imports Prisma. */
export { createStore, pgliteDir, type CreateStoreOptions } from './create-store';
export {
  applyMigrations,
  findMigrationsDir,
  loadMigrations,
  migratePGlite,
  migratePostgres,
  type MigrateResult,
  type Migration,
  type MigrationConnection,
} from './migrate';
export { PrismaStore, ACTIVE_RUN_STATES, FRAMEWORK_ID_KEY } from './store';
export { LEADER_EPOCH_KEY } from './fencing';
