/**
 * Migration 002: the append-only audit log and the prediction log that
 * monitoring and feedback read. Released migrations never change.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { StoreDialect } from '../dialect/store-dialect.js';
import { addAutoIdColumn, columnTypes } from './column-types.js';

export function auditAndPredictionLog(dialect: StoreDialect): Migration {
  const caps = dialect.capabilities;
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await addAutoIdColumn(db.schema.createTable('audit_log'), 'id', caps)
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('details', t.json, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_log_object')
        .on('audit_log')
        .columns(['object_type', 'object_id'])
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at']).execute();
      for (const statement of dialect.appendOnlyGuard('audit_log')) {
        await sql.raw(statement).execute(db);
      }

      await db.schema
        .createTable('prediction_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('model_version', 'text', (c) => c.notNull())
        .addColumn('inputs', t.json, (c) => c.notNull())
        .addColumn('outputs', t.json)
        .addColumn('score', 'double precision')
        .addColumn('latency_ms', 'double precision')
        .execute();
      await db.schema
        .createIndex('prediction_log_model_at')
        .on('prediction_log')
        .columns(['model_version', 'at'])
        .execute();
    },
  };
}
