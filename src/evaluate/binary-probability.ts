/**
 * Probability quality of binary scores: the checks and per-row terms behind
 * log loss, the Brier score and the expected calibration error, and the
 * reliability curve. ECE uses equal-mass bins: rows sorted by score are cut
 * into `bins` groups of (nearly) equal size, a run of equal scores never
 * split, and ECE = Σ_b (n_b / n) · |ȳ_b − p̄_b|. Under bootstrap weights the
 * bins stay those of the evaluated rows.
 */
import { FlywheelError } from '../errors.js';
import type { ReliabilityBin } from './metric-types.js';
import { type BinaryData, LOG_EPSILON } from './prepared-data.js';

/** Default number of ECE bins. */
export const DEFAULT_ECE_BINS = 10;

/** Throws unless every score is a probability (log loss, Brier and ECE need one). */
export function requireProbabilities(data: BinaryData, metric: string): void {
  if (data.probabilities) return;
  throw new FlywheelError(
    'USAGE',
    `${metric} needs probabilities in [0, 1], but the scores run from ${data.scores[data.n - 1]} to ${data.scores[0]}`,
    { hint: 'calibrate the scores, or use a ranking metric (roc_auc, pr_auc)' },
  );
}

const logTerms = new WeakMap<BinaryData, Float64Array>();

/**
 * −log of the probability given to the true outcome, per position, clipped
 * to [1e-15, 1 − 1e-15].
 */
export function logLossTerms(data: BinaryData): Float64Array {
  let terms = logTerms.get(data);
  if (terms === undefined) {
    terms = new Float64Array(data.n);
    for (let j = 0; j < data.n; j++) {
      const p = Math.min(Math.max(data.scores[j]!, LOG_EPSILON), 1 - LOG_EPSILON);
      terms[j] = -Math.log(data.labels[j] === 1 ? p : 1 - p);
    }
    logTerms.set(data, terms);
  }
  return terms;
}

/** Checks a bin count. */
export function checkBins(bins: number): number {
  if (!Number.isInteger(bins) || bins < 1 || bins > 10_000) {
    throw new FlywheelError('USAGE', `ece bins must be a whole number in 1..10000, got ${bins}`);
  }
  return bins;
}

const binCache = new WeakMap<BinaryData, Map<number, Uint16Array>>();

/** Equal-mass bin of each position (0 = lowest scores), runs of equal scores kept whole. */
export function equalMassBins(data: BinaryData, bins: number): Uint16Array {
  checkBins(bins);
  let byCount = binCache.get(data);
  if (byCount === undefined) {
    byCount = new Map();
    binCache.set(data, byCount);
  }
  let assigned = byCount.get(bins);
  if (assigned === undefined) {
    const { n, groupEnd } = data;
    assigned = new Uint16Array(n);
    // Walk up from the lowest score; a run of equal scores takes the bin of its lowest rank.
    let last = n - 1;
    for (let j = n - 1; j >= 0; j--) {
      if (j === 0 || groupEnd[j - 1] === 1) {
        const bin = Math.floor(((n - 1 - last) * bins) / n);
        assigned.fill(bin, j, last + 1);
        last = j - 1;
      }
    }
    byCount.set(bins, assigned);
  }
  return assigned;
}

/**
 * The reliability curve: per non-empty equal-mass bin, the score range, the
 * mean predicted probability and the observed rate of positives.
 *
 * @example
 * reliabilityBins(prepareBinary(Float64Array.of(0.1, 0.3, 0.6, 0.8), Float64Array.of(0, 0, 1, 0)), 2);
 * // [{ lower: 0.1, upper: 0.3, meanPredicted: 0.2, observedRate: 0, rows: 2 },
 * //  { lower: 0.6, upper: 0.8, meanPredicted: 0.7, observedRate: 0.5, rows: 2 }]
 */
export function reliabilityBins(data: BinaryData, bins = DEFAULT_ECE_BINS): ReliabilityBin[] {
  const bin = equalMassBins(data, bins);
  const rows = new Float64Array(bins);
  const predicted = new Float64Array(bins);
  const observed = new Float64Array(bins);
  const lower = new Float64Array(bins);
  const upper = new Float64Array(bins);
  for (let j = 0; j < data.n; j++) {
    const b = bin[j]!;
    if (rows[b] === 0) upper[b] = data.scores[j]!;
    lower[b] = data.scores[j]!;
    rows[b]!++;
    predicted[b]! += data.scores[j]!;
    observed[b]! += data.labels[j]!;
  }
  const result: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const r = rows[b]!;
    if (r === 0) continue;
    result.push({
      lower: lower[b]!,
      upper: upper[b]!,
      meanPredicted: predicted[b]! / r,
      observedRate: observed[b]! / r,
      rows: r,
    });
  }
  return result;
}
