/**
 * Metrics and curves against scikit-learn on seeded data (fixtures/
 * sklearn-reference.json, made by fixtures/sklearn-reference.py): binary
 * scores with ties, multiclass probabilities and regression predictions,
 * unweighted and with integer sample weights. The weighted cases check the
 * bootstrap's path: a replicate is exactly such a weight vector.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bindMetrics } from './calculate.js';
import { prCurve, rocCurve } from './curves.js';
import type { MetricRequest, Task } from './metric-types.js';
import { type PreparedData, prepareData } from './prepared-data.js';

interface Fixture {
  binary: {
    y: number[];
    scores: number[];
    continuous: number[];
    weights: number[];
    unweighted: Record<string, number>;
    weighted: Record<string, number>;
    roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr_curve: { precision: number[]; recall: number[]; thresholds: number[] };
    ece10: number;
    reliability10: { meanPredicted: number; observedRate: number }[];
  };
  multiclass: {
    y: number[];
    probabilities: number[];
    weights: number[];
    unweighted: Record<string, number>;
    weighted: Record<string, number>;
  };
  regression: {
    y: number[];
    predictions: number[];
    weights: number[];
    unweighted: Record<string, number>;
    weighted: Record<string, number>;
  };
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-reference.json', import.meta.url), 'utf8'),
);

/** Row weights moved to the prepared (sorted) positions. */
function positionWeights(data: PreparedData, rowWeights: number[]): Float64Array {
  return Float64Array.from(data.rows, (row) => rowWeights[row]!);
}

function values(
  task: Task,
  predictions: Float64Array,
  labels: Float64Array | Int32Array,
  requests: MetricRequest[],
  rowWeights?: number[],
): number[] {
  const data = prepareData(task, predictions, labels);
  const set = bindMetrics(requests, data);
  return [...set.values(rowWeights === undefined ? undefined : positionWeights(data, rowWeights))];
}

describe('binary metrics match scikit-learn', () => {
  const { binary } = fixture;
  const scores = Float64Array.from(binary.scores);
  const y = Float64Array.from(binary.y);
  const cases: [string, MetricRequest][] = [
    ['roc_auc', 'roc_auc'],
    ['pr_auc', 'pr_auc'],
    ['log_loss', 'log_loss'],
    ['brier', 'brier'],
  ];
  for (const t of [0.5, 0.3]) {
    cases.push(
      [`precision@${t}`, { name: 'precision', threshold: t }],
      [`recall@${t}`, { name: 'recall', threshold: t }],
      [`f1@${t}`, { name: 'f1', threshold: t }],
      [`f2@${t}`, { name: 'f1', beta: 2, threshold: t }],
      [`accuracy@${t}`, { name: 'accuracy', threshold: t }],
    );
  }
  for (const weighting of ['unweighted', 'weighted'] as const) {
    it(`${weighting}: ${cases.map(([k]) => k).join(', ')}`, () => {
      const got = values(
        'binary',
        scores,
        y,
        cases.map(([, r]) => r),
        weighting === 'weighted' ? binary.weights : undefined,
      );
      cases.forEach(([key], i) => {
        expect(got[i], key).toBeCloseTo(binary[weighting][key]!, 10);
      });
    });
  }

  it('ROC curve: every threshold of roc_curve(drop_intermediate=False)', () => {
    const curve = rocCurve(scores, y, 10_000);
    expect(curve[0]).toEqual({ threshold: null, fpr: 0, tpr: 0 });
    expect(curve.slice(1).map((p) => p.threshold)).toEqual(binary.roc_curve.thresholds);
    curve.forEach((p, i) => {
      expect(p.fpr).toBeCloseTo(binary.roc_curve.fpr[i]!, 12);
      expect(p.tpr).toBeCloseTo(binary.roc_curve.tpr[i]!, 12);
    });
  });

  it('PR curve: precision_recall_curve, from recall 0 to 1', () => {
    const curve = prCurve(scores, y, 10_000);
    const reference = binary.pr_curve;
    expect(curve.map((p) => p.precision)).toEqual(
      [...reference.precision].reverse().map((v) => expect.closeTo(v, 12)),
    );
    expect(curve.map((p) => p.recall)).toEqual(
      [...reference.recall].reverse().map((v) => expect.closeTo(v, 12)),
    );
    expect(curve.slice(1).map((p) => p.threshold)).toEqual([...reference.thresholds].reverse());
  });

  it('ECE and the reliability curve match an independent numpy computation', () => {
    const data = prepareData('binary', Float64Array.from(binary.continuous), y);
    const result = bindMetrics(['ece'], data).results()[0]!;
    expect(result.value).toBeCloseTo(binary.ece10, 12);
    if (result.detail?.kind !== 'reliability') throw new Error('no reliability curve');
    result.detail.bins.forEach((bin, i) => {
      expect(bin.meanPredicted).toBeCloseTo(binary.reliability10[i]!.meanPredicted, 12);
      expect(bin.observedRate).toBeCloseTo(binary.reliability10[i]!.observedRate, 12);
      expect(bin.rows).toBe(30);
    });
  });
});

describe('multiclass metrics match scikit-learn', () => {
  const { multiclass } = fixture;
  const requests: [string, MetricRequest][] = [
    ['accuracy', 'accuracy'],
    ['macro_f1', 'macro_f1'],
    ['micro_f1', 'micro_f1'],
    ['log_loss', 'log_loss'],
    ['top_2_accuracy', { name: 'top_k_accuracy', k: 2 }],
    ['top_3_accuracy', { name: 'top_k_accuracy', k: 3 }],
  ];
  for (const weighting of ['unweighted', 'weighted'] as const) {
    it(weighting, () => {
      const got = values(
        'multiclass',
        Float64Array.from(multiclass.probabilities),
        Int32Array.from(multiclass.y),
        requests.map(([, r]) => r),
        weighting === 'weighted' ? multiclass.weights : undefined,
      );
      requests.forEach(([key], i) => {
        expect(got[i], key).toBeCloseTo(multiclass[weighting][key]!, 10);
      });
    });
  }
});

describe('regression metrics match scikit-learn', () => {
  const { regression } = fixture;
  const requests: [string, MetricRequest][] = [
    ['mae', 'mae'],
    ['rmse', 'rmse'],
    ['r2', 'r2'],
    ['pinball_0.1', { name: 'quantile_loss', alpha: 0.1 }],
    ['pinball_0.5', { name: 'quantile_loss', alpha: 0.5 }],
    ['pinball_0.9', { name: 'quantile_loss', alpha: 0.9 }],
  ];
  for (const weighting of ['unweighted', 'weighted'] as const) {
    it(weighting, () => {
      const got = values(
        'regression',
        Float64Array.from(regression.predictions),
        Float64Array.from(regression.y),
        requests.map(([, r]) => r),
        weighting === 'weighted' ? regression.weights : undefined,
      );
      requests.forEach(([key], i) => {
        expect(got[i], key).toBeCloseTo(regression[weighting][key]!, 10);
      });
    });
  }
});
