/**
 * A model's whole evaluation: the flights spec's costs and acceptance, a
 * threshold chosen on validation and reported on test, every metric with an
 * interval, curves for the report, and the pieces joined the way the pipeline
 * joins them (evaluate, slice, gate), for all three tasks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../spec/index.js';
import { defaultMetrics, evaluateModel } from './evaluate-model.js';
import { binarySample, noisierScores } from './fixtures/synthetic.js';
import { judgeAcceptance } from './gates.js';
import { prepareData } from './prepared-data.js';
import { metricContextFromSpec } from './spec-context.js';

const flights = parseSpec(
  readFileSync(new URL('../../examples/flights/flywheel.yaml', import.meta.url), 'utf8'),
).spec;

describe('evaluateModel', () => {
  const validation = binarySample(71, 5000, 1.1, 0.2);
  const test = binarySample(72, 5000, 1.1, 0.2);
  const context = metricContextFromSpec(flights);

  it('reads the business section of the spec', () => {
    expect(context).toEqual({ costs: { tp: 20, fp: 20, fn: 80, tn: 0 } });
  });

  it('chooses the threshold on validation, reports on test, with intervals and curves', () => {
    const evaluation = evaluateModel({
      task: 'binary',
      name: 'gbdt',
      predictions: test.scores,
      labels: test.labels,
      validation: { predictions: validation.scores, labels: validation.labels },
      context,
      bootstrap: { resamples: 100 },
    });
    const policy = evaluation.decision!.policy;
    expect(policy).toMatchObject({ kind: 'threshold', chosenOn: 'validation' });
    const threshold = policy.kind === 'threshold' ? policy.threshold : Number.NaN;
    const names = evaluation.metrics.map((m) => m.name);
    expect(names).toEqual([
      'roc_auc',
      'pr_auc',
      'log_loss',
      'brier',
      'ece',
      'precision',
      'recall',
      'f1',
      'expected_cost',
      'cost_per_decision',
      'accuracy',
    ]);
    for (const m of evaluation.metrics) {
      expect(m.interval!.lower, m.name).toBeLessThanOrEqual(m.value);
      expect(m.interval!.upper, m.name).toBeGreaterThanOrEqual(m.value);
    }
    const cost = evaluation.metrics.find((m) => m.name === 'cost_per_decision')!;
    expect(cost.value).toBe(evaluation.decision!.test.perDecision);
    expect(cost.parameters).toEqual({ threshold });
    expect(evaluation.curves!.roc.length).toBeLessThanOrEqual(500);
    expect(evaluation.curves!.reliability).toHaveLength(10);
    expect(evaluation.rows).toBe(5000);
    expect(evaluation.bootstrap).toEqual({
      resamples: 100,
      seed: 42,
      confidence: 0.95,
      stratify: true,
    });
    const json = JSON.parse(JSON.stringify(evaluation));
    expect(json.metrics[0].interval.lower).toBe(evaluation.metrics[0]!.interval!.lower);
  });

  it('uses the top-k policy under a capacity, and adds the @k metrics', () => {
    const eventTime = Float64Array.from(test.scores, (_, i) => (i % 5) * 86_400_000);
    const evaluation = evaluateModel({
      task: 'binary',
      predictions: test.scores,
      labels: test.labels,
      context: { ...context, capacity: { maxPositives: 100, per: 'day' } },
      eventTime,
      bootstrap: false,
    });
    expect(evaluation.decision!.policy).toEqual({ kind: 'top_k', k: 100, per: 'day' });
    expect(evaluation.decision!.test.acted).toBe(500);
    const precisionAtK = evaluation.metrics.find((m) => m.name === 'precision_at_k')!;
    expect(precisionAtK.parameters).toEqual({ k: 100 });
    expect(precisionAtK.value).toBe(evaluation.metrics.find((m) => m.name === 'precision')!.value);
  });

  it('leaves out probability metrics for scores that are not probabilities', () => {
    const data = prepareData('binary', Float64Array.of(-1, 2), Float64Array.of(0, 1));
    expect(defaultMetrics(data, {})).not.toContain('log_loss');
  });

  it('evaluates multiclass and regression models', () => {
    const multiclass = evaluateModel({
      task: 'multiclass',
      predictions: Float64Array.of(0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.5, 0.4, 0.1),
      labels: Int32Array.of(0, 1, 2, 1),
      bootstrap: { resamples: 20 },
    });
    expect(multiclass.metrics.find((m) => m.name === 'accuracy')!.value).toBe(0.75);
    expect(multiclass.decision).toBeUndefined();
    const regression = evaluateModel({
      task: 'regression',
      predictions: Float64Array.of(2.5, 0, 2, 8),
      labels: Float64Array.of(3, -0.5, 2, 7),
      bootstrap: false,
    });
    expect(regression.metrics.map((m) => [m.name, m.value])).toContainEqual(['mae', 0.5]);
  });

  it('feeds the gate: the flights acceptance judged at 95%', () => {
    const candidate = evaluateModel({
      task: 'binary',
      predictions: test.scores,
      labels: test.labels,
      validation: { predictions: validation.scores, labels: validation.labels },
      context,
      bootstrap: false,
      curves: false,
    });
    const baseline = noisierScores(73, test, 3);
    const threshold = (candidate.decision!.policy as { threshold: number }).threshold;
    const verdict = judgeAcceptance({
      acceptance: flights.acceptance,
      task: 'binary',
      labels: test.labels,
      candidate: { name: 'gbdt', predictions: test.scores, context: { threshold } },
      baselines: [{ name: 'linear', predictions: baseline, context: { threshold: 0.25 } }],
      context,
      bootstrap: { resamples: 100 },
    });
    expect(verdict.criteria.map((c) => c.name)).toEqual([
      'roc_auc.min',
      'cost_per_decision.max',
      'lift_over_baseline',
    ]);
    expect(verdict.criteria[0]!.passed).toBe(true);
    expect(verdict.passed).toBe(verdict.criteria.every((c) => c.passed));

    // The gate and the report show the same interval for the same seed.
    const reported = evaluateModel({
      task: 'binary',
      predictions: test.scores,
      labels: test.labels,
      context: { ...context, threshold },
      metrics: ['roc_auc'],
      bootstrap: { resamples: 100 },
      curves: false,
    }).metrics[0]!.interval!;
    expect(verdict.criteria[0]!.interval).toEqual([reported.lower, reported.upper]);
  });
});
