/**
 * Bad input gets a FlywheelError with a stable code and a message saying what
 * was wrong and what would be valid, never a bare TypeError or a silent NaN.
 */
import { describe, expect, it } from 'vitest';
import { FlywheelError } from '../errors.js';
import { bootstrapIntervals } from './bootstrap.js';
import { bindMetrics, calculateMetric, calculateMetrics } from './calculate.js';
import { evaluateModel } from './evaluate-model.js';
import type { Labels, MetricRequest, Task } from './metric-types.js';
import { prepareData } from './prepared-data.js';

const f64 = (...values: number[]) => Float64Array.from(values);

function fails(act: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FlywheelError);
  expect((caught as FlywheelError).code).toBe(code);
  expect((caught as FlywheelError).message).toMatch(message);
}

const metric =
  (request: MetricRequest, task: Task, predictions: Float64Array, labels: Labels) => () =>
    calculateMetric(request, task, predictions, labels);

describe('bad input', () => {
  it('predictions of the wrong length', () => {
    fails(
      metric('roc_auc', 'binary', f64(0.1, 0.2), f64(0, 1, 1)),
      'USAGE',
      /predictions have 2 values for 3 labels; they must have 3/,
    );
    fails(
      metric('mae', 'regression', f64(1), f64(1, 2)),
      'USAGE',
      /predictions have 1 values for 2 labels/,
    );
    fails(
      metric('accuracy', 'multiclass', f64(0.5, 0.5, 0.2), Int32Array.of(0, 1)),
      'USAGE',
      /rows × classes probabilities \(row-major\); got 3 values for 2 rows/,
    );
  });

  it('NaN or infinite scores, with the row', () => {
    fails(
      metric('roc_auc', 'binary', f64(0.1, Number.NaN), f64(0, 1)),
      'USAGE',
      /prediction 1 is NaN; predictions must be finite numbers/,
    );
    fails(
      metric('rmse', 'regression', f64(Number.POSITIVE_INFINITY), f64(1)),
      'USAGE',
      /prediction 0 is Infinity/,
    );
  });

  it('labels that are not 0/1, or class codes out of range', () => {
    fails(
      metric('roc_auc', 'binary', f64(0.1, 0.2), f64(0, 2)),
      'TARGET_INVALID',
      /binary label 1 is 2; labels must be 0, 1 or NaN/,
    );
    fails(
      metric('accuracy', 'multiclass', f64(0.5, 0.5, 0.5, 0.5), Int32Array.of(0, 2)),
      'TARGET_INVALID',
      /class code 2 of row 1 is outside 0..1/,
    );
    fails(
      metric('accuracy', 'multiclass', f64(0.5, 0.5), f64(0)),
      'USAGE',
      /must be an Int32Array of class codes/,
    );
    fails(
      metric('roc_auc', 'binary', f64(0.5), Int32Array.of(0)),
      'USAGE',
      /must be a Float64Array/,
    );
  });

  it('an unknown metric, or one of another task', () => {
    fails(
      metric('roc_acu', 'binary', f64(0.1), f64(1)),
      'USAGE',
      /unknown metric "roc_acu" \(did you mean "roc_auc"\?\); metrics for binary tasks are: .*precision_at_k/,
    );
    fails(
      metric('r2', 'binary', f64(0.1), f64(1)),
      'USAGE',
      /metric "r2" does not apply to binary tasks \(only regression\)/,
    );
    // checked before any rows are read
    fails(
      () => calculateMetrics(['mae', 'nope'], 'regression', f64(1), f64(1, 2)),
      'USAGE',
      /unknown metric "nope"/,
    );
  });

  it('probability metrics on scores that are not probabilities', () => {
    fails(
      metric('log_loss', 'binary', f64(-2, 3), f64(0, 1)),
      'USAGE',
      /log_loss needs probabilities in \[0, 1\], but the scores run from -2 to 3/,
    );
    fails(metric('ece', 'binary', f64(0.2, 1.5), f64(0, 1)), 'USAGE', /ece needs probabilities/);
  });

  it('parameters out of range or missing', () => {
    fails(metric('precision_at_k', 'binary', f64(0.1), f64(1)), 'USAGE', /precision_at_k needs k/);
    fails(
      metric({ name: 'recall_at_k', k: 0 }, 'binary', f64(0.1), f64(1)),
      'USAGE',
      /k must be a positive whole number, got 0/,
    );
    fails(
      metric({ name: 'ece', bins: 0 }, 'binary', f64(0.1), f64(1)),
      'USAGE',
      /bins must be a whole number/,
    );
    fails(
      metric({ name: 'quantile_loss', alpha: 1 }, 'regression', f64(1), f64(1)),
      'USAGE',
      /alpha must lie in \(0, 1\), got 1/,
    );
    fails(
      metric({ name: 'top_k_accuracy', k: 1.5 }, 'multiclass', f64(0.5, 0.5), Int32Array.of(0)),
      'USAGE',
      /top_k_accuracy: k must be a positive whole number/,
    );
  });

  it('a capacity larger than the test set', () => {
    fails(
      () =>
        evaluateModel({
          task: 'binary',
          predictions: f64(0.1, 0.9),
          labels: f64(0, 1),
          context: { capacity: { maxPositives: 10, per: 'day' } },
          eventTime: f64(0, 1),
        }),
      'USAGE',
      /max_positives is 10 per day, larger than the 2 rows evaluated/,
    );
  });

  it('bootstrap options that cannot give an interval', () => {
    const set = bindMetrics(['roc_auc'], prepareData('binary', f64(0.1, 0.9), f64(0, 1)));
    fails(() => bootstrapIntervals(set, { resamples: 5 }), 'USAGE', /at least 10/);
    fails(
      () => bootstrapIntervals(set, { confidence: 95 }),
      'USAGE',
      /confidence must lie strictly between 0 and 1/,
    );
  });

  it('no labelled test rows', () => {
    fails(
      () => evaluateModel({ task: 'binary', predictions: f64(0.1), labels: f64(Number.NaN) }),
      'DATA_EMPTY',
      /no labelled test rows/,
    );
  });
});
