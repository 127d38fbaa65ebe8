/**
 * Migration 008: the prediction log keeps the entity and event time of each
 * row (the model's entity and event-time columns, NULL when it has none), so
 * a label can arrive keyed by entity and event time instead of prediction
 * id. Label and issue receipt times are indexed for the label-quality
 * counts over a window. Released migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function predictionKeys(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      // One column per statement: SQLite adds a single column per ALTER TABLE.
      await db.schema.alterTable('prediction_log').addColumn('entity', 'text').execute();
      await db.schema.alterTable('prediction_log').addColumn('event_time', t.timestamp).execute();
      await db.schema
        .createIndex('prediction_log_entity_time')
        .on('prediction_log')
        .columns(['entity', 'event_time'])
        .execute();
      await db.schema
        .createIndex('feedback_labels_received')
        .on('feedback_labels')
        .columns(['received_at'])
        .execute();
      await db.schema
        .createIndex('feedback_issues_received')
        .on('feedback_issues')
        .columns(['received_at'])
        .execute();
    },
  };
}
