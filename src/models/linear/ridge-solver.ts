/**
 * The core ridge-regression solver on an already-built design matrix, in
 * scikit-learn's convention: minimise Σᵢ wᵢ (yᵢ − xᵢw − b)² + α‖w‖², the
 * intercept b unpenalised.
 *
 * Closed form (the default up to CHOLESKY_MAX_COLUMNS columns): centre X and y
 * on their weighted means, as sklearn's Ridge does, and solve
 * (XcᵀWXc + αI) w = XcᵀW yc by Cholesky; b = ȳ − x̄ᵀw. The dense block is
 * centred while accumulating; the 0/1 block stays sparse and is centred
 * afterwards by XcᵀWXc = X̃ᵀWX̃ − (Σw) μ̃ μ̃ᵀ, where μ̃ are the means of X̃ (0 for
 * the centred dense block, frequencies for 0/1 columns, so nothing cancels
 * catastrophically). Wider designs, where a p × p matrix would not fit, use
 * L-BFGS on the same objective.
 */
import { FlywheelError } from '../../errors.js';
import { cholesky, choleskySolve } from './cholesky.js';
import type { CompactMatrix } from './compact-matrix.js';
import { minimizeLbfgs, type Objective } from './lbfgs.js';
import type { LinearSolution } from './logistic-solver.js';

/** Above this many columns the closed form (p² doubles) gives way to L-BFGS. */
export const CHOLESKY_MAX_COLUMNS = 2048;

export interface RidgeSolveOptions {
  /** L2 strength α, as in scikit-learn's Ridge (default 1). */
  readonly alpha?: number;
  readonly weights?: Float64Array;
  readonly solver?: 'auto' | 'cholesky' | 'lbfgs';
  /** L-BFGS only: gradient tolerance on the standardised problem (default 1e-10). */
  readonly tol?: number;
  readonly maxIter?: number;
}

/**
 * Fits ridge regression of `y` on `matrix`.
 *
 * @example
 * const fit = solveRidge(denseMatrix(values, rows, cols), y, { alpha: 1 });
 * // fit.coef ≈ sklearn Ridge(alpha=1).coef_, fit.intercept[0] ≈ intercept_
 */
export function solveRidge(
  matrix: CompactMatrix,
  y: Float64Array,
  options: RidgeSolveOptions = {},
): LinearSolution {
  const alpha = options.alpha ?? 1;
  const solver = options.solver ?? 'auto';
  if (solver === 'lbfgs' || (solver === 'auto' && matrix.cols > CHOLESKY_MAX_COLUMNS)) {
    return ridgeLbfgs(matrix, y, alpha, options);
  }
  return ridgeCholesky(matrix, y, alpha, options.weights);
}

function ridgeCholesky(
  matrix: CompactMatrix,
  y: Float64Array,
  alpha: number,
  weights: Float64Array | undefined,
): LinearSolution {
  const { rows, cols: p, dense, denseCols: d, active, activeCols: m } = matrix;
  const { total, mean: yMean, columnMeans } = weightedMeans(matrix, y, weights);
  const G = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const centredMass = new Float64Array(p);
  const xc = new Float64Array(d);
  let residualMass = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights ? weights[i]! : 1;
    const yc = y[i]! - yMean;
    residualMass += w * yc;
    const xo = i * d;
    const ao = i * m;
    for (let j = 0; j < d; j++) {
      const v = dense[xo + j]! - columnMeans[j]!;
      xc[j] = v;
      centredMass[j] = centredMass[j]! + w * v;
      rhs[j] = rhs[j]! + w * v * yc;
      const wv = w * v;
      const go = j * p;
      for (let l = 0; l <= j; l++) G[go + l] = G[go + l]! + wv * xc[l]!;
    }
    for (let s = 0; s < m; s++) {
      const a = active[ao + s]!;
      if (a < 0) continue;
      centredMass[a] = centredMass[a]! + w;
      rhs[a] = rhs[a]! + w * yc;
      const go = a * p;
      for (let j = 0; j < d; j++) G[go + j] = G[go + j]! + w * xc[j]!;
      for (let t = 0; t <= s; t++) {
        const b = active[ao + t]!;
        if (b < 0) continue;
        const hi = Math.max(a, b);
        const lo = Math.min(a, b);
        G[hi * p + lo] = G[hi * p + lo]! + w;
      }
    }
  }
  for (let j = 0; j < p; j++) {
    const mu = centredMass[j]! / total;
    rhs[j] = rhs[j]! - mu * residualMass;
    const go = j * p;
    for (let l = 0; l <= j; l++) G[go + l] = G[go + l]! - total * mu * (centredMass[l]! / total);
    G[go + j] = G[go + j]! + alpha;
  }
  const L = cholesky(G, p);
  if (!L) {
    throw new FlywheelError(
      'USAGE',
      `ridge: XᵀX + αI is not positive definite (alpha = ${alpha}); use alpha > 0`,
    );
  }
  const coef = choleskySolve(L, rhs, p);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= coef[j]! * columnMeans[j]!;
  return {
    coef,
    intercept: new Float64Array([intercept]),
    outputs: 1,
    iterations: 0,
    status: 'closed-form',
    objective: Number.NaN,
  };
}

