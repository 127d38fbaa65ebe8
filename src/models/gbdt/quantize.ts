/**
 * Quantised gradients (after LightGBM 4's quantised training, with more
 * levels): each row's gradient and hessian are scaled to small integers and
 * packed with a row count of 1 into one double,
 *
 *   v = g · 2^33 + h · 2^12 + 1,   |g| <= 511, 0 <= h <= 1023,
 *
 * which stays exact and decodable when summed over at most CHUNK_ROWS rows.
 * The histogram pass then adds one number per bin and still gets the exact
 * row count of every bin (LightGBM estimates counts from hessians, which
 * under-counts confident rows and, on the flights data, cost 0.003 AUC).
 * Decoded chunk sums are exact integers, so histograms do not depend on the
 * order in which rows, chunks or threads add them up.
 *
 * Self-contained (no imports, no closures): workers are built from this source.
 */

/** Largest |g| level. */
export const G_LEVELS = 511;
/** Largest h level. */
export const H_LEVELS = 1023;
/** Most rows one packed sum may hold: 2048 · 1023 < 2^21 and 2048 · 511 · 2^33 < 2^53. */
export const CHUNK_ROWS = 2048;
export const G_RADIX = 8589934592; // 2^33
export const H_RADIX = 4096; // 2^12

/**
 * Packs rows [start, end) of one model's gradients (gh[ghStart + 2r], +1)
 * into packed[r], scaled by gInv and hInv and rounded to the nearest level;
 * a positive hessian keeps at least one level, so a leaf of confident rows
 * never looks weightless. (Stochastic rounding, which LightGBM needs at 4
 * levels, only added noise at these.)
 */
export function quantizeBlock(
  gh: Float32Array,
  ghStart: number,
  packed: Float64Array,
  start: number,
  end: number,
  gInv: number,
  hInv: number,
): void {
  // |g·gInv| <= 511 and 0 <= h·hInv <= 1023: shifted non-negative, `| 0`
  // rounds them (Math.round is several times slower).
  for (let r = start; r < end; r++) {
    const g = ((gh[ghStart + 2 * r]! * gInv + 511.5) | 0) - 511;
    const hessian = gh[ghStart + 2 * r + 1]! * hInv;
    const h = hessian > 0 ? Math.max(1, Math.min(1023, (hessian + 0.5) | 0)) : 0;
    packed[r] = g * 8589934592 + h * 4096 + 1;
  }
}

/**
 * Adds a packed histogram of at most CHUNK_ROWS rows to `out` as
 * (gradient, hessian, count) integer triples.
 */
export function unpackInto(packed: Float64Array, out: Float64Array): void {
  for (let i = 0; i < packed.length; i++) {
    const v = packed[i]!;
    if (v === 0) continue;
    const g = Math.floor(v / 8589934592);
    const rest = v - g * 8589934592;
    const h = Math.floor(rest / 4096);
    out[3 * i]! += g;
    out[3 * i + 1]! += h;
    out[3 * i + 2]! += rest - h * 4096;
  }
}
