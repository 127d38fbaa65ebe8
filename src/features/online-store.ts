/**
 * The online store port: per entity, the events behind point-in-time
 * features, kept so that a lookup can aggregate any window ending at the
 * request time. Two adapters pass one conformance suite
 * (`test/online-store-conformance.test.ts`): the embedded default in the
 * metadata store (SQLite or PostgreSQL) and Redis for many replicas.
 *
 * Events, not running totals, are kept: a window that slides with the
 * request time expires old events exactly, events arriving out of order land
 * where they belong, and the answer for (entity, t) is the same whichever
 * order the events came in.
 */
import type { EventValues, OnlineEvent } from './event-input.js';
import type { OnlineEventTable } from './online-definitions.js';

/** An event as a lookup reads it back. */
export interface StoredEvent {
  readonly id: string;
  readonly time: number;
  readonly values: EventValues;
}

/** What a write did, event by event. */
export interface WriteOutcome {
  /** Events stored for the first time. */
  readonly added: number;
  /** Events whose id was stored already with the same content: nothing changed. */
  readonly duplicates: number;
  /** Ids stored already with different content: the stored event is kept, the new one refused. */
  readonly conflicts: readonly string[];
}

export interface OnlineStore {
  /** `embedded` (the metadata store) or `redis`. */
  readonly kind: string;
  /** Where the state is, without secrets. */
  readonly description: string;
  /**
   * Stores events of `table`, idempotent by id: an id seen before is a
   * duplicate (same content) or a conflict (different content), never a
   * second event. A failed write may be retried whole.
   */
  write(table: OnlineEventTable, events: readonly OnlineEvent[]): Promise<WriteOutcome>;
  /**
   * The events of `table` for entity `key` with `from <= time <= to`, oldest
   * first. The Redis adapter keeps only events within `table.horizonMs` of
   * the newest; older request times are the offline join's job.
   */
  read(table: string, key: string, from: number, to: number): Promise<StoredEvent[]>;
  /** The newest event time (ms) of each table that has events. */
  newest(): Promise<ReadonlyMap<string, number>>;
  /** Removes the events of `table` with `from <= time < to` (every event without a range). */
  clear(table: string, range?: { readonly from: number; readonly to: number }): Promise<void>;
  close(): Promise<void>;
}
