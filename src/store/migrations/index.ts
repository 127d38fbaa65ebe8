/**
 * Versioned schema migrations, numbered and defined in code. They run at open
 * inside one write transaction (both engines have transactional DDL), so two
 * processes opening a fresh store at once cannot both apply them. Kysely's
 * Migrator records each applied migration in `flywheel_migration`.
 */
import { type Migration, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely';
import { FlywheelError } from '../../errors.js';
import { translateDbError } from '../db-errors.js';
import type { StoreDialect } from '../dialect/store-dialect.js';
import { coreTables } from './001-core-tables.js';
import { auditAndPredictionLog } from './002-audit-and-prediction-log.js';
import { snapshotsTable } from './003-snapshots.js';
import { registryTables } from './004-registry.js';
import { featureEventsTable } from './005-feature-events.js';
import { monitoringTables } from './006-monitoring.js';
import { feedbackTables } from './007-feedback.js';
import { predictionKeys } from './008-prediction-keys.js';
import { streamMessages } from './009-stream-messages.js';
import { registryNotify } from './010-registry-notify.js';

/** Migration names in the order they apply; the last is the current schema. */
export const MIGRATION_NAMES = [
  '001-core-tables',
  '002-audit-and-prediction-log',
  '003-snapshots',
  '004-registry',
  '005-feature-events',
  '006-monitoring',
  '007-feedback',
  '008-prediction-keys',
  '009-stream-messages',
  '010-registry-notify',
] as const;
export type MigrationName = (typeof MIGRATION_NAMES)[number];

/** Where applied migrations are recorded. */
export const MIGRATION_TABLE = 'flywheel_migration';

function migrationsFor(dialect: StoreDialect): Record<MigrationName, Migration> {
  return {
    '001-core-tables': coreTables(dialect.capabilities),
    '002-audit-and-prediction-log': auditAndPredictionLog(dialect),
    '003-snapshots': snapshotsTable(dialect.capabilities),
    '004-registry': registryTables(dialect),
    '005-feature-events': featureEventsTable(dialect.capabilities),
    '006-monitoring': monitoringTables(dialect.capabilities),
    '007-feedback': feedbackTables(dialect.capabilities),
    '008-prediction-keys': predictionKeys(dialect.capabilities),
    '009-stream-messages': streamMessages(dialect.capabilities),
    '010-registry-notify': registryNotify(dialect.capabilities),
  };
}

function migratorFor(dialect: StoreDialect): Migrator {
  return new Migrator({
    db: dialect.db,
    provider: { getMigrations: async () => migrationsFor(dialect) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
  });
}

/**
 * Applies every pending migration up to `to` (default: the latest) and returns
 * the names applied by this call. `to: null` means the empty schema.
 *
 * @example
 * const applied = await migrateStore(dialect); // ['001-core-tables', …] on a new store
 */
export async function migrateStore(
  dialect: StoreDialect,
  options: { to?: MigrationName | null } = {},
): Promise<string[]> {
  const migrator = migratorFor(dialect);
  const result: MigrationResultSet =
    options.to === undefined
      ? await migrator.migrateToLatest()
      : await migrator.migrateTo(options.to ?? NO_MIGRATIONS);
  if (result.error !== undefined) throw migrationError(dialect, result);
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations recorded as applied, oldest first. */
export async function appliedMigrations(dialect: StoreDialect): Promise<string[]> {
  const all = await migratorFor(dialect).getMigrations();
  return all.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

function migrationError(dialect: StoreDialect, result: MigrationResultSet): FlywheelError {
  const err = result.error;
  const message = err instanceof Error ? err.message : String(err);
  if (/corrupted migrations/i.test(message)) {
    return new FlywheelError(
      'STORE_CONFIG',
      `the metadata store at ${dialect.description} has a schema newer than this version of Flywheel`,
      {
        cause: err,
        hint: `known migrations: ${MIGRATION_NAMES.join(', ')}; upgrade Flywheel to open this store`,
      },
    );
  }
  const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
  return translateDbError(err, dialect, failed ? `migration ${failed}` : 'migrate');
}
