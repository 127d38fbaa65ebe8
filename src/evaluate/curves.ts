/**
 * The curves behind the report's charts, one point per distinct score
 * (threshold) and then thinned to at most `maxPoints` (default 500) evenly
 * spaced in rank, always keeping both ends and any point asked for (the chosen
 * threshold): ROC (as scikit-learn's `roc_curve` without dropping points), the
 * precision-recall curve (as `precision_recall_curve`), and the business cost
 * against the threshold. A `null` threshold is the point that acts on no row.
 */
import type { OutcomeCosts } from './business-cost.js';
import type { Labels } from './metric-types.js';
import { type BinaryData, prepareBinary } from './prepared-data.js';

/** Points a curve is thinned to. */
export const DEFAULT_MAX_POINTS = 500;

export interface RocPoint {
  readonly threshold: number | null;
  readonly fpr: number;
  readonly tpr: number;
}

export interface PrPoint {
  readonly threshold: number | null;
  readonly recall: number;
  readonly precision: number;
}

export interface CostPoint {
  readonly threshold: number | null;
  readonly total: number;
  readonly perDecision: number;
  /** Share of rows acted on. */
  readonly acted: number;
}

/** Cumulative true and false positives when acting on each prefix of distinct scores. */
export interface Sweep {
  /** Threshold of each step (act on scores ≥ it); step 0 acts on nothing. */
  readonly thresholds: Float64Array;
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly positives: number;
  readonly negatives: number;
}

/**
 * Outcome counts at every distinct threshold of prepared rows, highest first,
 * after the step that acts on nothing.
 */
export function sweepThresholds(data: BinaryData): Sweep {
  let steps = 1;
  for (let j = 0; j < data.n; j++) steps += data.groupEnd[j]!;
  const thresholds = new Float64Array(steps);
  const tp = new Float64Array(steps);
  const fp = new Float64Array(steps);
  thresholds[0] = Number.POSITIVE_INFINITY;
  let t = 0;
  let f = 0;
  for (let j = 0, step = 1; j < data.n; j++) {
    if (data.labels[j] === 1) t++;
    else f++;
    if (data.groupEnd[j] === 1) {
      thresholds[step] = data.scores[j]!;
      tp[step] = t;
      fp[step++] = f;
    }
  }
  return { thresholds, tp, fp, positives: t, negatives: f };
}

/**
 * At most `maxPoints` indices of 0..length−1, evenly spaced, both ends and
 * `keep` included, ascending.
 */
export function thinIndices(
  length: number,
  maxPoints: number,
  keep: readonly number[] = [],
): number[] {
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  const kept = new Set(keep.filter((i) => i >= 0 && i < length));
  const slots = Math.max(2, maxPoints - kept.size);
  for (let s = 0; s < slots; s++) kept.add(Math.round((s * (length - 1)) / (slots - 1)));
  return [...kept].sort((a, b) => a - b);
}

const thresholdAt = (sweep: Sweep, i: number): number | null =>
  i === 0 ? null : sweep.thresholds[i]!;

/** The step acting on scores ≥ t: the last one whose threshold is ≥ t (binary search). */
function stepOf(sweep: Sweep, t: number): number {
  let lo = 0;
  let hi = sweep.thresholds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sweep.thresholds[mid]! >= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The ROC curve: false and true positive rates at each distinct threshold.
 *
 * @example
 * rocCurve(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1));
 * // [{ threshold: null, fpr: 0, tpr: 0 }, { threshold: 0.8, fpr: 0, tpr: 0.5 },
 * //  { threshold: 0.4, fpr: 0.5, tpr: 0.5 }, { threshold: 0.35, fpr: 0.5, tpr: 1 },
 * //  { threshold: 0.1, fpr: 1, tpr: 1 }]
 */
