/**
 * The adapter contract: what each engine (dialect/sqlite.ts, dialect/postgres.ts)
 * hands to the one shared SQL code path.
 */
import type { Kysely } from 'kysely';
import type { StoreSchema } from '../schema.js';
import type { StoreCapabilities } from './capabilities.js';

/** Engine-neutral classes of database failure, mapped to FlywheelError codes. */
export type DbErrorKind =
  | 'unique-violation'
  | 'foreign-key-violation'
  | 'busy'
  | 'unavailable'
  | 'read-only'
  | 'corrupt';

/** One opened engine: a Kysely instance plus what only this engine knows. */
export interface StoreDialect {
  readonly capabilities: StoreCapabilities;
  readonly db: Kysely<StoreSchema>;
  /** A password-free description of where the database is, for messages. */
  readonly description: string;
  /** Statements that make `table` reject UPDATE and DELETE. */
  appendOnlyGuard(table: string): string[];
  /** Classifies a driver error, or `undefined` when it is not a known kind. */
  classifyError(err: unknown): DbErrorKind | undefined;
  /** Engine self-check; `['ok']` when healthy (SQLite `PRAGMA integrity_check`). */
  integrityCheck(): Promise<string[]>;
  close(): Promise<void>;
}