/** L-BFGS on ridgeObjective with ỹ = (y − ȳ)/s_y (well scaled), rescaled afterwards. */
function ridgeLbfgs(
  matrix: CompactMatrix,
  y: Float64Array,
  alpha: number,
  options: RidgeSolveOptions,
): LinearSolution {
  const { rows, cols: p } = matrix;
  const { weights } = options;
  const { total, mean: yMean } = weightedMeans(matrix, y, weights);
  let ss = 0;
  for (let i = 0; i < rows; i++) ss += (weights ? weights[i]! : 1) * (y[i]! - yMean) ** 2;
  const yScale = Math.sqrt(ss / total) || 1;
  const scaled = y.map((v) => (v - yMean) / yScale);
  // Stop on the gradient or when rounding stalls the line search, not on a
  // small decrease: flat valleys of a raw design make tiny decreases legitimate.
  const result = minimizeLbfgs(
    ridgeObjective(matrix, scaled, alpha, weights),
    new Float64Array(p + 1),
    {
      gradientTolerance: options.tol ?? 1e-10,
      functionTolerance: 0,
      maxIterations: options.maxIter ?? 1000,
    },
  );
  const coef = result.x.slice(0, p).map((v) => v * yScale);
  const intercept = new Float64Array([yMean + result.x[p]! * yScale]);
  return {
    coef,
    intercept,
    outputs: 1,
    iterations: result.iterations,
    status: result.status,
    objective: result.value,
  };
}

/**
 * The ridge objective (1/Σw)·[½ Σ w (y − xw − b)² + ½ α‖w‖²] over θ = [w, b],
 * with its gradient (same minimiser as sklearn's, scaled for tolerances).
 *
 * @example
 * const f = ridgeObjective(X, y, 1, undefined);
 * const value = f(theta, gradient);
 */
export function ridgeObjective(
  matrix: CompactMatrix,
  y: Float64Array,
  alpha: number,
  weights: Float64Array | undefined,
): Objective {
  const { rows, cols: p, dense, denseCols: d, active, activeCols: m } = matrix;
  let total = rows;
  if (weights) {
    total = 0;
    for (let i = 0; i < rows; i++) total += weights[i]!;
  }
  return (theta, g) => {
    g.fill(0);
    const b = theta[p]!;
    let loss = 0;
    for (let i = 0; i < rows; i++) {
      const xo = i * d;
      const ao = i * m;
      let z = b;
      for (let j = 0; j < d; j++) z += dense[xo + j]! * theta[j]!;
      for (let s = 0; s < m; s++) {
        const a = active[ao + s]!;
        if (a >= 0) z += theta[a]!;
      }
      const w = weights ? weights[i]! : 1;
      const r = z - y[i]!;
      loss += w * r * r;
      const wr = w * r;
      g[p] = g[p]! + wr;
      for (let j = 0; j < d; j++) g[j] = g[j]! + wr * dense[xo + j]!;
      for (let s = 0; s < m; s++) {
        const a = active[ao + s]!;
        if (a >= 0) g[a] = g[a]! + wr;
      }
    }
    let penalty = 0;
    for (let j = 0; j < p; j++) {
      penalty += theta[j]! * theta[j]!;
      g[j] = g[j]! + alpha * theta[j]!;
    }
    for (let j = 0; j <= p; j++) g[j] = g[j]! / total;
    return (0.5 * loss + 0.5 * alpha * penalty) / total;
  };
}

function weightedMeans(
  matrix: CompactMatrix,
  y: Float64Array,
  weights: Float64Array | undefined,
): { total: number; mean: number; columnMeans: Float64Array } {
  const { rows, cols: p, dense, denseCols: d, active, activeCols: m } = matrix;
  const columnMeans = new Float64Array(p);
  let total = 0;
  let ySum = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights ? weights[i]! : 1;
    total += w;
    ySum += w * y[i]!;
    for (let j = 0; j < d; j++) columnMeans[j] = columnMeans[j]! + w * dense[i * d + j]!;
    for (let s = 0; s < m; s++) {
      const a = active[i * m + s]!;
      if (a >= 0) columnMeans[a] = columnMeans[a]! + w;
    }
  }
  for (let j = 0; j < p; j++) columnMeans[j] = columnMeans[j]! / total;
  return { total, mean: ySum / total, columnMeans };
}
