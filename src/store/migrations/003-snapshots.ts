/**
 * Migration 003: dataset snapshots. A snapshot is the prepared training table
 * frozen as Parquet in the artifact store; its id is the Parquet file's sha256,
 * so the same data always has the same id. Released migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function snapshotsTable(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('snapshots')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('rows', 'bigint', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('manifest_sha256', 'text', (c) => c.notNull())
        .addColumn('spec_hash', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text')
        .execute();
      await db.schema
        .createIndex('snapshots_project_created_at')
        .on('snapshots')
        .columns(['project', 'created_at'])
        .execute();
    },
  };
}
