/**
 * Every metric against values worked by hand or published in scikit-learn's
 * documentation (the examples of roc_auc_score, average_precision_score,
 * log_loss, brier_score_loss, f1_score, top_k_accuracy_score, the regression
 * metrics and mean_pinball_loss).
 */
import { describe, expect, it } from 'vitest';
import {
  binaryCost,
  costOptimalThreshold,
  multiclassCost,
  regressionCost,
} from './business-cost.js';
import { calculateMetric, calculateMetrics } from './calculate.js';
import type { MetricContext, MetricRequest } from './metric-types.js';
import { logLoss, rocAuc } from './ranking.js';

const f64 = (...values: number[]) => Float64Array.from(values);
const binary = (
  request: MetricRequest,
  scores: number[],
  labels: number[],
  context: MetricContext = {},
) => calculateMetric(request, 'binary', f64(...scores), f64(...labels), context).value;

describe('ROC AUC', () => {
  it('matches the worked example of scikit-learn’s roc_auc_score docs', () => {
    // y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] → 0.75
    expect(rocAuc(f64(0.1, 0.4, 0.35, 0.8), f64(0, 0, 1, 1))).toBe(0.75);
  });
  it('counts ties as one half and skips unlabelled rows', () => {
    expect(rocAuc(f64(0.5, 0.5, 0.5, 0.5), f64(0, 1, 0, 1))).toBe(0.5);
    expect(rocAuc(f64(0.2, 0.9, 0.3), f64(0, 1, Number.NaN))).toBe(1);
    expect(rocAuc(f64(0.2, 0.9), f64(1, 1))).toBeNaN();
    // pairs (pos, neg): (0.8 > 0.3) 1, (0.8 > 0.5) 1, (0.5 = 0.5) ½, (0.5 > 0.3) 1 → 3.5 / 4
    expect(rocAuc(f64(0.8, 0.5, 0.5, 0.3), f64(1, 1, 0, 0))).toBe(0.875);
  });
  it('takes any real scores, not only probabilities', () => {
    expect(binary('roc_auc', [-3, 10, 2.5, 40], [0, 0, 1, 1])).toBe(0.75);
  });
});

