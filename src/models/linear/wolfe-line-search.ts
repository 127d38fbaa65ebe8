/**
 * A line search satisfying the strong Wolfe conditions (Nocedal & Wright,
 * Numerical Optimization, 2nd ed., Algorithms 3.5 and 3.6): bracket a step,
 * then zoom with safeguarded cubic interpolation. Used by the L-BFGS solver.
 */

/** φ(α) and φ'(α) of the objective along the search direction. */
export interface LineProbe {
  readonly value: number;
  readonly slope: number;
}

export interface LineSearchOptions {
  /** Sufficient-decrease constant c1 (Armijo). */
  readonly c1?: number;
  /** Curvature constant c2; 0.9 suits quasi-Newton directions. */
  readonly c2?: number;
  readonly maxEvaluations?: number;
  readonly maxStep?: number;
}

export interface LineSearchResult {
  readonly step: number;
  readonly value: number;
  /** True when the step satisfies both strong Wolfe conditions. */
  readonly wolfe: boolean;
  readonly evaluations: number;
}

/**
 * Searches along a descent direction. `evaluate(α)` computes φ at x + α·d and
 * leaves that point's state (x, gradient) in the caller's trial buffers; the
 * returned step is always the last one evaluated, so those buffers hold the
 * accepted point. When no Wolfe step is found, the best sufficient-decrease
 * step seen is re-evaluated and returned with `wolfe: false` (or step 0 when
 * there was none).
 *
 * @example
 * const r = strongWolfeSearch((a) => probe(a), f0, slope0, 1);
 */
export function strongWolfeSearch(
  evaluate: (step: number) => LineProbe,
  value0: number,
  slope0: number,
  initialStep: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 40;
  const maxStep = options.maxStep ?? 1e20;
  let evaluations = 0;
  let last = Number.NaN;
  let best = { step: 0, value: value0 };

  const probe = (step: number): LineProbe => {
    evaluations++;
    last = step;
    const p = evaluate(step);
    if (p.value <= value0 + c1 * step * slope0 && p.value < best.value)
      best = { step, value: p.value };
    return p;
  };
  const armijo = (step: number, p: LineProbe) => p.value <= value0 + c1 * step * slope0;
  const curvature = (p: LineProbe) => Math.abs(p.slope) <= -c2 * slope0;
  const done = (step: number, value: number): LineSearchResult => ({
    step,
    value,
    wolfe: true,
    evaluations,
  });
  const fallback = (): LineSearchResult => {
    if (best.step > 0 && best.step !== last) {
      const p = probe(best.step);
      return { step: best.step, value: p.value, wolfe: false, evaluations };
    }
    return { step: best.step, value: best.value, wolfe: false, evaluations };
  };

  // Zoom inside the bracket [lo, hi]; lo always satisfies sufficient decrease.
  const zoom = (lo: Point, hi: Point): LineSearchResult => {
    while (evaluations < maxEvaluations) {
      const width = Math.abs(hi.step - lo.step);
      if (width <= 1e-16 * Math.max(1, Math.abs(lo.step))) break;
      const step = interpolate(lo, hi);
      const p = probe(step);
      if (!armijo(step, p) || p.value >= lo.value) {
        hi = { step, value: p.value, slope: p.slope };
      } else {
        if (curvature(p)) return done(step, p.value);
        if (p.slope * (hi.step - lo.step) >= 0) hi = lo;
        lo = { step, value: p.value, slope: p.slope };
      }
    }
    return fallback();
  };

  let previous: Point = { step: 0, value: value0, slope: slope0 };
  let step = Math.min(initialStep, maxStep);
  while (evaluations < maxEvaluations) {
    const p = probe(step);
    const current: Point = { step, value: p.value, slope: p.slope };
    if (!armijo(step, p) || (evaluations > 1 && p.value >= previous.value)) {
      return zoom(previous, current);
    }
    if (curvature(p)) return done(step, p.value);
    if (p.slope >= 0) return zoom(current, previous);
    if (step >= maxStep) break;
    previous = current;
    step = Math.min(step * 2, maxStep);
  }
  return fallback();
}

interface Point {
  readonly step: number;
  readonly value: number;
  readonly slope: number;
}

/** Minimiser of the cubic through two points and slopes, kept 10% inside the interval. */
function interpolate(a: Point, b: Point): number {
  const lo = Math.min(a.step, b.step);
  const hi = Math.max(a.step, b.step);
  const margin = 0.1 * (hi - lo);
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
  const disc = d1 * d1 - a.slope * b.slope;
  if (disc >= 0 && Number.isFinite(disc)) {
    const d2 = Math.sign(b.step - a.step) * Math.sqrt(disc);
    const step = b.step - ((b.step - a.step) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
    if (step >= lo + margin && step <= hi - margin) return step;
  }
  return 0.5 * (lo + hi);
}
