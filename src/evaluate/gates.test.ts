/**
 * Gates: each acceptance criterion judged at its confidence level (interval
 * bounds, not point estimates), lift over the best baseline from a paired
 * bootstrap, a JSON-serialisable verdict, and clear errors for criteria that
 * cannot be judged.
 */
import { describe, expect, it } from 'vitest';
import { binarySample, noisierScores } from './fixtures/synthetic.js';
import { type Acceptance, judgeAcceptance } from './gates.js';

const sample = binarySample(41, 3000, 1.2); // true AUC ≈ 0.80
const baseline = noisierScores(42, sample, 2.5);
const costs = { tp: 20, fp: 20, fn: 80, tn: 0 };
const acceptance = (a: Partial<Acceptance>): Acceptance => ({
  confidence: 0.95,
  metrics: {},
  ...a,
});
const judge = (a: Partial<Acceptance>, resamples = 200) =>
  judgeAcceptance({
    acceptance: acceptance(a),
    task: 'binary',
    labels: sample.labels,
    candidate: { name: 'gbdt', predictions: sample.scores, context: { threshold: 0.25 } },
    baselines: [
      {
        name: 'prior',
        predictions: new Float64Array(sample.labels.length).fill(0.3),
        context: { threshold: 0.25 },
      },
      { name: 'linear', predictions: baseline, context: { threshold: 0.25 } },
    ],
    context: { costs },
    bootstrap: { resamples },
  });

describe('acceptance gates', () => {
  it('pass a minimum cleared by the lower bound, and fail one that is not', () => {
    const verdict = judge({ metrics: { roc_auc: { min: 0.7 } } });
    expect(verdict.passed).toBe(true);
    const [criterion] = verdict.criteria;
    expect(criterion).toMatchObject({
      name: 'roc_auc.min',
      kind: 'bound',
      metric: 'roc_auc',
      side: 'min',
      bound: 0.7,
      passed: true,
    });
    expect(criterion!.interval[0]).toBeGreaterThan(0.7);
    expect(criterion!.explanation).toMatch(
      /^roc_auc 0\.\d+ \(95% interval 0\.\d+ to 0\.\d+\): the lower bound 0\.\d+ clears the minimum 0\.7$/,
    );
    expect(judge({ metrics: { roc_auc: { min: 0.95 } } }).passed).toBe(false);
  });

  it('fail a minimum the estimate clears but the interval does not', () => {
    const probe = judge({ metrics: { roc_auc: { min: 0.5 } } }).criteria[0]!;
    const bound = (probe.estimate + probe.interval[0]) / 2; // below the estimate, above the lower bound
    const verdict = judge({ metrics: { roc_auc: { min: bound } } });
    expect(verdict.criteria[0]!.estimate).toBeGreaterThan(bound);
    expect(verdict.passed).toBe(false);
    expect(verdict.criteria[0]!.explanation).toContain('does not clear the minimum');
  });

  it('judge a maximum by the upper bound, and each side of a two-sided bound', () => {
    const probe = judge({ metrics: { cost_per_decision: { max: 100 } } }).criteria[0]!;
    expect(probe.passed).toBe(true);
    const between = (probe.estimate + probe.interval[1]) / 2;
    const verdict = judge({ metrics: { cost_per_decision: { max: between } } });
    expect(verdict.criteria[0]).toMatchObject({ side: 'max', passed: false });
    const both = judge({ metrics: { brier: { min: 0, max: 0.01 } } });
    expect(both.criteria.map((c) => [c.name, c.passed])).toEqual([
      ['brier.min', true],
      ['brier.max', false],
    ]);
  });

  it('use the confidence of the acceptance section', () => {
    const at95 = judge({ metrics: { roc_auc: { min: 0.5 } } }).criteria[0]!;
    const at80 = judge({ confidence: 0.8, metrics: { roc_auc: { min: 0.5 } } }).criteria[0]!;
    expect(at80.interval[0]).toBeGreaterThan(at95.interval[0]);
    expect(at80.explanation).toContain('80% interval');
  });

  it('measure lift over the best baseline with a paired bootstrap', () => {
    const verdict = judge({ lift_over_baseline: { metric: 'roc_auc', min: 0.05 } });
    const lift = verdict.criteria[0]!;
    expect(lift.kind).toBe('lift');
    expect(lift.baseline!.name).toBe('linear'); // the prior's AUC is 0.5
    expect(lift.estimate).toBeGreaterThan(0.05);
    expect(lift.interval[0]).toBeGreaterThan(0.05);
    expect(lift.passed).toBe(true);
    expect(judge({ lift_over_baseline: { metric: 'roc_auc', min: 0.5 } }).passed).toBe(false);
  });

  it('read lift in the good direction of a lower-is-better metric', () => {
    const verdict = judge({ lift_over_baseline: { metric: 'cost_per_decision', min: 0.01 } });
    const lift = verdict.criteria[0]!;
    expect(lift.baseline!.estimate).toBeGreaterThan(0);
    expect(lift.estimate).toBeGreaterThan(0); // the candidate costs less
    expect(lift.explanation).toMatch(/improvement of \d+\.\d+%/);
  });

  it('give a verdict that survives JSON', () => {
    const verdict = judge({
      metrics: { roc_auc: { min: 0.7 }, precision_at_k: { min: 0.3, k: 100 } },
      lift_over_baseline: { metric: 'roc_auc', min: 0.02 },
    });
    expect(verdict.criteria.map((c) => c.name)).toEqual([
      'roc_auc.min',
      'precision_at_k.min',
      'lift_over_baseline',
    ]);
    expect(verdict.criteria[1]!.k).toBe(100);
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);
    expect(verdict).toMatchObject({
      confidence: 0.95,
      candidate: 'gbdt',
      resamples: 200,
      seed: 42,
    });
  });

  it('refuse a criterion on an unknown metric, or one of another task, before computing anything', () => {
    expect(() => judge({ metrics: { roc_acu: { min: 0.7 } } })).toThrow(
      /unknown metric "roc_acu" \(did you mean "roc_auc"\?\); metrics for binary tasks are: roc_auc, pr_auc/,
    );
    expect(() => judge({ metrics: { rmse: { max: 3 } } })).toThrow(
      /metric "rmse" does not apply to binary tasks/,
    );
    expect(() => judge({ lift_over_baseline: { metric: 'auc', min: 0.1 } })).toThrow(
      /unknown metric "auc"/,
    );
  });

  it('refuse lift without a baseline', () => {
    expect(() =>
      judgeAcceptance({
        acceptance: acceptance({ lift_over_baseline: { metric: 'roc_auc', min: 0.1 } }),
        task: 'binary',
        labels: sample.labels,
        candidate: { name: 'gbdt', predictions: sample.scores },
      }),
    ).toThrow(/needs at least one baseline/);
  });

  it('name the model whose predictions are bad', () => {
    expect(() =>
      judgeAcceptance({
        acceptance: acceptance({ lift_over_baseline: { metric: 'roc_auc', min: 0.1 } }),
        task: 'binary',
        labels: sample.labels,
        candidate: { name: 'gbdt', predictions: sample.scores },
        baselines: [{ name: 'prior', predictions: new Float64Array(5) }],
      }),
    ).toThrow(/^model prior: predictions have 5 values for 3000 labels/);
  });
});
