/**
 * The business cost of decisions, from the costs declared in the spec: the
 * spine of evaluation. Binary decisions act when the score clears a
 * threshold; regression pays per unit of shortfall or overshoot; multiclass
 * pays a fixed cost per wrong class.
 */
import { sweepCosts, sweepThresholds } from './curves.js';
import { prepareBinary } from './prepared-data.js';

export interface OutcomeCosts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface BinaryCost {
  readonly threshold: number;
  readonly decisions: number;
  readonly total: number;
  readonly perDecision: number;
  readonly counts: {
    readonly tp: number;
    readonly fp: number;
    readonly fn: number;
    readonly tn: number;
  };
}

/**
 * Cost of acting on every row whose score is at least `threshold`.
 * Rows with a missing label (NaN) are not decisions and are skipped.
 *
 * @example
 * binaryCost(Float64Array.of(0.9, 0.1), Float64Array.of(1, 1), { tp: 0, fp: 1, fn: 5, tn: 0 }, 0.5)
 * // one TP, one FN → total 5, perDecision 2.5
 */
export function binaryCost(
  scores: Float64Array,
  labels: Float64Array,
  costs: OutcomeCosts,
  threshold: number,
): BinaryCost {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i]!;
    if (Number.isNaN(y)) continue;
    const act = scores[i]! >= threshold;
    if (act) {
      if (y === 1) tp++;
      else fp++;
    } else if (y === 1) fn++;
    else tn++;
  }
  const decisions = tp + fp + fn + tn;
  const total = tp * costs.tp + fp * costs.fp + fn * costs.fn + tn * costs.tn;
  return {
    threshold,
    decisions,
    total,
    perDecision: decisions > 0 ? total / decisions : Number.NaN,
    counts: { tp, fp, fn, tn },
  };
}

/**
 * The threshold with the lowest total cost on these rows (sweeping every
 * distinct score, after acting on none), with its cost. Fit it on validation
 * data, report on test. On equal cost the highest threshold wins; a threshold
 * of Infinity means acting on no row is cheapest.
 *
 * @example
 * costOptimalThreshold(Float64Array.of(0.9, 0.6, 0.2), Float64Array.of(1, 0, 1), { tp: 0, fp: 1, fn: 5, tn: 0 });
 * // acting on every row costs 1, the least → threshold 0.2
 */
export function costOptimalThreshold(
  scores: Float64Array,
  labels: Float64Array,
  costs: OutcomeCosts,
): BinaryCost {
  const sweep = sweepThresholds(prepareBinary(scores, labels));
  const totals = sweepCosts(sweep, costs);
  let best = 0;
  for (let i = 1; i < totals.length; i++) if (totals[i]! < totals[best]!) best = i;
  return binaryCost(scores, labels, costs, sweep.thresholds[best]!);
}

/**
 * Asymmetric cost of regression predictions (NaN labels skipped): `underPerUnit`
 * per unit short of the truth, `overPerUnit` per unit over it.
 *
 * @example
 * regressionCost(Float64Array.of(10, 10), Float64Array.of(12, 7), 5, 1); // { total: 13, perDecision: 6.5 }
 */
export function regressionCost(
  predictions: Float64Array,
  labels: Float64Array,
  underPerUnit: number,
  overPerUnit: number,
): { total: number; perDecision: number } {
  let total = 0;
  let n = 0;
  for (let i = 0; i < predictions.length; i++) {
    const y = labels[i]!;
    if (Number.isNaN(y)) continue;
    const d = predictions[i]! - y;
    total += d < 0 ? -d * underPerUnit : d * overPerUnit;
    n++;
  }
  return { total, perDecision: n > 0 ? total / n : Number.NaN };
}

/**
 * Cost of predicting the most probable class (row-major n × k probabilities;
 * class code −1 = unlabelled).
 *
 * @example
 * multiclassCost(Float64Array.of(0.7, 0.3, 0.2, 0.8), Int32Array.of(0, 0), 2, 10);
 * // { total: 10, perDecision: 5, errors: 1 }
 */
export function multiclassCost(
  probabilities: Float64Array,
  labels: Int32Array,
  k: number,
  costPerError: number,
): { total: number; perDecision: number; errors: number } {
  let errors = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y < 0) continue;
    let best = 0;
    for (let c = 1; c < k; c++)
      if (probabilities[i * k + c]! > probabilities[i * k + best]!) best = c;
    if (best !== y) errors++;
    n++;
  }
  return {
    total: errors * costPerError,
    perDecision: n > 0 ? (errors * costPerError) / n : Number.NaN,
    errors,
  };
}
