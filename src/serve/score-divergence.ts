/**
 * How far the canary's score distribution is from the champion's: the
 * population stability index over bins cut at the champion's deciles (fixed
 * for one check), so it works the same for probabilities, class
 * probabilities and regression values.
 */
import { psi } from '../data/index.js';

/** Bin edges at the reference's quantiles i/bins, without repeats. */
export function quantileEdges(reference: Float64Array, bins: number): number[] {
  const sorted = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / bins))]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  return edges;
}

/** Counts of `values` per bin: bin i holds values in (edges[i-1], edges[i]]. */
export function binCounts(values: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts;
}

/** Most bins a comparison uses (deciles). */
export const MAX_DIVERGENCE_BINS = 10;
/** The PSI two samples of one distribution show by chance, at most (see divergenceBins). */
export const PSI_NOISE = 0.05;

/**
 * How many bins two samples of sizes `n` and `m` support. Between two
 * samples of the same distribution PSI is about (bins − 1)(1/n + 1/m) by
 * chance alone; the bins are as many as keep that under PSI_NOISE (2 to 10),
 * so a small window does not fail a healthy canary.
 */
export function divergenceBins(n: number, m: number): number {
  if (n === 0 || m === 0) return 2;
  const bins = 1 + Math.floor(PSI_NOISE / (1 / n + 1 / m));
  return Math.min(MAX_DIVERGENCE_BINS, Math.max(2, bins));
}

/**
 * PSI of `current` against `reference` on bins cut at the reference's
 * quantiles (as many as the sample sizes support, see divergenceBins);
 * NaN when either is empty.
 *
 * @example
 * scorePsi(championScores, canaryScores); // 0.03: same distribution; > 0.2: shifted
 */
export function scorePsi(
  reference: Float64Array,
  current: Float64Array,
  bins = divergenceBins(reference.length, current.length),
): number {
  if (reference.length === 0 || current.length === 0) return Number.NaN;
  const edges = quantileEdges(reference, bins);
  return psi(binCounts(reference, edges), binCounts(current, edges));
}
