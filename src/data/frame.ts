/**
 * The columnar Frame: typed arrays plus a schema. Numerics are Float64Array
 * with NaN for missing; categoricals are dictionary-encoded Int32Array codes
 * with -1 for missing; timestamps are epoch milliseconds (UTC) in a
 * Float64Array. Rows never exist as objects on a hot path.
 */

export type ColumnType = 'numeric' | 'categorical' | 'timestamp';

export interface NumericColumn {
  readonly type: 'numeric';
  readonly values: Float64Array;
}

export interface TimestampColumn {
  readonly type: 'timestamp';
  /** Epoch milliseconds, UTC; NaN when missing. */
  readonly values: Float64Array;
}

export interface CategoricalColumn {
  readonly type: 'categorical';
  /** Index into `dictionary`; -1 when missing. */
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
}

export type Column = NumericColumn | TimestampColumn | CategoricalColumn;

export interface Field {
  readonly name: string;
  readonly type: ColumnType;
  /** The engine's type before conversion (e.g. BIGINT, VARCHAR). */
  readonly sourceType?: string;
}

export interface Frame {
  readonly rowCount: number;
  readonly schema: readonly Field[];
  readonly columns: ReadonlyMap<string, Column>;
}

/** Builds a Frame, checking that every column has `rowCount` values. */
export function makeFrame(
  columns: ReadonlyMap<string, Column>,
  sourceTypes = new Map<string, string>(),
): Frame {
  let rowCount = -1;
  const schema: Field[] = [];
  for (const [name, column] of columns) {
    const length = column.type === 'categorical' ? column.codes.length : column.values.length;
    if (rowCount === -1) rowCount = length;
    else if (length !== rowCount) {
      throw new RangeError(`column ${name} has ${length} values, expected ${rowCount}`);
    }
    const sourceType = sourceTypes.get(name);
    schema.push(
      sourceType === undefined
        ? { name, type: column.type }
        : { name, type: column.type, sourceType },
    );
  }
  return { rowCount: Math.max(rowCount, 0), schema, columns };
}

/** The column called `name`, or a clear error listing the valid names. */
export function getColumn(frame: Frame, name: string): Column {
  const column = frame.columns.get(name);
  if (!column) {
    throw new RangeError(
      `no column "${name}"; columns are: ${frame.schema.map((f) => f.name).join(', ')}`,
    );
  }
  return column;
}

/** True when row `row` of `column` is missing. */
export function isMissing(column: Column, row: number): boolean {
  return column.type === 'categorical' ? column.codes[row]! < 0 : Number.isNaN(column.values[row]!);
}

/** A new Frame holding only the rows in `rows`, in that order. */
export function takeRows(frame: Frame, rows: Int32Array | Uint32Array): Frame {
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) {
    if (column.type === 'categorical') {
      const codes = new Int32Array(rows.length);
      for (let i = 0; i < rows.length; i++) codes[i] = column.codes[rows[i]!]!;
      columns.set(name, { type: 'categorical', codes, dictionary: column.dictionary });
    } else {
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = column.values[rows[i]!]!;
      columns.set(name, { type: column.type, values });
    }
  }
  return { rowCount: rows.length, schema: frame.schema, columns };
}

/** A human-readable value of one cell (for reports and error messages, not hot paths). */
export function cellValue(column: Column, row: number): string | number | null {
  if (column.type === 'categorical') {
    const code = column.codes[row]!;
    return code < 0 ? null : column.dictionary[code]!;
  }
  const v = column.values[row]!;
  if (Number.isNaN(v)) return null;
  return column.type === 'timestamp' ? new Date(v).toISOString() : v;
}
