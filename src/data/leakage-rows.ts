/**
 * What the leakage checks share: the rows table `runLeakageChecks`
 * materialises once (with its row order as `__leak_row`), and helpers for
 * reading DuckDB's numbers and writing evidence.
 */
import { sqlIdent } from '../sql.js';
import type { LeakageInput } from './leakage.js';

export const EXAMPLES = 5;
export const ROWS = 'fw_leakage_rows';

export type Feature = LeakageInput['features'][number];

/** DuckDB returns NULL for 0/0 and JSON strings for big integers: both become numbers here. */
export function num(value: unknown): number {
  return value === null || value === undefined ? Number.NaN : Number(value);
}

export const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A numeric or timestamp feature as a DOUBLE (timestamps in epoch ms). */
export function numberSql(f: Feature): string {
  return f.type === 'timestamp'
    ? `CAST(epoch_ms(${sqlIdent(f.name)}) AS DOUBLE)`
    : sqlIdent(f.name);
}
