/**
 * An objective turns labels and raw scores into gradients and hessians; the
 * tree learner only ever sees those (as in LightGBM). Scores are row-major
 * n × numModels; gradients are model-major: model k, row r at k·2n + 2r
 * (gradient) and k·2n + 2r + 1 (hessian).
 */

export type ObjectiveName = 'binary' | 'multiclass' | 'regression' | 'quantile';

/**
 * Writes gradients and hessians of rows [start, end) for every model,
 * and each model's largest |gradient| and hessian over those rows into
 * stats[statsAt + 2k] and stats[statsAt + 2k + 1]. Kernels are
 * self-contained functions (worker threads are built from their source);
 * an empty `weight` means every row weighs 1.
 */
export type GradientKernel = (
  score: Float64Array,
  label: Float64Array,
  weight: Float64Array,
  gh: Float32Array,
  start: number,
  end: number,
  n: number,
  numModels: number,
  alpha: number,
  stats: Float64Array,
  statsAt: number,
) => void;

export interface Objective {
  readonly name: ObjectiveName;
  /** Trees per boosting round: the number of classes for multiclass, else 1. */
  readonly numModels: number;
  /** Name of the validation loss used for early stopping (lower is better). */
  readonly metricName: string;
  /** The raw score every row starts from, per model (LightGBM's boost_from_average). */
  initScore(label: Float64Array, weight: Float64Array | null): Float64Array;
  /** Index of the gradient kernel in GRADIENT_KERNELS (objectives/index.ts). */
  readonly kernel: number;
  /** The quantile, for the quantile objective. */
  readonly alpha: number;
  /** Gradients and hessians of the loss at `score`, for every row and model (one thread). */
  gradients(
    score: Float64Array,
    label: Float64Array,
    weight: Float64Array | null,
    gh: Float32Array,
  ): void;
  /**
   * A better output for a leaf than −G/(H+λ), from its rows' labels (the
   * quantile loss has no useful hessian, so its leaves take the quantile of
   * their residuals, as LightGBM's RenewTreeOutput does).
   */
  renewLeaf?(
    rows: Int32Array,
    begin: number,
    end: number,
    score: Float64Array,
    label: Float64Array,
    weight: Float64Array | null,
  ): number;
  /** Predictions from raw scores (probabilities, or the values themselves). */
  transform(raw: Float64Array): Float64Array;
  /** Mean loss of `score` (row-major n × numModels) against the labels. */
  loss(score: Float64Array, label: Float64Array, weight: Float64Array | null): number;
}

/** Runs a gradient kernel over every row on the calling thread. */
export function allGradients(
  kernel: GradientKernel,
  score: Float64Array,
  label: Float64Array,
  weight: Float64Array | null,
  gh: Float32Array,
  numModels: number,
  alpha: number,
): void {
  const n = label.length;
  const stats = new Float64Array(2 * numModels);
  kernel(score, label, weight ?? new Float64Array(0), gh, 0, n, n, numModels, alpha, stats, 0);
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** The weighted mean of `loss(i)` over n rows. */
export function meanLoss(
  n: number,
  weight: Float64Array | null,
  loss: (i: number) => number,
): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight ? weight[i]! : 1;
    sum += w * loss(i);
    total += w;
  }
  return total > 0 ? sum / total : 0;
}

/**
 * The weighted alpha-quantile of values[0..n): the smallest value whose
 * cumulative weight reaches alpha of the total (unweighted: interpolated
 * between order statistics).
 */
export function weightedQuantile(
  values: Float64Array,
  weights: Float64Array | null,
  alpha: number,
): number {
  const n = values.length;
  if (n === 0) return 0;
  if (!weights) {
    const sorted = values.slice().sort();
    const pos = alpha * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(n - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  let cumulative = 0;
  for (const i of order) {
    cumulative += weights[i]!;
    if (cumulative >= alpha * total) return values[i]!;
  }
  return values[order[n - 1]!]!;
}
