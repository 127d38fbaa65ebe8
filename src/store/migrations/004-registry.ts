/**
 * Migration 004: the model registry and API tokens. Model versions are
 * immutable and alias moves append-only (both tables reject UPDATE and
 * DELETE); an alias row is the current pointer, its moves are the history.
 * Booleans are 0/1 integers, which both engines bind. Released migrations
 * never change.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../dialect/store-dialect.js';
import { addAutoIdColumn, columnTypes } from './column-types.js';

export function registryTables(dialect: StoreDialect): Migration {
  const caps = dialect.capabilities;
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('model_versions')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
        .addColumn('bundle_sha256', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('snapshot_id', 'text')
        .addColumn('spec_hash', 'text', (c) => c.notNull())
        .addColumn('rung', 'text', (c) => c.notNull())
        .addColumn('blessed', 'integer', (c) => c.notNull().check(sql`blessed in (0, 1)`))
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['name', 'version'])
        .addUniqueConstraint('model_versions_bundle', ['name', 'bundle_sha256'])
        .execute();
      await db.schema
        .createIndex('model_versions_run_id')
        .on('model_versions')
        .columns(['run_id'])
        .execute();

      await db.schema
        .createTable('model_aliases')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('model_aliases_pk', ['name', 'alias'])
        .addForeignKeyConstraint(
          'model_aliases_version_fk',
          ['name', 'version'],
          'model_versions',
          ['name', 'version'],
        )
        .execute();

      await addAutoIdColumn(db.schema.createTable('alias_moves'), 'id', caps)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('from_version', 'integer')
        .addColumn('to_version', 'integer')
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('evidence', t.json, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alias_moves_name_alias_at')
        .on('alias_moves')
        .columns(['name', 'alias', 'at'])
        .execute();

      await db.schema
        .createTable('canaries')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('weight', 'double precision', (c) =>
          c.notNull().check(sql`weight >= 0 and weight <= 100`),
        )
        .addColumn('shadow', 'integer', (c) => c.notNull().check(sql`shadow in (0, 1)`))
        .addColumn('started_at', t.timestamp, (c) => c.notNull())
        .addColumn('state_version', 'bigint', (c) => c.notNull())
        .addForeignKeyConstraint('canaries_version_fk', ['name', 'version'], 'model_versions', [
          'name',
          'version',
        ])
        .execute();

      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) =>
          c
            .notNull()
            .check(sql`role in ('viewer', 'predictor', 'data-scientist', 'deployer', 'admin')`),
        )
        .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('revoked_at', t.timestamp)
        .execute();

      for (const table of ['model_versions', 'alias_moves']) {
        for (const statement of dialect.appendOnlyGuard(table)) {
          await sql.raw(statement).execute(db);
        }
      }
    },
  };
}
