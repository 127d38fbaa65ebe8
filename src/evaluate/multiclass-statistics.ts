/**
 * The sufficient statistics of every multiclass metric, in one weighted O(n)
 * pass over the prepared argmax, true-class rank and log-loss terms: correct
 * decisions, per-class true positives and totals (for macro F1, over the
 * classes present in the truth or the predictions, as scikit-learn), hits in
 * the top k, and the log-loss sum.
 */
import type { MulticlassData } from './prepared-data.js';

export interface MulticlassNeeds {
  perClass?: boolean;
  topK?: number[];
}

export interface MulticlassStatistics {
  readonly rows: number;
  readonly correct: number;
  readonly logLossSum: number;
  /** Per class: true positives, rows of that class, rows predicted as it (when needed). */
  readonly truePositives: Float64Array;
  readonly truthTotals: Float64Array;
  readonly predictedTotals: Float64Array;
  /** Rows whose class is among the k most probable, per k. */
  readonly byTopK: ReadonlyMap<number, number>;
}

/** The union of two sets of needs. */
export function mergeMulticlassNeeds(a: MulticlassNeeds, b: MulticlassNeeds): MulticlassNeeds {
  return {
    perClass: a.perClass || b.perClass,
    topK: [...new Set([...(a.topK ?? []), ...(b.topK ?? [])])],
  };
}

/**
 * Statistics of prepared multiclass rows, weighted per position when `weights` is given.
 *
 * @example
 * const data = prepareMulticlass(Float64Array.of(0.7, 0.3, 0.2, 0.8), Int32Array.of(0, 0));
 * multiclassStatistics(data, {}).correct; // 1
 */
export function multiclassStatistics(
  data: MulticlassData,
  needs: MulticlassNeeds,
  weights?: Float64Array,
): MulticlassStatistics {
  const { n, truth, predicted, trueRank, logLoss, classes } = data;
  const perClass = needs.perClass === true;
  const ks = [...new Set(needs.topK ?? [])];
  const hits = new Float64Array(ks.length);
  const size = perClass ? classes : 0;
  const truePositives = new Float64Array(size);
  const truthTotals = new Float64Array(size);
  const predictedTotals = new Float64Array(size);
  let rows = 0;
  let correct = 0;
  let logLossSum = 0;
  for (let j = 0; j < n; j++) {
    const w = weights === undefined ? 1 : weights[j]!;
    const t = truth[j]!;
    const p = predicted[j]!;
    rows += w;
    logLossSum += w * logLoss[j]!;
    if (t === p) correct += w;
    if (perClass) {
      truthTotals[t]! += w;
      predictedTotals[p]! += w;
      if (t === p) truePositives[t]! += w;
    }
    for (let k = 0; k < ks.length; k++) if (trueRank[j]! < ks[k]!) hits[k]! += w;
  }
  return {
    rows,
    correct,
    logLossSum,
    truePositives,
    truthTotals,
    predictedTotals,
    byTopK: new Map(ks.map((k, i) => [k, hits[i]!])),
  };
}

/** Unweighted mean of per-class F1 over the classes present in truth or predictions. */
export function macroF1(s: MulticlassStatistics): number {
  let sum = 0;
  let present = 0;
  for (let c = 0; c < s.truePositives.length; c++) {
    const denominator = s.truthTotals[c]! + s.predictedTotals[c]!;
    if (denominator === 0) continue;
    sum += (2 * s.truePositives[c]!) / denominator;
    present++;
  }
  return present > 0 ? sum / present : Number.NaN;
}
