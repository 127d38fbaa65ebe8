/**
 * Migration 006: monitoring. `alerts` keeps every alert episode (one firing
 * row per rule, model and subject at a time; resolved rows stay as history);
 * `serving_minutes` counts requests and failures per model version, minute
 * and replica, the error budget's raw data (failed requests never reach the
 * prediction log); `feedback_labels` holds the outcome of a prediction once
 * it is known, what realised cost and the label rate are computed from.
 * Released migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function monitoringTables(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('evidence', t.json, (c) => c.notNull())
        .addColumn('first_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_at', t.timestamp, (c) => c.notNull())
        .addColumn('resolved_at', t.timestamp)
        .addColumn('deliveries', t.json, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alerts_open')
        .on('alerts')
        .columns(['model', 'rule', 'subject', 'state'])
        .execute();
      await db.schema.createIndex('alerts_first_at').on('alerts').columns(['first_at']).execute();

      await db.schema
        .createTable('serving_minutes')
        .addColumn('model_version', 'text', (c) => c.notNull())
        .addColumn('minute', t.timestamp, (c) => c.notNull())
        .addColumn('replica', 'text', (c) => c.notNull())
        .addColumn('requests', 'bigint', (c) => c.notNull())
        .addColumn('errors', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('serving_minutes_pk', ['model_version', 'minute', 'replica'])
        .execute();

      await db.schema
        .createTable('feedback_labels')
        .addColumn('prediction_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('label', 'double precision', (c) => c.notNull())
        .addColumn('observed_at', t.timestamp, (c) => c.notNull())
        .addColumn('received_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('feedback_labels_pk', ['prediction_id', 'source'])
        .execute();
    },
  };
}
