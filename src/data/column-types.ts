/**
 * How DuckDB's column types map onto the Frame's three kinds, and the SQL
 * that converts a source column into the kind the spec asks for.
 */

import { sqlIdent } from './duck.js';
import type { ColumnType } from './frame.js';

const NUMERIC =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const CATEGORICAL = /^(VARCHAR|ENUM.*)$/;
const TIMESTAMP = /^(DATE|TIMESTAMP.*)$/;

/** The Frame kind of a DuckDB type, or undefined when Flywheel cannot use it as a feature. */
export function inferColumnType(duckType: string): ColumnType | undefined {
  if (NUMERIC.test(duckType)) return 'numeric';
  if (CATEGORICAL.test(duckType)) return 'categorical';
  if (TIMESTAMP.test(duckType)) return 'timestamp';
  return undefined;
}

/** SQL converting `column` (of `duckType`) into `type`; bad values become NULL. */
export function convertSql(column: string, duckType: string, type: ColumnType): string {
  const ref = sqlIdent(column);
  if (type === 'numeric') {
    const number = NUMERIC.test(duckType)
      ? `CAST(${ref} AS DOUBLE)`
      : `TRY_CAST(NULLIF(TRIM(CAST(${ref} AS VARCHAR)), '') AS DOUBLE)`;
    // NaN is a value to SQL but missing to Flywheel: make it NULL once, here.
    return duckType === 'DOUBLE' || duckType === 'FLOAT' || !NUMERIC.test(duckType)
      ? `(CASE WHEN isnan(${number}) THEN NULL ELSE ${number} END)`
      : number;
  }
  if (type === 'categorical') return `NULLIF(CAST(${ref} AS VARCHAR), '')`;
  if (duckType === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', ${ref})`;
  if (TIMESTAMP.test(duckType)) return `CAST(${ref} AS TIMESTAMP)`;
  return `TRY_CAST(NULLIF(TRIM(CAST(${ref} AS VARCHAR)), '') AS TIMESTAMP)`;
}
