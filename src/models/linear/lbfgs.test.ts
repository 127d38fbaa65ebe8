import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs.js';
import { strongWolfeSearch } from './wolfe-line-search.js';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
}

describe('L-BFGS', () => {
  it('minimises the 10-D Rosenbrock function', () => {
    const x0 = new Float64Array(10).fill(-1.2);
    const r = minimizeLbfgs(rosenbrock, x0, {
      gradientTolerance: 1e-9,
      functionTolerance: 0,
      maxIterations: 2000,
    });
    expect(r.status).toBe('converged');
    for (const v of r.x) expect(v).toBeCloseTo(1, 7);
    expect(x0[0]).toBe(-1.2); // x0 untouched
  });

  it('solves an ill-conditioned quadratic (condition number 1e3) like SciPy', () => {
    const n = 50;
    const scale = Float64Array.from({ length: n }, (_, i) => 10 ** ((3 * i) / (n - 1)));
    const f = (x: Float64Array, g: Float64Array) => {
      let v = 0;
      for (let i = 0; i < n; i++) {
        const d = x[i]! - (i + 1);
        v += 0.5 * scale[i]! * d * d;
        g[i] = scale[i]! * d;
      }
      return v;
    };
    const r = minimizeLbfgs(f, new Float64Array(n), {
      gradientTolerance: 1e-8,
      functionTolerance: 0,
      maxIterations: 5000,
    });
    expect(r.status).toBe('converged');
    // SciPy's L-BFGS-B (m = 10) needs 352 iterations on this problem.
    expect(r.iterations).toBeLessThan(450);
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i]! - (i + 1))).toBeLessThan(1e-6);
  });

  it('is deterministic and reports progress', () => {
    const seen: number[] = [];
    const a = minimizeLbfgs(rosenbrock, new Float64Array([3, -2, 1]), {
      onIteration: (i) => seen.push(i),
    });
    const b = minimizeLbfgs(rosenbrock, new Float64Array([3, -2, 1]));
    expect([...a.x]).toEqual([...b.x]);
    expect(seen).toEqual(Array.from({ length: a.iterations }, (_, i) => i + 1));
  });

  it('returns at once when the start is optimal', () => {
    const r = minimizeLbfgs(rosenbrock, new Float64Array([1, 1]));
    expect(r).toMatchObject({ iterations: 0, status: 'converged', value: 0 });
  });
});

describe('strong Wolfe line search', () => {
  // φ(α) = f(x0 + α d) for f(x) = x⁴ − 3x², x0 = 0.1, d = 1 (descent: φ'(0) < 0).
  const phi = (a: number) => {
    const x = 0.1 + a;
    return { value: x ** 4 - 3 * x * x, slope: 4 * x ** 3 - 6 * x };
  };
  const { value: f0, slope: s0 } = phi(0);

  for (const initial of [1e-3, 1, 50]) {
    it(`finds a step meeting both conditions from an initial step of ${initial}`, () => {
      const r = strongWolfeSearch(phi, f0, s0, initial);
      expect(r.wolfe).toBe(true);
      const p = phi(r.step);
      expect(p.value).toBeLessThanOrEqual(f0 + 1e-4 * r.step * s0);
      expect(Math.abs(p.slope)).toBeLessThanOrEqual(0.9 * Math.abs(s0));
      expect(r.value).toBe(p.value);
    });
  }

  it('falls back to no step when the direction goes uphill everywhere', () => {
    const uphill = (a: number) => ({ value: 1 + a, slope: 1 });
    const r = strongWolfeSearch(uphill, 1, -1, 1, { maxEvaluations: 10 });
    expect(r.wolfe).toBe(false);
    expect(r.step).toBe(0);
  });
});
