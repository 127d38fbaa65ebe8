/**
 * What follows from the confusion counts of binary decisions (a threshold,
 * the top-k policy, or decisions given per row; counted in
 * binary-statistics.ts): precision, recall, F-beta, accuracy and business
 * cost. Like scikit-learn (`zero_division=0`), a ratio with an empty
 * denominator is 0.
 */
import type { OutcomeCosts } from './business-cost.js';
import type { ConfusionCounts } from './metric-types.js';

/** The costs used when the spec declares none: one per error. */
export const UNIT_ERROR_COSTS: OutcomeCosts = { tp: 0, fp: 1, fn: 1, tn: 0 };

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

/** TP / (TP + FP). */
export const precisionOf = (c: ConfusionCounts): number => ratio(c.tp, c.tp + c.fp);
/** TP / (TP + FN). */
export const recallOf = (c: ConfusionCounts): number => ratio(c.tp, c.tp + c.fn);
/** (TP + TN) / all. */
export const accuracyOf = (c: ConfusionCounts): number =>
  ratio(c.tp + c.tn, c.tp + c.fp + c.fn + c.tn);

/**
 * F-beta: (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP); β = 1 gives F1.
 *
 * @example
 * fBetaOf({ tp: 2, fp: 1, fn: 1, tn: 0 }, 1); // 2/3
 */
export function fBetaOf(c: ConfusionCounts, beta = 1): number {
  const b2 = beta * beta;
  return ratio((1 + b2) * c.tp, (1 + b2) * c.tp + b2 * c.fn + c.fp);
}

/** Total business cost of the counts. */
export function costOf(c: ConfusionCounts, costs: OutcomeCosts): number {
  return c.tp * costs.tp + c.fp * costs.fp + c.fn * costs.fn + c.tn * costs.tn;
}
