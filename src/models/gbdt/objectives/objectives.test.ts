import { describe, expect, it } from 'vitest';
import { createObjective, type Objective } from './index.js';

const H = 1e-5;

/** Loss of one row at `score` (a copy with one entry moved). */
function lossAt(
  o: Objective,
  score: Float64Array,
  label: Float64Array,
  row: number,
  k: number,
  at: number,
) {
  const s = score.slice();
  s[row * o.numModels + k] = at;
  return o.loss(s, label, null) * label.length;
}

/**
 * Checks gradient (and hessian unless `surrogateHessian`) against central
 * differences of `scale` × the reported loss.
 */
function checkDerivatives(
  o: Objective,
  score: Float64Array,
  label: Float64Array,
  { surrogateHessian = false, scale = 1 } = {},
) {
  const n = label.length;
  const gh = new Float32Array(2 * n * o.numModels);
  o.gradients(score, label, null, gh);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < o.numModels; k++) {
      const s = score[i * o.numModels + k]!;
      const up = scale * lossAt(o, score, label, i, k, s + H);
      const mid = scale * lossAt(o, score, label, i, k, s);
      const down = scale * lossAt(o, score, label, i, k, s - H);
      const at = k * 2 * n + 2 * i;
      expect(gh[at]).toBeCloseTo((up - down) / (2 * H), 4);
      if (!surrogateHessian) expect(gh[at + 1]).toBeCloseTo((up - 2 * mid + down) / (H * H), 2);
    }
  }
}

describe('objectives', () => {
  it('binary log loss: gradient p − y and hessian p(1 − p)', () => {
    const o = createObjective('binary', 2, 0.5);
    checkDerivatives(o, Float64Array.of(-2, -0.3, 0, 0.7, 3), Float64Array.of(0, 1, 1, 0, 1));
    expect(o.transform(Float64Array.of(0))[0]).toBe(0.5);
    expect(o.initScore(Float64Array.of(1, 0, 0, 0), null)[0]).toBeCloseTo(Math.log(1 / 3), 12);
  });

  it('multiclass softmax: gradient p_k − [y = k] and hessian p_k(1 − p_k)', () => {
    const o = createObjective('multiclass', 3, 0.5);
    const score = Float64Array.of(0.1, -1, 2, 0, 0, 0, 1.5, 0.2, -0.4);
    checkDerivatives(o, score, Float64Array.of(2, 0, 1));
    const p = o.transform(score);
    for (let i = 0; i < 3; i++)
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
  });

  it('L2 regression: gradient s − y and hessian 1, starting from the mean', () => {
    const o = createObjective('regression', 2, 0.5);
    // The gradients are those of ½(s − y)²; the reported loss is the mean squared error.
    checkDerivatives(o, Float64Array.of(0, 2, -1), Float64Array.of(1, 2, 3), { scale: 0.5 });
    expect(o.initScore(Float64Array.of(1, 2, 6), null)[0]).toBe(3);
  });

  it('quantile: gradient 1 − α above the label and −α below (hessian is the weight)', () => {
    const o = createObjective('quantile', 2, 0.8);
    checkDerivatives(o, Float64Array.of(0, 2.5, -1), Float64Array.of(1, 2, 3), {
      surrogateHessian: true,
    });
    const gh = new Float32Array(6);
    o.gradients(Float64Array.of(0, 2.5, -1), Float64Array.of(1, 2, 3), null, gh);
    expect([gh[1], gh[3], gh[5]]).toEqual([1, 1, 1]);
    const label = Float64Array.from({ length: 101 }, (_, i) => i);
    expect(o.initScore(label, null)[0]).toBeCloseTo(80, 12);
    const rows = Int32Array.from({ length: 101 }, (_, i) => i);
    expect(o.renewLeaf!(rows, 0, 101, new Float64Array(101).fill(10), label, null)).toBeCloseTo(
      70,
      12,
    );
  });
});
