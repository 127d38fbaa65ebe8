/**
 * The conformance suite every registered metric runs, for every task it is
 * registered for: it covers the spec's catalogue exactly, gives a value in the
 * catalogue's range, prefers a perfect model in its declared direction,
 * ignores unlabelled rows, and its weighted path (the bootstrap's) agrees
 * with duplicating rows. A metric added to the registry is covered here
 * without a new test; one the suite cannot exercise fails it.
 */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { Rng } from '../random.js';
import { METRICS } from '../spec/index.js';
import { bindMetrics, calculateMetric } from './calculate.js';
import { binarySample } from './fixtures/synthetic.js';
import { getMetric, METRIC_REGISTRY, metricNames } from './metric-registry.js';
import type { Labels, MetricContext, Task } from './metric-types.js';
import { prepareData } from './prepared-data.js';

interface Case {
  readonly labels: Labels;
  readonly perfect: Float64Array;
  readonly noisy: Float64Array;
  /** Labels and predictions of extra unlabelled rows. */
  readonly unlabelled: { labels: Labels; predictions: Float64Array };
}

const CONTEXT: MetricContext = {
  k: 40,
  costs: { tp: 5, fp: 20, fn: 80, tn: 0 },
  misclassificationCost: 3,
  underCostPerUnit: 4,
  overCostPerUnit: 1,
  alpha: 0.7,
};

function cases(): Record<Task, Case> {
  const rng = new Rng(9);
  const binary = binarySample(51, 400, 1.0);
  const classes = Int32Array.from({ length: 300 }, () => rng.below(3));
  const oneHot = Float64Array.from({ length: 900 }, (_, i) =>
    classes[Math.floor(i / 3)] === i % 3 ? 1 : 0,
  );
  const noisyClasses = Float64Array.from(
    { length: 900 },
    (_, i) => 0.2 + oneHot[i]! * 0.2 + rng.next() * 0.3,
  );
  for (let r = 0; r < 300; r++) {
    const sum = noisyClasses[3 * r]! + noisyClasses[3 * r + 1]! + noisyClasses[3 * r + 2]!;
    for (let c = 0; c < 3; c++) noisyClasses[3 * r + c]! /= sum;
  }
  const y = Float64Array.from({ length: 300 }, () => 10 + 5 * rng.next());
  return {
    binary: {
      labels: binary.labels,
      perfect: binary.labels.slice(),
      noisy: binary.scores,
      unlabelled: {
        labels: Float64Array.of(Number.NaN, Number.NaN),
        predictions: Float64Array.of(0.99, 0.01),
      },
    },
    multiclass: {
      labels: classes,
      perfect: oneHot,
      noisy: noisyClasses,
      unlabelled: { labels: Int32Array.of(-1), predictions: Float64Array.of(0.1, 0.1, 0.8) },
    },
    regression: {
      labels: y,
      perfect: y.slice(),
      noisy: y.map((v) => v + 3 * (rng.next() - 0.4)),
      unlabelled: { labels: Float64Array.of(Number.NaN), predictions: Float64Array.of(1e6) },
    },
  };
}

const CASES = cases();

function concat<A extends Float64Array | Int32Array>(a: A, b: A): A {
  const out = new (a.constructor as new (n: number) => A)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

describe('the registry covers the spec’s metric catalogue', () => {
  it('registers every catalogue metric for exactly the tasks the catalogue lists', () => {
    expect([...METRIC_REGISTRY.keys()].sort()).toEqual(METRICS.map((m) => m.name).sort());
    for (const info of METRICS) {
      const definition = getMetric(info.name);
      for (const task of ['binary', 'multiclass', 'regression'] as const) {
        expect(definition[task] !== undefined, `${info.name} for ${task}`).toBe(
          info.tasks.includes(task),
        );
      }
    }
  });

  it('refuses an unknown name with the valid names and a suggestion', () => {
    expect(() => getMetric('rocauc')).toThrow(FlywheelError);
    expect(() => getMetric('rocauc')).toThrow(
      /unknown metric "rocauc" \(did you mean "roc_auc"\?\); metrics are: roc_auc, pr_auc, log_loss/,
    );
    expect(() => getMetric('macro_f1', 'binary')).toThrow(
      /does not apply to binary tasks \(only multiclass\)/,
    );
    expect(metricNames('regression')).toEqual([
      'expected_cost',
      'cost_per_decision',
      'mae',
      'rmse',
      'r2',
      'quantile_loss',
    ]);
  });
});

for (const task of ['binary', 'multiclass', 'regression'] as const) {
  describe(`${task} metrics conform`, () => {
    const c = CASES[task];
    for (const name of metricNames(task)) {
      it(name, () => {
        const { info } = getMetric(name, task);
        const noisy = calculateMetric(name, task, c.noisy, c.labels, CONTEXT).value;
        const perfect = calculateMetric(name, task, c.perfect, c.labels, CONTEXT).value;
        expect(Number.isFinite(noisy)).toBe(true);
        expect(noisy).toBeGreaterThanOrEqual(info.range[0]);
        expect(noisy).toBeLessThanOrEqual(info.range[1]);
        if (info.better === 'higher') expect(perfect).toBeGreaterThanOrEqual(noisy);
        else expect(perfect).toBeLessThanOrEqual(noisy);

        const withUnlabelled = calculateMetric(
          name,
          task,
          concat(c.noisy, c.unlabelled.predictions),
          concat(c.labels, c.unlabelled.labels),
          CONTEXT,
        ).value;
        expect(withUnlabelled).toBeCloseTo(noisy, 12);

        // Weights of 2 on every row are the same rows listed twice.
        const data = prepareData(task, c.noisy, c.labels, CONTEXT);
        const doubled = bindMetrics([name], data, CONTEXT).values(
          new Float64Array(data.n).fill(2),
        )[0]!;
        const twice = calculateMetric(
          name,
          task,
          concat(c.noisy, c.noisy),
          concat(c.labels, c.labels),
          CONTEXT,
        ).value;
        expect(doubled).toBeCloseTo(twice, 9);
      });
    }
  });
}