describe('average precision (PR AUC)', () => {
  it('matches scikit-learn’s average_precision_score docs example', () => {
    expect(binary('pr_auc', [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.8333333333, 10);
  });
  it('steps without interpolation over tied scores', () => {
    // thresholds 0.9: P 1, R ⅓; 0.5 (two positives, one negative): P ¾, R 1 → ⅓·1 + ⅔·¾ = 0.8333
    expect(binary('pr_auc', [0.9, 0.5, 0.5, 0.5, 0.1], [1, 1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });
});

describe('log loss and Brier score', () => {
  it('is ln 2 at p = 0.5 and clips certainty', () => {
    expect(logLoss(f64(0.5, 0.5), f64(0, 1))).toBeCloseTo(Math.LN2, 12);
    expect(Number.isFinite(logLoss(f64(0), f64(1)))).toBe(true);
  });
  it('matches scikit-learn’s log_loss docs example', () => {
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    expect(binary('log_loss', [0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1])).toBeCloseTo(
      0.21616187468057912,
      12,
    );
  });
  it('matches scikit-learn’s brier_score_loss docs example', () => {
    expect(binary('brier', [0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0])).toBeCloseTo(0.0375, 12);
  });
});

describe('expected calibration error', () => {
  it('weighs the gap of each equal-mass bin by its size', () => {
    // bins {0.1, 0.3}: mean p 0.2, rate 0; {0.6, 0.8}: mean p 0.7, rate 0.5 → (0.2 + 0.2) / 2
    const result = calculateMetric(
      { name: 'ece', bins: 2 },
      'binary',
      f64(0.6, 0.1, 0.8, 0.3),
      f64(1, 0, 0, 0),
    );
    expect(result.value).toBeCloseTo(0.2, 12);
    expect(result.detail).toEqual({
      kind: 'reliability',
      bins: [
        { lower: 0.1, upper: 0.3, meanPredicted: 0.2, observedRate: 0, rows: 2 },
        {
          lower: 0.6,
          upper: 0.8,
          meanPredicted: expect.closeTo(0.7, 12),
          observedRate: 0.5,
          rows: 2,
        },
      ],
    });
  });
  it('is zero for a perfectly calibrated case and keeps runs of ties in one bin', () => {
    // five rows at 0.2 (one positive), five at 0.8 (four positives)
    const scores = [0.2, 0.2, 0.2, 0.2, 0.2, 0.8, 0.8, 0.8, 0.8, 0.8];
    const labels = [1, 0, 0, 0, 0, 1, 1, 1, 1, 0];
    expect(binary('ece', scores, labels)).toBeCloseTo(0, 12);
    // 3 bins over 10 rows would cut at rank 3 and 7: ties keep each run whole
    const r = calculateMetric({ name: 'ece', bins: 3 }, 'binary', f64(...scores), f64(...labels));
    expect(r.detail?.kind === 'reliability' && r.detail.bins.map((b) => b.rows)).toEqual([5, 5]);
  });
});

describe('decisions at a threshold', () => {
  // At 0.5: TP 3 (0.9, 0.8, 0.6), FP 1 (0.7), FN 2 (0.4, 0.2), TN 4 — counted by hand.
  const scores = [0.9, 0.8, 0.7, 0.6, 0.45, 0.4, 0.3, 0.2, 0.1, 0.05];
  const labels = [1, 1, 0, 1, 0, 1, 0, 1, 0, 0];
  it('gives precision, recall, F1, F-beta and accuracy from the confusion matrix', () => {
    const results = calculateMetrics(
      ['precision', 'recall', 'f1', { name: 'f1', beta: 2 }, 'accuracy'],
      'binary',
      f64(...scores),
      f64(...labels),
      { threshold: 0.5 },
    );
    expect(results.map((r) => r.value)).toEqual([
      0.75,
      0.6,
      expect.closeTo(2 / 3, 12),
      expect.closeTo((5 * 0.75 * 0.6) / (4 * 0.75 + 0.6), 12),
      0.7,
    ]);
    expect(results[0]!.detail).toEqual({
      kind: 'decisions',
      rule: { kind: 'threshold', threshold: 0.5 },
      counts: { tp: 3, fp: 1, fn: 2, tn: 4 },
    });
  });
  it('lets a metric carry its own threshold', () => {
    expect(binary({ name: 'recall', threshold: 0.15 }, scores, labels, { threshold: 0.5 })).toBe(1);
  });
  it('scores no predicted positive as precision 0 (scikit-learn’s zero_division=0)', () => {
    expect(binary('precision', [0.1, 0.2], [1, 0])).toBe(0);
  });
  it('prices the decisions with the spec’s costs, in total and per decision', () => {
    const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
    const context = { threshold: 0.5, costs };
    const reference = binaryCost(f64(...scores), f64(...labels), costs, 0.5);
    expect(binary('expected_cost', scores, labels, context)).toBe(3 * 20 + 20 + 2 * 80);
    expect(binary('expected_cost', scores, labels, context)).toBe(reference.total);
    expect(binary('cost_per_decision', scores, labels, context)).toBe(reference.perDecision);
  });
});

describe('top-k metrics', () => {
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  const labels = [1, 0, 1, 0, 0, 1];
  it('counts positives among the k highest scores', () => {
    // base rate ½; top 2 holds one positive, top 3 two
    expect(binary({ name: 'precision_at_k', k: 2 }, scores, labels)).toBe(0.5);
    expect(binary({ name: 'recall_at_k', k: 2 }, scores, labels)).toBeCloseTo(1 / 3, 12);
    expect(binary({ name: 'lift_at_k', k: 2 }, scores, labels)).toBe(1);
    expect(binary({ name: 'precision_at_k', k: 3 }, scores, labels)).toBeCloseTo(2 / 3, 12);
    expect(binary({ name: 'lift_at_k', k: 3 }, scores, labels)).toBeCloseTo(4 / 3, 12);
    expect(binary({ name: 'precision_at_k', k: 10 }, scores, labels)).toBe(0.5);
  });
  it('takes a tie group straddling the k-th place in proportion', () => {
    // top group {0.9: +}, then {0.8: +, 0.8: −} for the one remaining place → 1 + ½ hits
    expect(binary({ name: 'precision_at_k', k: 2 }, [0.9, 0.8, 0.8, 0.1], [1, 1, 0, 0])).toBe(0.75);
  });
  it('uses the top-k policy’s rows when a capacity sets k', () => {
    const context: MetricContext = { capacity: { maxPositives: 3, per: 'batch' } };
    expect(binary('precision_at_k', scores, labels, context)).toBeCloseTo(2 / 3, 12);
    expect(binary('precision', scores, labels, context)).toBeCloseTo(2 / 3, 12);
  });
});

describe('multiclass metrics', () => {
  const oneHotish = (predicted: number[], k: number) =>
    Float64Array.from(
      predicted.flatMap((p) =>
        Array.from({ length: k }, (_, c) => (c === p ? 0.6 : 0.4 / (k - 1))),
      ),
    );
  it('matches scikit-learn’s f1_score docs example (macro 0.2667, micro 0.3333)', () => {
    const labels = Int32Array.of(0, 1, 2, 0, 1, 2);
    const probabilities = oneHotish([0, 2, 1, 0, 0, 1], 3);
    const [macro, micro, accuracy] = calculateMetrics(
      ['macro_f1', 'micro_f1', 'accuracy'],
      'multiclass',
      probabilities,
      labels,
    ).map((r) => r.value);
    expect(macro).toBeCloseTo(0.26666666666666666, 12);
    expect(micro).toBeCloseTo(1 / 3, 12);
    expect(accuracy).toBeCloseTo(1 / 3, 12);
  });
  it('matches scikit-learn’s top_k_accuracy_score docs example (k = 2 → 0.75)', () => {
    const probabilities = f64(0.5, 0.2, 0.2, 0.3, 0.4, 0.2, 0.2, 0.4, 0.3, 0.7, 0.2, 0.1);
    const labels = Int32Array.of(0, 1, 2, 2);
    expect(
      calculateMetric({ name: 'top_k_accuracy', k: 2 }, 'multiclass', probabilities, labels).value,
    ).toBe(0.75);
  });
  it('gives the mean −log p of the true class, and the cost of wrong classes', () => {
    const probabilities = f64(0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4);
    const labels = Int32Array.of(0, 2, -1);
    const context = { misclassificationCost: 7 };
    const [loss, total, per] = calculateMetrics(
      ['log_loss', 'expected_cost', 'cost_per_decision'],
      'multiclass',
      probabilities,
      labels,
      context,
    ).map((r) => r.value);
    expect(loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.1)) / 2, 12);
    expect(total).toBe(7);
    expect(per).toBe(multiclassCost(probabilities, labels, 3, 7).perDecision);
  });
});

describe('regression metrics', () => {
  // scikit-learn's docs examples: y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 8]
  const y = f64(3, -0.5, 2, 7);
  const p = f64(2.5, 0, 2, 8);
  it('match MAE 0.5, MSE 0.375 and R² 0.9486', () => {
    const [mae, rmse, r2] = calculateMetrics(['mae', 'rmse', 'r2'], 'regression', p, y).map(
      (r) => r.value,
    );
    expect(mae).toBe(0.5);
    expect(rmse).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(r2).toBeCloseTo(0.9486081370449679, 12);
  });
  it('match mean_pinball_loss docs: [1, 2, 3] vs [0, 2, 3] → 0.0333 at α 0.1, 0.3 at α 0.9', () => {
    const loss = (alpha: number) =>
      calculateMetric({ name: 'quantile_loss', alpha }, 'regression', f64(0, 2, 3), f64(1, 2, 3))
        .value;
    expect(loss(0.1)).toBeCloseTo(0.1 / 3, 12);
    expect(loss(0.9)).toBeCloseTo(0.3, 12);
  });
  it('give R² 1 for a perfect fit of constant labels and 0 otherwise', () => {
    expect(calculateMetric('r2', 'regression', f64(0.1, 0.1, 0.1), f64(0.1, 0.1, 0.1)).value).toBe(
      1,
    );
    expect(calculateMetric('r2', 'regression', f64(0.1, 0.2, 0.1), f64(0.1, 0.1, 0.1)).value).toBe(
      0,
    );
  });
  it('price shortfall and overshoot differently (the spec’s asymmetric cost)', () => {
    const context = { underCostPerUnit: 5, overCostPerUnit: 1 };
    const total = calculateMetric('expected_cost', 'regression', f64(10, 10), f64(12, 7), context);
    expect(total.value).toBe(2 * 5 + 3 * 1);
    expect(total.value).toBe(regressionCost(f64(10, 10), f64(12, 7), 5, 1).total);
  });
});

describe('business cost helpers', () => {
  const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
  it('counts outcomes at a threshold', () => {
    const c = binaryCost(f64(0.9, 0.6, 0.2, 0.1), f64(1, 0, 1, 0), costs, 0.5);
    expect(c.counts).toEqual({ tp: 1, fp: 1, fn: 1, tn: 1 });
    expect(c.total).toBe(120);
    expect(c.perDecision).toBe(30);
  });
  it('finds the cost-optimal threshold by sweeping every score', () => {
    const scores = f64(0.9, 0.8, 0.7, 0.3, 0.2);
    const labels = f64(1, 1, 0, 1, 0);
    const best = costOptimalThreshold(scores, labels, costs);
    let brute = Number.POSITIVE_INFINITY;
    for (const t of [Number.POSITIVE_INFINITY, ...scores])
      brute = Math.min(brute, binaryCost(scores, labels, costs, t).total);
    expect(best.total).toBe(brute);
    expect(best.threshold).toBe(0.3);
  });
  it('prices regression shortfall and overshoot differently', () => {
    const r = regressionCost(f64(10, 10), f64(12, 7), 5, 1);
    expect(r.total).toBe(2 * 5 + 3 * 1);
  });
  it('prices a wrong class', () => {
    const m = multiclassCost(f64(0.7, 0.3, 0.2, 0.8), Int32Array.of(0, 0), 2, 10);
    expect(m).toMatchObject({ errors: 1, total: 10, perDecision: 5 });
  });
});
