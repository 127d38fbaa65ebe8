import { describe, expect, it } from 'vitest';
import { createRng as rng } from '../../random.js';
import type { CompactMatrix } from './compact-matrix.js';
import { logisticObjective, sigmoid, softplus } from './logistic-objective.js';
import { ridgeObjective } from './ridge-solver.js';

/** 40 rows: 3 dense columns, then two categorical slots over 5 and 4 one-hot columns (some rows none). */
function compact(random: () => number): CompactMatrix {
  const rows = 40;
  const dense = Float64Array.from({ length: rows * 3 }, () => random() * 4 - 2);
  const active = new Int32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    active[i * 2] = random() < 0.1 ? -1 : 3 + Math.floor(random() * 5);
    active[i * 2 + 1] = random() < 0.1 ? -1 : 8 + Math.floor(random() * 4);
  }
  return { rows, cols: 12, dense, denseCols: 3, active, activeCols: 2 };
}

function finiteDifference(f: (theta: Float64Array) => number, theta: Float64Array): Float64Array {
  const g = new Float64Array(theta.length);
  const h = 1e-6;
  for (let j = 0; j < theta.length; j++) {
    const t = Float64Array.from(theta);
    t[j] = theta[j]! + h;
    const up = f(t);
    t[j] = theta[j]! - h;
    g[j] = (up - f(t)) / (2 * h);
  }
  return g;
}

function expectClose(analytic: Float64Array, numeric: Float64Array): void {
  for (let j = 0; j < analytic.length; j++) {
    expect(Math.abs(analytic[j]! - numeric[j]!)).toBeLessThan(
      1e-7 * Math.max(1, Math.abs(numeric[j]!)),
    );
  }
}

describe('logistic objective', () => {
  for (const k of [1, 3]) {
    it(`gradient matches central finite differences (${k === 1 ? 'binary' : 'multinomial'}, weighted)`, () => {
      const random = rng(7 + k);
      const matrix = compact(random);
      const labels =
        k === 1
          ? Float64Array.from({ length: matrix.rows }, () => (random() < 0.4 ? 1 : 0))
          : Int32Array.from({ length: matrix.rows }, () => Math.floor(random() * k));
      const weights = Float64Array.from({ length: matrix.rows }, () => 0.5 + random());
      const problem = { matrix, outputs: k, labels, weights, l2: 0.7 };
      const theta = Float64Array.from({ length: (matrix.cols + 1) * k }, () => random() - 0.5);
      const gradient = new Float64Array(theta.length);
      logisticObjective(problem, theta, gradient);
      const scratch = new Float64Array(theta.length);
      expectClose(
        gradient,
        finiteDifference((t) => logisticObjective(problem, t, scratch), theta),
      );
    });
  }

  it('is the mean log loss plus the scaled penalty, intercept unpenalised', () => {
    const matrix: CompactMatrix = {
      rows: 2,
      cols: 1,
      dense: new Float64Array([1, -2]),
      denseCols: 1,
      active: new Int32Array(0),
      activeCols: 0,
    };
    const theta = new Float64Array([0.5, 3]); // w = 0.5, b = 3 (b must not be penalised)
    const g = new Float64Array(2);
    const f = logisticObjective(
      { matrix, outputs: 1, labels: new Float64Array([1, 0]), l2: 2 },
      theta,
      g,
    );
    const z1 = 3.5;
    const z2 = 2;
    const expected = (Math.log1p(Math.exp(-z1)) + Math.log1p(Math.exp(z2)) + 0.5 * 2 * 0.25) / 2;
    expect(f).toBeCloseTo(expected, 14);
  });

  it('softplus and sigmoid do not overflow', () => {
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
  });

  it('the ridge L-BFGS objective gradient matches finite differences', () => {
    const random = rng(3);
    const matrix = compact(random);
    const y = Float64Array.from({ length: matrix.rows }, () => random() * 10);
    const weights = Float64Array.from({ length: matrix.rows }, () => 0.5 + random());
    const objective = ridgeObjective(matrix, y, 2, weights);
    const theta = Float64Array.from({ length: matrix.cols + 1 }, () => random() - 0.5);
    const gradient = new Float64Array(theta.length);
    objective(theta, gradient);
    const scratch = new Float64Array(theta.length);
    expectClose(
      gradient,
      finiteDifference((t) => objective(t, scratch), theta),
    );
  });
});
