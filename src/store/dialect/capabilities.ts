/**
 * Capability flags: the only way shared store code learns how one database
 * engine differs from another (kysely's `supportsReturning` pattern).
 */

/** Every metadata engine Flywheel supports; the conformance suite covers each. */
export const STORE_ENGINES = ['sqlite', 'postgres'] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/**
 * What an engine can do, read by the shared SQL code path and by migrations.
 *
 * @example
 * if (metadata.capabilities.supportsRowLocks) query = query.forUpdate();
 */
export interface StoreCapabilities {
  readonly engine: StoreEngine;
  /** `INSERT … RETURNING` (SQLite ≥ 3.35 and PostgreSQL both have it). */
  readonly supportsReturning: boolean;
  /** `LISTEN`/`NOTIFY` for change notifications across processes. */
  readonly supportsListenNotify: boolean;
  /** `SELECT … FOR UPDATE`; SQLite instead serialises writers with `BEGIN IMMEDIATE`. */
  readonly supportsRowLocks: boolean;
  /** Several writers at once (PostgreSQL) or one writer at a time (SQLite). */
  readonly supportsConcurrentWriters: boolean;
  /** Column type of JSON documents; reads always come back as JSON text. */
  readonly jsonType: 'text' | 'jsonb';
  /** Column type of instants; reads always come back as ISO-8601 UTC strings. */
  readonly timestampType: 'text' | 'timestamptz';
  /** How an auto-numbered primary key is declared. */
  readonly autoIdColumn: 'integer-autoincrement' | 'bigint-identity';
  /** Most bind parameters one statement may carry. */
  readonly maxBindParameters: number;
}
