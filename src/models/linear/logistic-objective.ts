/**
 * The penalised logistic objective in scikit-learn's convention, and its
 * gradient, over a CompactMatrix:
 *
 *   f(W, b) = (1 / Σw) · [ Σᵢ wᵢ · logloss(yᵢ, xᵢW + b) + ½ · (1/C) · ‖W‖² ]
 *
 * The 1/Σw factor does not move the minimiser (sklearn's LogisticRegression
 * minimises the bracket); it only makes tolerances independent of the row
 * count. The intercept b is not penalised. Binary: one column of W and a
 * sigmoid. Multinomial: k columns (one per class, over-parameterised as in
 * sklearn) and a softmax.
 *
 * Parameter vector layout: θ = [W (cols × k, row-major: W[j·k + c]), b (k)].
 */
import type { CompactMatrix } from './compact-matrix.js';

export interface LogisticProblem {
  readonly matrix: CompactMatrix;
  /** Number of outputs: 1 for binary (sigmoid), k ≥ 2 for multinomial (softmax). */
  readonly outputs: number;
  /** Binary: 0/1 per row. Multinomial: class index 0 … k-1 per row. */
  readonly labels: Float64Array | Int32Array;
  /** Per-row weights, or undefined for 1. */
  readonly weights?: Float64Array;
  /** L2 strength 1/C. */
  readonly l2: number;
}

/**
 * f(θ) and ∇f(θ) (written into `gradient`) of a logistic problem.
 *
 * @example
 * const theta = new Float64Array((X.cols + 1) * 1);
 * const g = new Float64Array(theta.length);
 * const f = logisticObjective({ matrix: X, outputs: 1, labels: y, l2: 1 }, theta, g);
 */
export function logisticObjective(
  problem: LogisticProblem,
  theta: Float64Array,
  gradient: Float64Array,
): number {
  const { matrix, outputs: k, weights, l2 } = problem;
  gradient.fill(0);
  const loss =
    k === 1 ? binaryLoss(problem, theta, gradient) : softmaxLoss(problem, theta, gradient);
  const nCoef = matrix.cols * k;
  let penalty = 0;
  for (let j = 0; j < nCoef; j++) {
    const w = theta[j]!;
    penalty += w * w;
    gradient[j] = gradient[j]! + l2 * w;
  }
  const total = weights ? sum(weights) : matrix.rows;
  const scale = 1 / total;
  for (let j = 0; j < gradient.length; j++) gradient[j] = gradient[j]! * scale;
  return (loss + 0.5 * l2 * penalty) * scale;
}

/** log(1 + eˣ) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e⁻ᶻ) without overflow. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

function binaryLoss(problem: LogisticProblem, theta: Float64Array, gradient: Float64Array): number {
  const { matrix, labels, weights } = problem;
  const { rows, cols, dense, denseCols: d, active, activeCols: m } = matrix;
  const b = theta[cols]!;
  let loss = 0;
  let gb = 0;
  for (let i = 0; i < rows; i++) {
    const xo = i * d;
    const ao = i * m;
    let z = b;
    for (let j = 0; j < d; j++) z += dense[xo + j]! * theta[j]!;
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a >= 0) z += theta[a]!;
    }
    const y = labels[i]!;
    const w = weights ? weights[i]! : 1;
    // One exp and one log1p per row: softplus(z) = max(z, 0) + log1p(e), σ(z) from e = exp(−|z|).
    const e = Math.exp(-Math.abs(z));
    loss += w * (Math.max(z, 0) + Math.log1p(e) - y * z);
    const r = w * ((z >= 0 ? 1 : e) / (1 + e) - y);
    gb += r;
    for (let j = 0; j < d; j++) gradient[j] = gradient[j]! + r * dense[xo + j]!;
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a >= 0) gradient[a] = gradient[a]! + r;
    }
  }
  gradient[cols] = gb;
  return loss;
}

function softmaxLoss(
  problem: LogisticProblem,
  theta: Float64Array,
  gradient: Float64Array,
): number {
  const { matrix, outputs: k, labels, weights } = problem;
  const { rows, cols, dense, denseCols: d, active, activeCols: m } = matrix;
  const bo = cols * k;
  const z = new Float64Array(k);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const xo = i * d;
    const ao = i * m;
    for (let c = 0; c < k; c++) z[c] = theta[bo + c]!;
    for (let j = 0; j < d; j++) {
      const x = dense[xo + j]!;
      if (x === 0) continue;
      const wo = j * k;
      for (let c = 0; c < k; c++) z[c] = z[c]! + x * theta[wo + c]!;
    }
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a < 0) continue;
      const wo = a * k;
      for (let c = 0; c < k; c++) z[c] = z[c]! + theta[wo + c]!;
    }
    // log Σ exp(z) with the max subtracted; z becomes the residual p − onehot(y).
    let max = z[0]!;
    for (let c = 1; c < k; c++) if (z[c]! > max) max = z[c]!;
    const y = labels[i]!;
    const w = weights ? weights[i]! : 1;
    const zy = z[y]!;
    let total = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - max);
      z[c] = e;
      total += e;
    }
    loss += w * (max + Math.log(total) - zy);
    const scale = w / total;
    for (let c = 0; c < k; c++) z[c] = z[c]! * scale;
    z[y] = z[y]! - w;
    for (let c = 0; c < k; c++) gradient[bo + c] = gradient[bo + c]! + z[c]!;
    for (let j = 0; j < d; j++) {
      const x = dense[xo + j]!;
      if (x === 0) continue;
      const wo = j * k;
      for (let c = 0; c < k; c++) gradient[wo + c] = gradient[wo + c]! + x * z[c]!;
    }
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a < 0) continue;
      const wo = a * k;
      for (let c = 0; c < k; c++) gradient[wo + c] = gradient[wo + c]! + z[c]!;
    }
  }
  return loss;
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}
