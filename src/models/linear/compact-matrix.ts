/**
 * The design matrix in compact form: a dense row-major block (standardised
 * numerics) followed by 0/1 columns (one-hot levels, missing indicators)
 * stored as one index per slot and row: the column holding the 1, or -1. Each
 * categorical feature, and each numeric with a missing indicator, is one slot.
 * A 1M-row frame with 8 numerics and two 230-level categoricals costs ~70 MB
 * here instead of 4 GB dense, and every product below is O(nonzeros).
 */

export interface CompactMatrix {
  readonly rows: number;
  /** Total number of columns p (dense block + 0/1 columns). */
  readonly cols: number;
  /** rows × denseCols values, row-major; columns 0 … denseCols-1. */
  readonly dense: Float64Array;
  readonly denseCols: number;
  /**
   * rows × activeCols column indices, row-major: for each slot the 0/1 column
   * (≥ denseCols) holding a 1 in this row, or -1 for none.
   */
  readonly active: Int32Array;
  readonly activeCols: number;
}

/**
 * A raw dense row-major matrix as a CompactMatrix (no sparse part): the way
 * to call the core solvers on an already-built design.
 *
 * @example
 * const X = denseMatrix(new Float64Array([1, 2, 3, 4]), 2, 2); // 2 rows × 2 cols
 */
export function denseMatrix(values: Float64Array, rows: number, cols: number): CompactMatrix {
  if (values.length !== rows * cols) {
    throw new RangeError(`denseMatrix: ${values.length} values for ${rows} × ${cols}`);
  }
  return { rows, cols, dense: values, denseCols: cols, active: new Int32Array(0), activeCols: 0 };
}

/**
 * The matrix expanded to dense row-major rows × cols (for small data,
 * inspection and tests; the solvers never need it).
 *
 * @example
 * const full = toDense(design); // full[i * design.cols + j]
 */
export function toDense(matrix: CompactMatrix): Float64Array {
  const { rows, cols, dense, denseCols, active, activeCols } = matrix;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < denseCols; j++) out[row + j] = dense[i * denseCols + j]!;
    for (let s = 0; s < activeCols; s++) {
      const a = active[i * activeCols + s]!;
      if (a >= 0) out[row + a] = 1;
    }
  }
  return out;
}

/**
 * Linear scores Z = X·W + b for k outputs: `coef` is cols × k row-major
 * (coef[j * k + c]), `intercept` has k entries, `out` is rows × k row-major.
 *
 * @example
 * const z = linearScores(X, coef, intercept, 1, new Float64Array(X.rows));
 */
export function linearScores(
  matrix: CompactMatrix,
  coef: Float64Array,
  intercept: Float64Array,
  k: number,
  out: Float64Array,
): Float64Array {
  const { rows, dense, denseCols: d, active, activeCols: m } = matrix;
  if (k === 1) {
    const b = intercept[0]!;
    for (let i = 0; i < rows; i++) {
      let z = b;
      const xo = i * d;
      for (let j = 0; j < d; j++) z += dense[xo + j]! * coef[j]!;
      const ao = i * m;
      for (let s = 0; s < m; s++) {
        const a = active[ao + s]!;
        if (a >= 0) z += coef[a]!;
      }
      out[i] = z;
    }
    return out;
  }
  for (let i = 0; i < rows; i++) {
    const zo = i * k;
    for (let c = 0; c < k; c++) out[zo + c] = intercept[c]!;
    const xo = i * d;
    for (let j = 0; j < d; j++) {
      const x = dense[xo + j]!;
      if (x === 0) continue;
      const wo = j * k;
      for (let c = 0; c < k; c++) out[zo + c] = out[zo + c]! + x * coef[wo + c]!;
    }
    const ao = i * m;
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a < 0) continue;
      const wo = a * k;
      for (let c = 0; c < k; c++) out[zo + c] = out[zo + c]! + coef[wo + c]!;
    }
  }
  return out;
}
