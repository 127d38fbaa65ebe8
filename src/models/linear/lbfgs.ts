/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, Algorithm
 * 7.4/7.5) for smooth unconstrained problems: the two-loop recursion with the
 * γ = sᵀy / yᵀy initial Hessian scaling and a strong Wolfe line search. It
 * stops like SciPy's L-BFGS-B: on max |gradient| ≤ gradientTolerance, or on a
 * relative decrease of the objective below functionTolerance. Deterministic:
 * no randomness, a fixed order of floating-point operations.
 */
import { strongWolfeSearch } from './wolfe-line-search.js';

/** f(x), writing ∇f(x) into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIterations?: number;
  /** Stop when max |∇f| ≤ this (SciPy's `gtol`). */
  readonly gradientTolerance?: number;
  /** Stop when (f_prev − f) / max(|f_prev|, |f|, 1) ≤ this (SciPy's `ftol`). */
  readonly functionTolerance?: number;
  /** Number of correction pairs kept. */
  readonly memory?: number;
  readonly onIteration?: (iteration: number, value: number, gradientMax: number) => void;
}

export type LbfgsStatus = 'converged' | 'small-change' | 'max-iterations' | 'line-search-failed';

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradientMax: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly status: LbfgsStatus;
}

/**
 * Minimises `objective` from `x0` (which is not modified).
 *
 * @example
 * // f(x) = (x0 - 3)² + 10 (x1 + 1)²
 * const r = minimizeLbfgs((x, g) => {
 *   g[0] = 2 * (x[0]! - 3); g[1] = 20 * (x[1]! + 1);
 *   return (x[0]! - 3) ** 2 + 10 * (x[1]! + 1) ** 2;
 * }, new Float64Array(2));
 * // r.x ≈ [3, -1], r.status === 'converged'
 */
export function minimizeLbfgs(
  objective: Objective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 500;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.functionTolerance ?? 64 * Number.EPSILON;
  const memory = options.memory ?? 10;

  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xTrial = new Float64Array(n);
  let gTrial = new Float64Array(n);
  const direction = new Float64Array(n);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(memory);

  let value = objective(x, g);
  let evaluations = 1;
  let gmax = maxAbs(g);
  if (!Number.isFinite(value))
    throw new RangeError('L-BFGS: the objective is not finite at the start');
  if (gmax <= gtol)
    return { x, value, gradientMax: gmax, iterations: 0, evaluations, status: 'converged' };

  let status: LbfgsStatus = 'max-iterations';
  let iteration = 0;
  while (iteration < maxIterations) {
    twoLoop(g, S, Y, rho, alpha, direction);
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      // Rounding broke the quasi-Newton direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i]!;
      slope = dot(direction, g);
    }
    // First step after a (re)start: unit length, as SciPy does; afterwards α = 1.
    const initialStep = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(direction, direction))) : 1;

    const search = strongWolfeSearch(
      (step) => {
        for (let i = 0; i < n; i++) xTrial[i] = x[i]! + step * direction[i]!;
        const v = objective(xTrial, gTrial);
        return { value: v, slope: dot(gTrial, direction) };
      },
      value,
      slope,
      initialStep,
    );
    evaluations += search.evaluations;
    if (search.step === 0 || !(search.value < value)) {
      status = 'line-search-failed';
      break;
    }
    iteration++;

    const s = S.length === memory ? S.shift()! : new Float64Array(n);
    const y = Y.length === memory ? Y.shift()! : new Float64Array(n);
    if (rho.length === memory) rho.shift();
    for (let i = 0; i < n; i++) {
      s[i] = xTrial[i]! - x[i]!;
      y[i] = gTrial[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }

    const previous = value;
    [x, xTrial] = [xTrial, x];
    [g, gTrial] = [gTrial, g];
    value = search.value;
    gmax = maxAbs(g);
    options.onIteration?.(iteration, value, gmax);
    if (gmax <= gtol) {
      status = 'converged';
      break;
    }
    if (previous - value <= ftol * Math.max(Math.abs(previous), Math.abs(value), 1)) {
      status = 'small-change';
      break;
    }
  }
  return { x, value, gradientMax: gmax, iterations: iteration, evaluations, status };
}

/** direction = −H·g by the two-loop recursion (Nocedal & Wright, Algorithm 7.4). */
function twoLoop(
  g: Float64Array,
  S: readonly Float64Array[],
  Y: readonly Float64Array[],
  rho: readonly number[],
  alpha: Float64Array,
  direction: Float64Array,
): void {
  const n = g.length;
  for (let i = 0; i < n; i++) direction[i] = -g[i]!;
  const m = S.length;
  for (let j = m - 1; j >= 0; j--) {
    const a = rho[j]! * dot(S[j]!, direction);
    alpha[j] = a;
    axpy(-a, Y[j]!, direction);
  }
  if (m > 0) {
    const y = Y[m - 1]!;
    const gamma = 1 / (rho[m - 1]! * dot(y, y));
    for (let i = 0; i < n; i++) direction[i] = direction[i]! * gamma;
  }
  for (let j = 0; j < m; j++) {
    const b = rho[j]! * dot(Y[j]!, direction);
    axpy(alpha[j]! - b, S[j]!, direction);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] = y[i]! + a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}
