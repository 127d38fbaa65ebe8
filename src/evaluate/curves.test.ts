/**
 * Curves for the report: worked points on the scikit-learn docs example,
 * thinning to at most 500 points that keeps the ends and the chosen
 * threshold, and the radix argsort every curve and metric relies on.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../random.js';
import { argsortDescending } from './argsort.js';
import { costCurve, prCurve, rocCurve, thinIndices } from './curves.js';
import { binarySample } from './fixtures/synthetic.js';

const f64 = (...values: number[]) => Float64Array.from(values);

describe('curves', () => {
  const scores = f64(0.1, 0.4, 0.35, 0.8);
  const labels = f64(0, 0, 1, 1);

  it('ROC and PR points of the docs example', () => {
    expect(rocCurve(scores, labels)).toEqual([
      { threshold: null, fpr: 0, tpr: 0 },
      { threshold: 0.8, fpr: 0, tpr: 0.5 },
      { threshold: 0.4, fpr: 0.5, tpr: 0.5 },
      { threshold: 0.35, fpr: 0.5, tpr: 1 },
      { threshold: 0.1, fpr: 1, tpr: 1 },
    ]);
    expect(prCurve(scores, labels).map((p) => [p.recall, p.precision])).toEqual([
      [0, 1],
      [0.5, 1],
      [0.5, 0.5],
      [1, expect.closeTo(2 / 3, 12)],
      [1, 0.5],
    ]);
  });

  it('cost against threshold, from acting on none to acting on all', () => {
    const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
    const curve = costCurve(scores, labels, costs);
    expect(curve.map((p) => p.total)).toEqual([160, 100, 120, 60, 80]);
    expect(curve.map((p) => p.acted)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(curve[3]!.perDecision).toBe(15);
  });

  it('thin to at most 500 points, keeping both ends and the marked threshold', () => {
    const big = binarySample(61, 20_000, 1);
    const roc = rocCurve(big.scores, big.labels);
    expect(roc.length).toBeLessThanOrEqual(500);
    expect(roc[0]).toEqual({ threshold: null, fpr: 0, tpr: 0 });
    expect(roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    const mark = big.scores[123]!;
    const cost = costCurve(
      big.scores,
      big.labels,
      { tp: 1, fp: 1, fn: 4, tn: 0 },
      { mark: [mark] },
    );
    expect(cost.length).toBeLessThanOrEqual(500);
    expect(cost.some((p) => p.threshold === mark)).toBe(true);
    expect(thinIndices(10, 4, [5])).toEqual([0, 5, 9]);
    expect(thinIndices(3, 500)).toEqual([0, 1, 2]);
  });
});

describe('argsort', () => {
  it('orders descending and keeps row order on ties, like a stable comparator sort', () => {
    const rng = new Rng(3);
    for (const n of [10, 5000]) {
      const values = Float64Array.from({ length: n }, () => {
        const kind = rng.below(5);
        if (kind === 0) return Math.round(rng.next() * 20) / 4 - 2; // ties, negatives
        if (kind === 1) return rng.below(2) === 0 ? 0 : -0;
        return (rng.next() - 0.5) * 10 ** rng.below(12);
      });
      const expected = Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => values[b]! - values[a]! || a - b,
      );
      expect([...argsortDescending(values)]).toEqual(expected);
    }
  });
});
