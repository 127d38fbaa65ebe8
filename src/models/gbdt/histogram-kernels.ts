/**
 * The histogram pass: for each row of a leaf, add its gradient and hessian to
 * the bin of every feature. This loop is where training spends its time, so
 * it is written out once per number of features handled in a pass (up to 8):
 * with the feature loop unrolled, the bin offsets live in registers and the
 * pass runs about four times faster than a generic loop over features.
 *
 * Gradient and hessian arrive quantised and packed into one exact integer
 * per row (see quantize.ts), so each bin takes one addition, not two.
 * Layout: bins are row-major (row r, feature f at r * stride + f); packed[r]
 * is row r's pair; feature f's bin b sits at hist[offsets[f] + b].
 *
 * These functions are self-contained (no imports, no closures): worker
 * threads are built from their source text (see thread-pool.ts).
 */

export function histogram1(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
  }
}

export function histogram2(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
  }
}

export function histogram3(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
  }
}

export function histogram4(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  const o3 = offsets[col + 3]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
    hist[o3 + bins[p + 3]!]! += v;
  }
}

export function histogram5(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  const o3 = offsets[col + 3]!;
  const o4 = offsets[col + 4]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
    hist[o3 + bins[p + 3]!]! += v;
    hist[o4 + bins[p + 4]!]! += v;
  }
}

export function histogram6(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  const o3 = offsets[col + 3]!;
  const o4 = offsets[col + 4]!;
  const o5 = offsets[col + 5]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
    hist[o3 + bins[p + 3]!]! += v;
    hist[o4 + bins[p + 4]!]! += v;
    hist[o5 + bins[p + 5]!]! += v;
  }
}

export function histogram7(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  const o3 = offsets[col + 3]!;
  const o4 = offsets[col + 4]!;
  const o5 = offsets[col + 5]!;
  const o6 = offsets[col + 6]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
    hist[o3 + bins[p + 3]!]! += v;
    hist[o4 + bins[p + 4]!]! += v;
    hist[o5 + bins[p + 5]!]! += v;
    hist[o6 + bins[p + 6]!]! += v;
  }
}

export function histogram8(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  col: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  const o0 = offsets[col]!;
  const o1 = offsets[col + 1]!;
  const o2 = offsets[col + 2]!;
  const o3 = offsets[col + 3]!;
  const o4 = offsets[col + 4]!;
  const o5 = offsets[col + 5]!;
  const o6 = offsets[col + 6]!;
  const o7 = offsets[col + 7]!;
  for (let i = start; i < end; i++) {
    const r = idx[i]!;
    const v = packed[r]!;
    const p = r * stride + col;
    hist[o0 + bins[p]!]! += v;
    hist[o1 + bins[p + 1]!]! += v;
    hist[o2 + bins[p + 2]!]! += v;
    hist[o3 + bins[p + 3]!]! += v;
    hist[o4 + bins[p + 4]!]! += v;
    hist[o5 + bins[p + 5]!]! += v;
    hist[o6 + bins[p + 6]!]! += v;
    hist[o7 + bins[p + 7]!]! += v;
  }
}
/**
 * Adds rows idx[start..end) to `hist`, eight features per pass.
 *
 * @example
 * buildHistogram(rows, 0, rows.length, bins, featureCount, offsets, packed, hist);
 */
export function buildHistogram(
  idx: Int32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  stride: number,
  offsets: Int32Array,
  packed: Float64Array,
  hist: Float64Array,
): void {
  for (let col = 0; col < stride; col += 8) {
    switch (Math.min(8, stride - col)) {
      case 1:
        histogram1(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 2:
        histogram2(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 3:
        histogram3(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 4:
        histogram4(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 5:
        histogram5(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 6:
        histogram6(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      case 7:
        histogram7(idx, start, end, bins, stride, col, offsets, packed, hist);
        break;
      default:
        histogram8(idx, start, end, bins, stride, col, offsets, packed, hist);
    }
  }
}

/** The kernels' source, in dependency order, for building a worker. */
export const HISTOGRAM_KERNELS = [
  histogram1,
  histogram2,
  histogram3,
  histogram4,
  histogram5,
  histogram6,
  histogram7,
  histogram8,
  buildHistogram,
];
