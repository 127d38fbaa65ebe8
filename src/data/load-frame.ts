/**
 * Reads the prepared `fw_dataset` view into the columnar Frame. Categoricals
 * are dictionary-encoded inside DuckDB (a sorted ENUM per column, so codes
 * are reproducible), which keeps strings off the hot path: the reader only
 * copies numbers out of DuckDB's vectors into typed arrays.
 */

import type { PreparedDataset } from './dataset.js';
import type { DuckSession } from './duck.js';
import { sqlIdent } from './duck.js';
import { type CategoricalColumn, type Column, type Frame, makeFrame } from './frame.js';
import { SPLITS } from './split.js';

/** Split codes in `LoadedDataset.split`. */
export const SPLIT_CODE = { train: 0, validation: 1, test: 2, none: 3 } as const;

export interface LoadedDataset {
  /** The feature columns only. */
  readonly features: Frame;
  /** Binary: 0/1 (NaN when missing); regression: the value; multiclass: class codes. */
  readonly target: Column;
  /** Per row: 0 train, 1 validation, 2 test, 3 in no split. */
  readonly split: Uint8Array;
  /** Per row event time in epoch ms (NaN when absent). */
  readonly eventTime: Float64Array;
  readonly prepared: PreparedDataset;
}

export interface LoadOptions {
  onProgress?: (rowsRead: number, totalRows: number) => void;
}

async function enumFor(
  session: DuckSession,
  table: string,
  column: string,
  typeName: string,
): Promise<string[]> {
  const ref = sqlIdent(column);
  await session.run(
    `CREATE TYPE ${typeName} AS ENUM (SELECT DISTINCT ${ref} FROM ${table} WHERE ${ref} IS NOT NULL ORDER BY 1)`,
  );
  const rows = await session.rows(`SELECT unnest(enum_range(NULL::${typeName})) AS v`);
  return rows.map((r) => String(r['v']));
}

/**
 * Loads every row of the prepared dataset into typed arrays.
 *
 * @example
 * const data = await loadDataset(session, await prepareDataset(session, loaded));
 * data.features.columns.get('distance'); // { type: 'numeric', values: Float64Array }
 */
export async function loadDataset(
  session: DuckSession,
  prepared: PreparedDataset,
  options: LoadOptions = {},
): Promise<LoadedDataset> {
  const table = 'fw_rows';
  await session.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM fw_dataset`);
  const total = prepared.rows;
  const selects: string[] = [];
  const builders: ((vector: Vector, offset: number, n: number) => void)[] = [];
  const columns = new Map<string, Column>();
  let typeIndex = 0;

  for (const feature of prepared.features) {
    const ref = sqlIdent(feature.name);
    if (feature.type === 'categorical') {
      const typeName = `fw_enum_${typeIndex++}_${process.pid}`;
      await session.run(`DROP TYPE IF EXISTS ${typeName}`);
      const dictionary = await enumFor(session, table, feature.name, typeName);
      const codes = new Int32Array(total);
      columns.set(feature.name, {
        type: 'categorical',
        codes,
        dictionary,
      } satisfies CategoricalColumn);
      selects.push(`COALESCE(CAST(enum_code(CAST(${ref} AS ${typeName})) AS INTEGER), -1)`);
      builders.push(copyInto(codes));
    } else {
      const values = new Float64Array(total);
      columns.set(feature.name, { type: feature.type, values });
      selects.push(
        `COALESCE(CAST(${feature.type === 'timestamp' ? `epoch_ms(${ref})` : ref} AS DOUBLE), 'NaN'::DOUBLE)`,
      );
      builders.push(copyInto(values));
    }
  }

  let target: Column;
  if (prepared.targetKind === 'categorical') {
    const dictionary = [...(prepared.classes ?? [])];
    const codes = new Int32Array(total);
    target = { type: 'categorical', codes, dictionary };
    const list = `[${dictionary.map((c) => `'${c.replace(/'/g, "''")}'`).join(', ')}]`;
    selects.push(`COALESCE(CAST(list_position(${list}, __target) - 1 AS INTEGER), -1)`);
    builders.push(copyInto(codes));
  } else {
    const values = new Float64Array(total);
    target = { type: 'numeric', values };
    selects.push(`COALESCE(__target, 'NaN'::DOUBLE)`);
    builders.push(copyInto(values));
  }

  const split = new Uint8Array(total);
  selects.push(
    `CAST(CASE __split ${SPLITS.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE 3 END AS UTINYINT)`,
  );
  builders.push(copyInto(split));
  const eventTime = new Float64Array(total);
  selects.push(`COALESCE(CAST(epoch_ms(__event_time) AS DOUBLE), 'NaN'::DOUBLE)`);
  builders.push(copyInto(eventTime));

  let offset = 0;
  for await (const chunk of session.chunks(`SELECT ${selects.join(', ')} FROM ${table}`)) {
    const n = chunk.rowCount;
    for (let c = 0; c < builders.length; c++) builders[c]!(chunk.getColumnVector(c), offset, n);
    offset += n;
    options.onProgress?.(offset, total);
  }
  await session.run(`DROP TABLE ${table}`);
  if (offset !== total) throw new Error(`read ${offset} rows, expected ${total}`);
  return { features: makeFrame(columns), target, split, eventTime, prepared };
}

type Vector = { getItem(i: number): unknown; items?: unknown };

/**
 * Copies a chunk's column into `target` at `offset`. Every selected column is
 * made non-null in SQL (NaN or -1 stand for missing), so the vector's data
 * can be copied in one block; `getItem` is the fallback when the reader
 * exposes no typed array of the same kind.
 */
function copyInto(target: Float64Array | Int32Array | Uint8Array) {
  return (vector: Vector, offset: number, n: number) => {
    const items = vector.items;
    if (items instanceof target.constructor && (items as typeof target).length >= n) {
      target.set((items as typeof target).subarray(0, n), offset);
      return;
    }
    for (let i = 0; i < n; i++) {
      const v = vector.getItem(i);
      target[offset + i] = v === null ? Number.NaN : Number(v);
    }
  };
}

/** Row indices of one split, e.g. `rowsOf(data, 'train')`. */
export function rowsOf(data: LoadedDataset, split: 'train' | 'validation' | 'test'): Int32Array {
  const code = SPLIT_CODE[split];
  let count = 0;
  for (let i = 0; i < data.split.length; i++) if (data.split[i] === code) count++;
  const rows = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < data.split.length; i++) if (data.split[i] === code) rows[j++] = i;
  return rows;
}
