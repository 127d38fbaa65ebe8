/**
 * Column types for migrations, chosen from capability flags. Types that both
 * engines understand (`bigint`, `double precision`, `text`) are written as-is.
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import type { StoreCapabilities } from '../dialect/capabilities.js';

export function columnTypes(caps: StoreCapabilities) {
  return {
    json: caps.jsonType,
    timestamp: caps.timestampType,
  } as const;
}

/** Adds an auto-numbered primary key column named `name`. */
export function addAutoIdColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  name: string,
  caps: StoreCapabilities,
): CreateTableBuilder<T, never> {
  return caps.autoIdColumn === 'integer-autoincrement'
    ? table.addColumn(name, 'integer', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().autoIncrement(),
      )
    : table.addColumn(name, 'bigint', (c: ColumnDefinitionBuilder) =>
        c.primaryKey().generatedAlwaysAsIdentity(),
      );
}
