/**
 * How profiling reads a column: its values as DuckDB sees them (DOUBLE, epoch
 * ms or a category key), JSON-safe numbers, and the bin a number falls in.
 * Shared by the profile (`profile.ts`) and the binning (`profile-bins.ts`).
 */
import { sqlIdent } from '../sql.js';
import type {
  ColumnProfile,
  NumericColumnProfile,
  ProfileColumn,
  ProfileColumnType,
} from './profile.js';

export const isNumeric = (type: ProfileColumnType): type is 'numeric' | 'timestamp' =>
  type === 'numeric' || type === 'timestamp';

/** Whether a column profile is a numeric or timestamp one (with edges), rather than categorical. */
export function isNumericProfile(column: ColumnProfile): column is NumericColumnProfile {
  return isNumeric(column.type);
}

/** The column's values as DuckDB sees them for profiling: DOUBLE without NaN, epoch ms, or a category key. */
export function valueSql(column: ProfileColumn): string {
  const ref = sqlIdent(column.name);
  switch (column.type) {
    case 'numeric':
      return `nullif(CAST(${ref} AS DOUBLE), 'NaN'::DOUBLE)`;
    case 'timestamp':
      return `CAST(epoch_ms(CAST(${ref} AS TIMESTAMP)) AS DOUBLE)`;
    case 'categorical':
      return `CAST(${ref} AS VARCHAR)`;
    case 'binary':
      return `CASE WHEN ${ref} IS NULL THEN NULL WHEN TRY_CAST(${ref} AS DOUBLE) = 1 THEN '1' WHEN TRY_CAST(${ref} AS DOUBLE) = 0 THEN '0' ELSE CAST(${ref} AS VARCHAR) END`;
  }
}

/** A JSON number, or null for NULL, NaN and ±∞ (which JSON cannot hold). */
export function finite(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Index of the bin holding `value`: the first cut point ≥ value, or the last bin. */
export function binIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