export function rocCurve(
  predictions: Float64Array,
  labels: Labels,
  maxPoints = DEFAULT_MAX_POINTS,
): RocPoint[] {
  return rocCurveOf(prepareBinary(predictions, labels), maxPoints);
}

/** The ROC curve of prepared rows. */
export function rocCurveOf(data: BinaryData, maxPoints = DEFAULT_MAX_POINTS): RocPoint[] {
  const sweep = sweepThresholds(data);
  return thinIndices(sweep.thresholds.length, maxPoints).map((i) => ({
    threshold: thresholdAt(sweep, i),
    fpr: sweep.negatives > 0 ? sweep.fp[i]! / sweep.negatives : Number.NaN,
    tpr: sweep.positives > 0 ? sweep.tp[i]! / sweep.positives : Number.NaN,
  }));
}

/**
 * The precision-recall curve, from recall 0 (precision 1, as scikit-learn) to recall 1.
 *
 * @example
 * prCurve(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1)).map((p) => p.precision);
 * // [1, 1, 0.5, 0.6667, 0.5]
 */
export function prCurve(
  predictions: Float64Array,
  labels: Labels,
  maxPoints = DEFAULT_MAX_POINTS,
): PrPoint[] {
  return prCurveOf(prepareBinary(predictions, labels), maxPoints);
}

/** The precision-recall curve of prepared rows. */
export function prCurveOf(data: BinaryData, maxPoints = DEFAULT_MAX_POINTS): PrPoint[] {
  const sweep = sweepThresholds(data);
  return thinIndices(sweep.thresholds.length, maxPoints).map((i) => {
    const acted = sweep.tp[i]! + sweep.fp[i]!;
    return {
      threshold: thresholdAt(sweep, i),
      recall: sweep.positives > 0 ? sweep.tp[i]! / sweep.positives : Number.NaN,
      precision: acted > 0 ? sweep.tp[i]! / acted : 1,
    };
  });
}

/** Total cost of each step of a sweep. */
export function sweepCosts(sweep: Sweep, costs: OutcomeCosts): Float64Array {
  const totals = new Float64Array(sweep.thresholds.length);
  for (let i = 0; i < totals.length; i++) {
    const tp = sweep.tp[i]!;
    const fp = sweep.fp[i]!;
    totals[i] =
      tp * costs.tp +
      fp * costs.fp +
      (sweep.positives - tp) * costs.fn +
      (sweep.negatives - fp) * costs.tn;
  }
  return totals;
}

/**
 * Business cost against the threshold; `mark` thresholds (e.g. the chosen one)
 * are always among the points.
 *
 * @example
 * costCurve(scores, labels, { tp: 20, fp: 20, fn: 80, tn: 0 }, { mark: [0.31] });
 */
export function costCurve(
  predictions: Float64Array,
  labels: Labels,
  costs: OutcomeCosts,
  options: CostCurveOptions = {},
): CostPoint[] {
  return costCurveOf(prepareBinary(predictions, labels), costs, options);
}

export interface CostCurveOptions {
  readonly maxPoints?: number;
  /** Thresholds whose points are always kept (the chosen one). */
  readonly mark?: readonly number[];
}

/** Business cost against the threshold on prepared rows. */
export function costCurveOf(
  data: BinaryData,
  costs: OutcomeCosts,
  options: CostCurveOptions = {},
): CostPoint[] {
  const sweep = sweepThresholds(data);
  const totals = sweepCosts(sweep, costs);
  const rows = sweep.positives + sweep.negatives;
  const keep = (options.mark ?? []).map((t) => stepOf(sweep, t));
  return thinIndices(totals.length, options.maxPoints ?? DEFAULT_MAX_POINTS, keep).map((i) => ({
    threshold: thresholdAt(sweep, i),
    total: totals[i]!,
    perDecision: rows > 0 ? totals[i]! / rows : Number.NaN,
    acted: rows > 0 ? (sweep.tp[i]! + sweep.fp[i]!) / rows : Number.NaN,
  }));
}
