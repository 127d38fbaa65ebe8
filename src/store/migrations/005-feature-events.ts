/**
 * Migration 005: the events behind point-in-time features, as the online
 * store and the event log keep them. One row per (event table, event id), so
 * ingestion is idempotent; the (table, entity, time) index answers a lookup
 * with one range scan. Values are JSON text in both engines (only Flywheel
 * reads them). Released migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function featureEventsTable(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('feature_events')
        .addColumn('event_table', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('entity_key', 'text', (c) => c.notNull())
        .addColumn('event_ms', 'double precision', (c) => c.notNull())
        .addColumn('event_values', 'text', (c) => c.notNull())
        .addColumn('ingested_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('feature_events_pk', ['event_table', 'event_id'])
        .execute();
      await db.schema
        .createIndex('feature_events_entity_time')
        .on('feature_events')
        .columns(['event_table', 'entity_key', 'event_ms'])
        .execute();
      await db.schema
        .createIndex('feature_events_time')
        .on('feature_events')
        .columns(['event_table', 'event_ms'])
        .execute();
    },
  };
}
