/**
 * The two metrics the model ladder scores rungs with, as plain functions of
 * scores and labels: ROC AUC (ties count one half) and binary log loss. Both
 * are the registry's calculations (metric-registry.ts), so the ladder and the
 * evaluation never disagree.
 */
import { calculateMetric } from './calculate.js';

/**
 * Area under the ROC curve; NaN labels are skipped; NaN when one class is absent.
 *
 * @example
 * rocAuc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1)) // 0.75
 */
export function rocAuc(scores: Float64Array, labels: Float64Array): number {
  return calculateMetric('roc_auc', 'binary', scores, labels).value;
}

/**
 * Mean binary log loss, probabilities clipped to [1e-15, 1 − 1e-15]; NaN labels skipped.
 *
 * @example
 * logLoss(Float64Array.of(0.5, 0.5), Float64Array.of(0, 1)) // ln 2
 */
export function logLoss(probabilities: Float64Array, labels: Float64Array): number {
  return calculateMetric('log_loss', 'binary', probabilities, labels).value;
}
