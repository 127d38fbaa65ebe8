/**
 * The column shapes an expression reads. Structurally identical to the Frame's
 * columns (src/data/frame.ts), which live in a higher layer and cannot be
 * imported here: a Frame's `columns` map can be passed in as it is.
 */

/** The type of an input column. */
export type ColumnType = 'numeric' | 'categorical' | 'timestamp';

/** The type of an expression's result: a column type, or a true/false condition. */
export type ExpressionType = ColumnType | 'boolean';

/**
 * One input column: numbers with NaN for missing (timestamps are epoch
 * milliseconds, UTC), or dictionary codes with -1 for missing.
 */
export type ColumnData =
  | { readonly type: 'numeric' | 'timestamp'; readonly values: Float64Array }
  | {
      readonly type: 'categorical';
      readonly codes: Int32Array;
      readonly dictionary: readonly string[];
    };
