import { describe, expect, it } from 'vitest';
import {
  binaryCost,
  costOptimalThreshold,
  multiclassCost,
  regressionCost,
} from './business-cost.js';
import { logLoss, rocAuc } from './ranking.js';

describe('ROC AUC', () => {
  it('matches the worked example of scikit-learn’s roc_auc_score docs', () => {
    // y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] → 0.75
    expect(rocAuc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Float64Array.of(0, 0, 1, 1))).toBe(0.75);
  });
  it('counts ties as one half and skips unlabelled rows', () => {
    expect(rocAuc(Float64Array.of(0.5, 0.5, 0.5, 0.5), Float64Array.of(0, 1, 0, 1))).toBe(0.5);
    expect(rocAuc(Float64Array.of(0.2, 0.9, 0.3), Float64Array.of(0, 1, Number.NaN))).toBe(1);
    expect(rocAuc(Float64Array.of(0.2, 0.9), Float64Array.of(1, 1))).toBeNaN();
  });
});

describe('log loss', () => {
  it('is ln 2 at p = 0.5 and clips certainty', () => {
    expect(logLoss(Float64Array.of(0.5, 0.5), Float64Array.of(0, 1))).toBeCloseTo(Math.LN2, 12);
    expect(Number.isFinite(logLoss(Float64Array.of(0), Float64Array.of(1)))).toBe(true);
  });
});

describe('business cost', () => {
  const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
  it('counts outcomes at a threshold', () => {
    const c = binaryCost(
      Float64Array.of(0.9, 0.6, 0.2, 0.1),
      Float64Array.of(1, 0, 1, 0),
      costs,
      0.5,
    );
    expect(c.counts).toEqual({ tp: 1, fp: 1, fn: 1, tn: 1 });
    expect(c.total).toBe(120);
    expect(c.perDecision).toBe(30);
  });
  it('finds the cost-optimal threshold by sweeping every score', () => {
    const scores = Float64Array.of(0.9, 0.8, 0.7, 0.3, 0.2);
    const labels = Float64Array.of(1, 1, 0, 1, 0);
    // act on the top 2 → 40 + 80 (one miss) = 120; top 4 → 80+20+... compare all by brute force
    const best = costOptimalThreshold(scores, labels, costs);
    let brute = Number.POSITIVE_INFINITY;
    for (const t of [Number.POSITIVE_INFINITY, ...scores])
      brute = Math.min(brute, binaryCost(scores, labels, costs, t).total);
    expect(best.total).toBe(brute);
  });
  it('prices regression shortfall and overshoot differently', () => {
    const r = regressionCost(Float64Array.of(10, 10), Float64Array.of(12, 7), 5, 1);
    expect(r.total).toBe(2 * 5 + 3 * 1);
  });
  it('prices a wrong class', () => {
    const m = multiclassCost(Float64Array.of(0.7, 0.3, 0.2, 0.8), Int32Array.of(0, 0), 2, 10);
    expect(m).toMatchObject({ errors: 1, total: 10, perDecision: 5 });
  });
});
