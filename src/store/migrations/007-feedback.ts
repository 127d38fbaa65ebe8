/**
 * Migration 007: feedback as it arrives. A label keeps the raw outcome it
 * was derived from; `feedback_issues` keeps what could not be used as it
 * came, never dropped: a label for a prediction the log does not know (an
 * orphan, with its reason), an outcome the target cannot read, and a second, different label for a prediction
 * already labelled (the first stays; the conflict is recorded). Released
 * migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { addAutoIdColumn, columnTypes } from './column-types.js';

export function feedbackTables(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema.alterTable('feedback_labels').addColumn('raw', 'text').execute();
      await addAutoIdColumn(db.schema.createTable('feedback_issues'), 'id', caps)
        .addColumn('received_at', t.timestamp, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('prediction_id', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('feedback_issues_prediction')
        .on('feedback_issues')
        .columns(['prediction_id'])
        .execute();
    },
  };
}
