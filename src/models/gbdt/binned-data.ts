/**
 * The training rows as a row-major matrix of 8-bit bins (LightGBM's dataset):
 * a row's bins sit side by side, so one histogram pass reads each row once.
 */
import type { Column } from '../../data/index.js';
import { type BinMapper, type BinningOptions, binColumn, fitBinMapper } from './binning.js';
import { allocate } from './task-memory.js';

export interface BinnedData {
  readonly rowCount: number;
  readonly featureCount: number;
  /** Row r, feature f at r * featureCount + f. */
  readonly bins: Uint8Array;
  readonly mappers: readonly BinMapper[];
  /** First histogram bin of each feature; offsets[featureCount] is the total. */
  readonly offsets: Int32Array;
  readonly totalBins: number;
}

/**
 * Fits a bin mapper per column on `rows` and bins those rows (row i of the
 * result is rows[i] of the columns).
 *
 * @example
 * const data = binData(columns, rows, { maxBins: 255, minDataInBin: 3 }, createRng(1), false);
 */
export function binData(
  columns: readonly Column[],
  rows: Int32Array,
  options: BinningOptions,
  rng: () => number,
  shared: boolean,
): BinnedData {
  const featureCount = columns.length;
  const mappers = columns.map((column) => fitBinMapper(column, rows, options, rng));
  const offsets = new Int32Array(featureCount + 1);
  for (let f = 0; f < featureCount; f++) offsets[f + 1] = offsets[f]! + mappers[f]!.numBins;
  const bins = allocate(Uint8Array, rows.length * featureCount, shared);
  for (let f = 0; f < featureCount; f++)
    binColumn(mappers[f]!, columns[f]!, rows, bins, featureCount, f);
  return {
    rowCount: rows.length,
    featureCount,
    bins,
    mappers,
    offsets,
    totalBins: offsets[featureCount]!,
  };
}
