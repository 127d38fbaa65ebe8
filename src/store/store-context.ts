/**
 * What every table module works with: the Kysely handle (the database or the
 * current transaction), the engine's dialect, and the shared batch inserter.
 */
import type { Kysely } from 'kysely';
import type { BatchInserter } from './batch-insert.js';
import type { StoreDialect } from './dialect/store-dialect.js';
import type { StoreSchema } from './schema.js';

export interface StoreContext {
  readonly db: Kysely<StoreSchema>;
  readonly dialect: StoreDialect;
  readonly batch: BatchInserter;
}
