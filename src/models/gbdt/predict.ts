/**
 * Prediction from the flattened forest: rows are copied into a row-major
 * matrix (categorical codes as numbers, missing and unseen as NaN) and
 * walked 256 at a time (forest-walk.ts). Large batches are split between
 * this thread and a helper thread (predict-pool.ts).
 */
import type { Column } from '../../data/index.js';
import type { Forest } from './forest.js';
import { predictRawRange } from './forest-walk.js';
import { helperFor, predictWithHelper } from './predict-pool.js';

/** Rows per block of a batch prediction. */
const BLOCK = 256;

/** Copies rows [start, end) of the columns into x, row-major; missing and unseen become NaN. */
export function toRowMajor(
  columns: readonly Column[],
  start: number,
  end: number,
  x: Float64Array,
): void {
  const stride = columns.length;
  columns.forEach((column, f) => {
    if (column.type === 'categorical') {
      const codes = column.codes;
      for (let r = start; r < end; r++) {
        const c = codes[r]!;
        x[(r - start) * stride + f] = c >= 0 ? c : Number.NaN;
      }
    } else {
      const values = column.values;
      for (let r = start; r < end; r++) x[(r - start) * stride + f] = values[r]!;
    }
  });
}

/** Raw scores of every row of the (aligned) columns: rowCount × numModels. */
export function predictRawColumns(
  forest: Forest,
  columns: readonly Column[],
  rowCount: number,
): Float64Array {
  const k = forest.numModels;
  if (helperFor(rowCount)) {
    const x = new Float64Array(new SharedArrayBuffer(8 * Math.max(1, rowCount * columns.length)));
    toRowMajor(columns, 0, rowCount, x);
    return predictWithHelper(forest, x, rowCount);
  }
  const out = new Float64Array(rowCount * k);
  const x = new Float64Array(BLOCK * Math.max(1, columns.length));
  for (let start = 0; start < rowCount; start += BLOCK) {
    const end = Math.min(rowCount, start + BLOCK);
    toRowMajor(columns, start, end, x);
    predictRawRange(forest, x, 0, end - start, out.subarray(start * k, end * k));
  }
  return out;
}
