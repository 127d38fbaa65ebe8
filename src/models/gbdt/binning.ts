/**
 * Feature binning (LightGBM's BinMapper): each numeric feature is cut into
 * at most `maxBins` quantile bins, plus one bin for missing values; each
 * categorical feature gets a bin per frequent category, an "other" bin for
 * rare ones and a missing bin. Trees are grown on bin numbers; split
 * thresholds are turned back into raw values for prediction.
 */
import type { Column } from '../../data/index.js';

export interface NumericBinMapper {
  readonly type: 'numeric';
  /** Bin b holds the values in (upperBounds[b - 1], upperBounds[b]]; the last value bin is open. */
  readonly upperBounds: Float64Array;
  /** Value bins plus the missing bin. */
  readonly numBins: number;
  readonly missingBin: number;
}

export interface CategoricalBinMapper {
  readonly type: 'categorical';
  /** Bin of each dictionary code. */
  readonly binOfCode: Uint8Array;
  /** Bin shared by the categories seen fewer than `minDataInBin` times. */
  readonly otherBin: number;
  readonly numBins: number;
  readonly missingBin: number;
}

export type BinMapper = NumericBinMapper | CategoricalBinMapper;

export interface BinningOptions {
  /** Value bins per feature, at most 255 (the missing bin comes on top). */
  readonly maxBins: number;
  /** Categories with fewer training rows than this go to the "other" bin. */
  readonly minDataInBin: number;
}

/** Rows read to place numeric bin bounds (LightGBM's bin_construct_sample_cnt). */
export const BIN_SAMPLE_ROWS = 200_000;

/**
 * Upper bounds of quantile bins over sorted, non-missing `values`. Distinct
 * values get a bin each when they fit; otherwise bins hold about equal
 * counts, and a value frequent enough to fill a bin on its own gets one
 * (LightGBM's GreedyFindBin). Bounds sit halfway between distinct values.
 */
export function quantileBounds(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]!++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const k = distinct.length;
  const bounds: number[] = [];
  if (k <= maxBins) {
    for (let i = 0; i + 1 < k; i++) bounds.push(midpoint(distinct[i]!, distinct[i + 1]!));
    return Float64Array.from(bounds);
  }
  const total = sorted.length;
  const isBig = counts.map((c) => c >= total / maxBins);
  let restBins = maxBins;
  let restCount = total;
  for (let i = 0; i < k; i++) {
    if (isBig[i]) {
      restBins--;
      restCount -= counts[i]!;
    }
  }
  let meanBin = restBins > 0 ? restCount / restBins : Number.POSITIVE_INFINITY;
  let inBin = 0;
  for (let i = 0; i + 1 < k && bounds.length < maxBins - 1; i++) {
    if (!isBig[i]) restCount -= counts[i]!;
    inBin += counts[i]!;
    const close =
      isBig[i] || inBin >= meanBin || (isBig[i + 1] && inBin >= Math.max(1, meanBin * 0.5));
    if (!close) continue;
    bounds.push(midpoint(distinct[i]!, distinct[i + 1]!));
    inBin = 0;
    if (!isBig[i]) {
      restBins--;
      meanBin = restBins > 0 ? restCount / restBins : Number.POSITIVE_INFINITY;
    }
  }
  return Float64Array.from(bounds);
}

/** A bound between a < b that keeps a below it and b above it. */
function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  return m >= b || !Number.isFinite(m) ? a : m;
}

/** Bins of a numeric feature from the training rows (a seeded sample when there are many). */
export function fitNumericBins(
  values: Float64Array,
  rows: Int32Array,
  options: BinningOptions,
  rng: () => number,
): NumericBinMapper {
  const take = Math.min(rows.length, BIN_SAMPLE_ROWS);
  const sample = new Float64Array(take);
  let m = 0;
  if (take === rows.length) {
    for (let i = 0; i < rows.length; i++) sample[m++] = values[rows[i]!]!;
  } else {
    // Selection sampling (Knuth's algorithm S): exactly `take` rows, in order.
    let needed = take;
    for (let i = 0; i < rows.length && needed > 0; i++) {
      if (rng() * (rows.length - i) < needed) {
        sample[m++] = values[rows[i]!]!;
        needed--;
      }
    }
  }
  const sorted = sample.subarray(0, m).sort(); // NaN sorts last
  let present = sorted.length;
  while (present > 0 && Number.isNaN(sorted[present - 1]!)) present--;
  const upperBounds = quantileBounds(sorted.subarray(0, present), options.maxBins);
  const missingBin = upperBounds.length + 1;
  return { type: 'numeric', upperBounds, numBins: missingBin + 1, missingBin };
}

/** Bins of a categorical feature: frequent categories by code, then "other", then missing. */
export function fitCategoricalBins(
  codes: Int32Array,
  dictionarySize: number,
  rows: Int32Array,
  options: BinningOptions,
): CategoricalBinMapper {
  const counts = new Float64Array(dictionarySize);
  for (let i = 0; i < rows.length; i++) {
    const c = codes[rows[i]!]!;
    if (c >= 0 && c < dictionarySize) counts[c]!++;
  }
  const frequent: number[] = [];
  for (let c = 0; c < dictionarySize; c++) if (counts[c]! >= options.minDataInBin) frequent.push(c);
  // Keep the most frequent when there are more than the bins allow (ties by code).
  const kept = frequent
    .sort((a, b) => counts[b]! - counts[a]! || a - b)
    .slice(0, options.maxBins - 1)
    .sort((a, b) => a - b);
  const otherBin = kept.length;
  const binOfCode = new Uint8Array(dictionarySize).fill(otherBin);
  kept.forEach((code, bin) => {
    binOfCode[code] = bin;
  });
  return {
    type: 'categorical',
    binOfCode,
    otherBin,
    numBins: otherBin + 2,
    missingBin: otherBin + 1,
  };
}

/** Fits the bin mapper of one column over the training rows. */
export function fitBinMapper(
  column: Column,
  rows: Int32Array,
  options: BinningOptions,
  rng: () => number,
): BinMapper {
  return column.type === 'categorical'
    ? fitCategoricalBins(column.codes, column.dictionary.length, rows, options)
    : fitNumericBins(column.values, rows, options, rng);
}

/** Index of the first bound >= v: the value bin of a non-missing v. */
export function numericBin(upperBounds: Float64Array, v: number): number {
  let lo = 0;
  let hi = upperBounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (upperBounds[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Writes the bins of `rows` of `column` into a row-major matrix: row i's bin
 * lands at out[i * stride + col].
 */
export function binColumn(
  mapper: BinMapper,
  column: Column,
  rows: Int32Array,
  out: Uint8Array,
  stride: number,
  col: number,
): void {
  if (mapper.type === 'categorical') {
    if (column.type !== 'categorical')
      throw new TypeError('categorical bins need a categorical column');
    const { binOfCode, missingBin, otherBin } = mapper;
    for (let i = 0; i < rows.length; i++) {
      const c = column.codes[rows[i]!]!;
      out[i * stride + col] = c < 0 ? missingBin : c < binOfCode.length ? binOfCode[c]! : otherBin;
    }
    return;
  }
  if (column.type === 'categorical') throw new TypeError('numeric bins need a numeric column');
  const { upperBounds, missingBin } = mapper;
  for (let i = 0; i < rows.length; i++) {
    const v = column.values[rows[i]!]!;
    out[i * stride + col] = Number.isNaN(v) ? missingBin : numericBin(upperBounds, v);
  }
}
