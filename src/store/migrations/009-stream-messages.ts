/**
 * Migration 009: scoring requests consumed from a stream, one row per
 * message id, written in the same transaction as the predictions they made.
 * A redelivered message finds its row and is answered again from it, never
 * scored or logged twice. Released migrations never change.
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';
import { columnTypes } from './column-types.js';

export function streamMessages(caps: StoreCapabilities): Migration {
  const t = columnTypes(caps);
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not track today's schema types
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('stream_messages')
        // The consumer (its durable name) and the message id: one answer per message and consumer.
        .addColumn('consumer', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('model_version', 'text', (c) => c.notNull())
        // The answer as published (JSON): republished as it was when the message comes again.
        .addColumn('answer', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('stream_messages_pk', ['consumer', 'message_id'])
        .execute();
      await db.schema
        .createIndex('stream_messages_at')
        .on('stream_messages')
        .columns(['at'])
        .execute();
    },
  };
}
